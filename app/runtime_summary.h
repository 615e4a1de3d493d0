#pragma once
// Describes the runtime (LibTorch, devices, optional parts) in words for the status bar and About box.
// Any thread.
#include <QString>
#include <QStringList>

namespace vora::app {

// A device a model can be loaded on, for the preferences' device choice.
struct DeviceChoice {
    QString id;          // "cpu", "cuda:0"
    QString label;       // "CPU · AMD EPYC … · 12.0 of 24.0 GiB free"
    qint64 freeBytes = 0;
    qint64 totalBytes = 0;
};

struct RuntimeSummary {
    QString torchVersion;
    QString opencvVersion;
    QStringList deviceNames; // "cpu (…)", "cuda:0 NVIDIA H100 (80.0 GiB)"
    bool sentencePieceAvailable = false;
    QString bestDevice;      // the device a new model is loaded on by default: "cuda:0" or "cpu"
    QList<DeviceChoice> devices; // the CPU first, then each CUDA device, with free memory as of the call
};

RuntimeSummary runtimeSummary();

} // namespace vora::app
