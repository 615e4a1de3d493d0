#pragma once
// Describes the runtime (LibTorch, devices, optional parts) in words for the status bar and About box.
// Any thread.
#include <QString>
#include <QStringList>

namespace vora::app {

struct RuntimeSummary {
    QString torchVersion;
    QString opencvVersion;
    QStringList deviceNames; // "cpu (…)", "cuda:0 NVIDIA H100 (80.0 GiB)"
    bool sentencePieceAvailable = false;
    QString bestDevice;      // the device a new model is loaded on by default: "cuda:0" or "cpu"
};

RuntimeSummary runtimeSummary();

} // namespace vora::app
