#pragma once
// What the fine-tune panel needs from the application: the job queue, the `vora` command (its option
// catalog, checks and estimates), the recent models, where new runs go, and the devices with their free
// memory (runtimeSummary() in the app; a fixed list in tests), the chat's model host (the fit step
// counts what its model holds), and how to make an inference backend for Compare. GUI thread.
#include "app/inference/chat_backend.h"
#include "app/runtime_summary.h"

#include <QList>
#include <QString>

#include <functional>
#include <memory>

namespace vora::app {
class ModelHost;
class RecentModelsModel;
class TrainingJobQueue;
}

namespace vora::ui {

struct FinetuneContext {
    vora::app::TrainingJobQueue* queue = nullptr;           // must outlive the panel
    QString voraExecutable;                                  // findVoraExecutable()
    vora::app::RecentModelsModel* recentModels = nullptr;   // may be null
    QString demoModelDir;                                    // empty or missing: no demo choice
    QString runsDirectory;                                   // new run folders are made here
    // The CPU first, with free memory as of the call: asked again each time the fit step is shown.
    std::function<QList<vora::app::DeviceChoice>()> devices;
    // The chat's model: the fit step shows what it holds on the training's device and offers to unload
    // it. May be null (no chat); must outlive the panel.
    vora::app::ModelHost* chatModel = nullptr;
    // A fresh inference backend for Compare (the runtime's in the app); null: no Compare.
    std::function<std::unique_ptr<vora::app::ChatBackend>()> makeBackend;
    // Device and dtype for Compare's models (the chat's preferences); null: the best device, auto.
    std::function<vora::app::ModelLoadOptions()> loadOptions;
};

} // namespace vora::ui
