// vora-studio: the desktop application.
// Developer option: VORA_STUDIO_FAKE_BACKEND=1 swaps the inference runtime for a scripted fake backend
// (app/inference/fake_chat_backend.h) that accepts any valid-looking model folder and streams a demo
// markdown answer, for UI work and screenshots without a model.
#include "app/chat/conversation_controller.h"
#include "app/inference/chat_backend_factory.h"
#include "app/inference/fake_chat_backend.h"
#include "app/storage/conversation_store.h"
#include "ui/chat/code_highlighting.h"
#include "ui/main_window/main_window.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QMessageBox>
#include <QSettings>
#include <QTimer>

#include <exception>
#include <memory>
#include <optional>

namespace {

std::unique_ptr<vora::app::ChatBackend> makeBackend()
{
    if (qEnvironmentVariableIntValue("VORA_STUDIO_FAKE_BACKEND") == 1) {
        vora::app::FakeChatScript script;
        script.pieceDelayMs = 25;
        script.loadDelayMs = 400;
        return std::make_unique<vora::app::FakeChatBackend>(script);
    }
    return vora::app::createDefaultChatBackend();
}

} // namespace

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
    const QCommandLineOption model(QStringLiteral("model"), QStringLiteral("Open this model folder at start."),
                                   QStringLiteral("DIR"));
    const QCommandLineOption dataDir(QStringLiteral("data-dir"),
                                     QStringLiteral("Keep conversations in DIR instead of the user's data folder."),
                                     QStringLiteral("DIR"));
    parser.addOptions({quitAfter, model, dataDir});
    parser.process(application);

    int quitMs = -1;
    if (parser.isSet(quitAfter)) {
        bool ok = false;
        quitMs = parser.value(quitAfter).toInt(&ok);
        if (!ok || quitMs < 0) {
            qCritical("--quit-after-ms expects a non-negative integer");
            return 2;
        }
    }

    std::optional<vora::app::ConversationStore> store;
    const QString directory = parser.isSet(dataDir) ? parser.value(dataDir) : vora::app::ConversationStore::defaultDirectory();
    try {
        store.emplace(directory);
    } catch (const std::exception& error) {
        QMessageBox::critical(nullptr, QStringLiteral("VoRA Studio"),
                              QStringLiteral("Your conversations cannot be opened:\n%1").arg(QString::fromUtf8(error.what())));
        return 1;
    }

    QSettings settings;
    const vora::ui::CodeHighlighting highlighting;
    vora::app::ModelHost host(makeBackend());
    vora::app::ConversationController controller(&*store, &host);
    vora::ui::MainWindow window({&settings, &controller, &highlighting});
    window.show();
    if (parser.isSet(model)) {
        host.loadModel(parser.value(model));
    }
    if (quitMs >= 0) {
        QTimer::singleShot(quitMs, &application, &QApplication::quit);
    }
    return QApplication::exec();
}
