// vora-studio: the desktop application.
#include "ui/main_window/main_window.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QSettings>
#include <QTimer>

int main(int argc, char** argv)
{
    QApplication application(argc, argv);
    QApplication::setApplicationName(QStringLiteral("VoRA Studio"));
    QApplication::setOrganizationName(QStringLiteral("VoRA Studio"));
    QApplication::setApplicationVersion(QStringLiteral(VORA_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("vora-studio"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Chat with images through VoRA models"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption quitAfter(QStringLiteral("quit-after-ms"),
                                       QStringLiteral("Quit cleanly after N milliseconds (smoke tests)."),
                                       QStringLiteral("N"));
    parser.addOption(quitAfter);
    parser.process(application);

    QSettings settings;
    vora::ui::MainWindow window(&settings);
    window.show();

    if (parser.isSet(quitAfter)) {
        bool ok = false;
        const int milliseconds = parser.value(quitAfter).toInt(&ok);
        if (!ok || milliseconds < 0) {
            qCritical("--quit-after-ms expects a non-negative integer");
            return 2;
        }
        QTimer::singleShot(milliseconds, &application, &QApplication::quit);
    }
    return QApplication::exec();
}
