// vora_clipboard_owner --png FILE | --uris FILE...
// Puts data on the system clipboard from a process of its own, as another application would (a browser
// copying an image: image/png bytes; a file manager copying files: text/uri-list), prints "ready", and
// keeps owning the clipboard until its stdin closes. For test_ui_clipboard_x11 under Xvfb.
#include <QClipboard>
#include <QFile>
#include <QGuiApplication>
#include <QMimeData>
#include <QSocketNotifier>
#include <QTimer>
#include <QUrl>

#include <cstdio>
#include <unistd.h>

int main(int argc, char** argv)
{
    QGuiApplication application(argc, argv);
    const QStringList arguments = application.arguments().mid(1);
    if (arguments.size() < 2 || (arguments.first() != QLatin1String("--png") && arguments.first() != QLatin1String("--uris"))) {
        std::fprintf(stderr, "usage: vora_clipboard_owner --png FILE | --uris FILE...\n");
        return 2;
    }
    auto* data = new QMimeData;
    if (arguments.first() == QLatin1String("--png")) {
        QFile file(arguments.at(1));
        if (!file.open(QIODevice::ReadOnly)) {
            return 1;
        }
        data->setData(QStringLiteral("image/png"), file.readAll());
    } else {
        QList<QUrl> urls;
        for (const QString& path : arguments.mid(1)) {
            urls.append(QUrl::fromLocalFile(path));
        }
        data->setUrls(urls);
    }
    QGuiApplication::clipboard()->setMimeData(data);
    // Owning the selection takes a round trip to the X server; report once it is ours.
    QTimer::singleShot(100, [] {
        std::printf("ready\n");
        std::fflush(stdout);
    });
    QSocketNotifier input(STDIN_FILENO, QSocketNotifier::Read);
    QObject::connect(&input, &QSocketNotifier::activated, &application, [&] {
        char byte = 0;
        if (::read(STDIN_FILENO, &byte, 1) <= 0) {
            QGuiApplication::quit();
        }
    });
    QTimer::singleShot(60000, &application, &QGuiApplication::quit); // never outlive a stuck test
    return QGuiApplication::exec();
}
