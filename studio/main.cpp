// vora-studio: the desktop application.
//   vora-studio [--model DIR] [--attach FILE]... [--first-launch-only] [--data-dir DIR] [--quit-after-ms N]
// Without --model, a launch reopens the last model and conversation (Preferences > Startup turns that
// off). --first-launch-only applies --model and --attach on the first launch only: packaging/studio
// passes the demo model and a sample scene that way (docs/studio.md).
// Developer option: VORA_STUDIO_FAKE_BACKEND=1 swaps the inference runtime for a scripted fake backend
// (app/inference/fake_chat_backend.h) that accepts any valid-looking model folder and streams a demo
// markdown answer, for UI work without a model.
#include "app/chat/conversation_controller.h"
#include "app/finetune/training_job_queue.h"
#include "app/finetune/vora_executable.h"
#include "app/inference/chat_backend_factory.h"
#include "app/inference/fake_chat_backend.h"
#include "app/runtime_summary.h"
#include "app/settings/app_settings.h"
#include "app/settings/session_keeper.h"
#include "app/storage/conversation_store.h"
#include "app/storage/store_opening.h"
#include "ui/chat/code_highlighting.h"
#include "ui/composer/composer_widget.h"
#include "ui/main_window/main_window.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QMessageBox>
#include <QPushButton>
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

bool askToRecover(const vora::app::StoreError& error)
{
    QMessageBox box(QMessageBox::Warning, QStringLiteral("VoRA Studio"), QString::fromUtf8(error.what()));
    box.setInformativeText(QStringLiteral("VoRA Studio can copy every conversation it can still read into a new "
                                          "database. The damaged file is kept beside it, renamed, so nothing is "
                                          "deleted. Quit leaves everything as it is."));
    QPushButton* recover = box.addButton(QStringLiteral("Recover"), QMessageBox::AcceptRole);
    box.addButton(QMessageBox::Close);
    box.exec();
    return box.clickedButton() == recover;
}

void tellRecovered(const vora::app::StoreRecovery& recovery)
{
    QMessageBox::information(nullptr, QStringLiteral("VoRA Studio"),
                             QStringLiteral("Recovered %1 conversations with %2 messages (%3 damaged stretches could "
                                            "not be read).\nThe damaged database is kept as %4.")
                                 .arg(recovery.conversations)
                                 .arg(recovery.messages)
                                 .arg(recovery.unreadableStretches)
                                 .arg(recovery.damagedCopy));
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
    const QCommandLineOption model(QStringLiteral("model"),
                                   QStringLiteral("Open this model folder at start (instead of the last one)."),
                                   QStringLiteral("DIR"));
    const QCommandLineOption attach(QStringLiteral("attach"),
                                    QStringLiteral("Attach this image to the message being written; repeat for several."),
                                    QStringLiteral("FILE"));
    const QCommandLineOption firstLaunchOnly(QStringLiteral("first-launch-only"),
                                             QStringLiteral("Apply --model and --attach on the first launch only; later "
                                                            "launches reopen the last model and conversation."));
    const QCommandLineOption dataDir(QStringLiteral("data-dir"),
                                     QStringLiteral("Keep conversations in DIR instead of the user's data folder."),
                                     QStringLiteral("DIR"));
    parser.addOptions({quitAfter, model, attach, firstLaunchOnly, dataDir});
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

    const QString directory = parser.isSet(dataDir) ? parser.value(dataDir) : vora::app::ConversationStore::defaultDirectory();
    std::unique_ptr<vora::app::ConversationStore> store;
    try {
        vora::app::StoreOpening opening = vora::app::openStoreWithRecovery(directory, askToRecover);
        store = std::move(opening.store);
        if (opening.recovery) {
            tellRecovered(*opening.recovery);
        }
    } catch (const std::exception& error) {
        QMessageBox::critical(nullptr, QStringLiteral("VoRA Studio"),
                              QStringLiteral("Your conversations cannot be opened:\n%1").arg(QString::fromUtf8(error.what())));
        return 1;
    }

    QSettings settings;
    vora::app::AppSettings appSettings(&settings);
    const vora::ui::CodeHighlighting highlighting;
    vora::app::ModelHost host(makeBackend());
    vora::app::ConversationController controller(store.get(), &host, &appSettings);
    // The fine-tune job queue needs the `vora` command; without one the window has no Fine-tune page.
    std::unique_ptr<vora::app::TrainingJobQueue> jobs;
    std::optional<vora::ui::FinetuneContext> finetune;
    try {
        const QString vora = vora::app::findVoraExecutable();
        jobs = std::make_unique<vora::app::TrainingJobQueue>(*store, vora, directory + QStringLiteral("/job-logs"));
        finetune = vora::ui::FinetuneContext{jobs.get(), vora, nullptr, qEnvironmentVariable("VORA_DEMO_MODEL"),
                                             directory + QStringLiteral("/runs"), [] { return vora::app::runtimeSummary().devices; },
                                             &host, makeBackend, [&appSettings] { return appSettings.loadOptions(); }};
    } catch (const std::exception& error) {
        qWarning("no Fine-tune page: %s", error.what());
    }
    vora::ui::MainWindow window({&appSettings, &controller, &highlighting, finetune});
    vora::app::SessionKeeper session(&appSettings, &controller);
    const vora::app::LaunchPlan plan =
        session.plan({parser.value(model), parser.values(attach), parser.isSet(firstLaunchOnly)});
    window.show();
    session.start(plan);
    for (const QString& path : plan.attachments) {
        if (!QFileInfo(path).isFile()) {
            qWarning("--attach: %s is not a file", qPrintable(path)); // the window's banner says it too
        }
    }
    window.composer()->addImageFiles(plan.attachments);
    if (quitMs >= 0) {
        QTimer::singleShot(quitMs, &application, &QApplication::quit);
    }
    return QApplication::exec();
}
