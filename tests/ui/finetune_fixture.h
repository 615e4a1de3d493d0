#pragma once
// A VoRA Studio window with the Fine-tune page over a temporary data folder, a FakeChatBackend for the
// chat, a real job queue running the `vora` built here, the runtime's own backend for Compare (real
// models on the CPU), and one CPU device with a fixed free memory; for the wizard's GUI test and its
// screenshots.
#include "app/chat/conversation_controller.h"
#include "app/finetune/training_job_queue.h"
#include "app/inference/chat_backend_factory.h"
#include "app/inference/fake_chat_backend.h"
#include "app/settings/app_settings.h"
#include "app/storage/conversation_store.h"
#include "ui/chat/code_highlighting.h"
#include "ui/finetune/base_model_page.h"
#include "ui/finetune/data_page.h"
#include "ui/finetune/finetune_panel.h"
#include "ui/finetune/finetune_wizard.h"
#include "ui/finetune/method_page.h"
#include "ui/main_window/main_window.h"
#include "ui/main_window/nav_rail.h"

#include <QJsonObject>
#include <QLabel>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace vora::tests {

inline const QString kBase = QStringLiteral(VORA_TEST_DATA_DIR "/training/base");
inline const QString kVora = QStringLiteral(VORA_CLI_PATH);

// Small enough for a CPU step in well under a second on the tiny base.
inline QJsonObject tinyRun(int steps)
{
    return {{"lora-rank", 4},  {"lora-layers", 2}, {"image-size", 56},  {"vision-width", 32},
            {"dtype", "float32"}, {"warmup-steps", 2}, {"lr", 5e-3}, {"max-text-len", 128},
            {"batch-size", 2}, {"max-steps", steps}, {"gradient-checkpointing", false}, {"save-every", 0}};
}

// A window with the Fine-tune page over a temporary data folder; devices: one CPU with freeBytes.
struct FinetuneWindow {
    // The devices live in the fixture so a test can swap them (setDevices) after the window is made.
    explicit FinetuneWindow(qint64 freeBytes, const QString& demoModelDir = {})
        : settings(dir.filePath(QStringLiteral("settings.ini")), QSettings::IniFormat)
        , appSettings(&settings)
        , store(dir.filePath(QStringLiteral("data")))
        , host(std::unique_ptr<app::ChatBackend>(chatBackend))
        , controller(&store, &host, &appSettings)
        , queue(store, kVora, dir.filePath(QStringLiteral("logs")))
    {
        ui::FinetuneContext context{&queue, kVora, nullptr, demoModelDir, dir.filePath(QStringLiteral("runs")),
                                    [this] { return devices(); }, &host, &app::createDefaultChatBackend,
                                    [] { return app::ModelLoadOptions{QStringLiteral("cpu"), QStringLiteral("auto"), 0}; }};
        devices = [freeBytes] { return QList<app::DeviceChoice>{{QStringLiteral("cpu"), QStringLiteral("CPU (test)"), freeBytes, freeBytes}}; };
        window = std::make_unique<ui::MainWindow>(ui::MainWindowContext{&appSettings, &controller, &highlighting, context});
        window->show();
        window->navRail()->setCurrentPage(1); // the Fine-tune page, as a click on the rail
        Q_EMIT window->navRail()->pageChosen(1);
    }
    ui::FinetuneWizard* wizard() const { return window->finetunePanel()->wizard(); }

    QTemporaryDir dir;
    QSettings settings;
    app::AppSettings appSettings;
    app::ConversationStore store;
    ui::CodeHighlighting highlighting;
    app::FakeChatBackend* chatBackend = new app::FakeChatBackend; // owned by host, used on its thread
    app::ModelHost host;
    app::ConversationController controller;
    app::TrainingJobQueue queue;
    std::function<QList<app::DeviceChoice>()> devices;
    std::unique_ptr<ui::MainWindow> window;
};

inline void setDevices(FinetuneWindow& w, std::function<QList<app::DeviceChoice>()> devices)
{
    w.devices = std::move(devices);
}

// The data step checks in the background (a `vora data check` child).
inline bool waitForDataCheck(FinetuneWindow& w)
{
    return QTest::qWaitFor([&] { return !w.wizard()->dataPage()->isChecking(); }, 60000);
}

// Through the first three steps with the tiny data set; steps: the run's length.
inline bool reachFitPage(FinetuneWindow& w, const QString& dataRoot, int steps)
{
    ui::FinetuneWizard* wizard = w.wizard();
    wizard->baseModelPage()->chooseModel(kBase);
    wizard->goNext();
    wizard->dataPage()->setDataFile(dataRoot + QStringLiteral("/data.jsonl"));
    waitForDataCheck(w);
    wizard->goNext();
    wizard->methodPage()->choosePreset(ui::TrainPreset::TeachToSee);
    wizard->methodPage()->setOptionValues(tinyRun(steps));
    wizard->goNext();
    if (wizard->currentStep() != 3) {
        qWarning("stuck at step %d: %s", wizard->currentStep(), qPrintable(wizard->blockerLabel()->text()));
    }
    return wizard->currentStep() == 3;
}

} // namespace vora::tests
