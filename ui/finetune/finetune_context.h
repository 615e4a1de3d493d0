#pragma once
// What the fine-tune panel needs from the application: the job queue, the `vora` command (its option
// catalog, checks and estimates), the recent models, where new runs go, and the devices with their free
// memory (runtimeSummary() in the app; a fixed list in tests). GUI thread.
#include "app/runtime_summary.h"

#include <QList>
#include <QString>

#include <functional>

namespace vora::app {
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
};

} // namespace vora::ui
