#include "app/runtime_summary.h"

#include "core/device/runtime_info.h"

namespace vora::app {

RuntimeSummary runtimeSummary()
{
    const core::RuntimeInfo info = core::runtimeInfo();
    RuntimeSummary summary;
    summary.torchVersion = QString::fromStdString(info.torchVersion);
    summary.opencvVersion = QString::fromStdString(info.opencvVersion);
    summary.sentencePieceAvailable = info.sentencePieceAvailable;
    summary.bestDevice = QStringLiteral("cpu");
    for (const core::ComputeDevice& device : info.devices) {
        const double gib = static_cast<double>(device.totalMemoryBytes) / (1024.0 * 1024.0 * 1024.0);
        summary.deviceNames.append(QStringLiteral("%1 %2 (%3 GiB)")
                                       .arg(QString::fromStdString(device.id), QString::fromStdString(device.name))
                                       .arg(gib, 0, 'f', 1));
        if (summary.bestDevice == QLatin1String("cpu") && device.id != "cpu") {
            summary.bestDevice = QString::fromStdString(device.id);
        }
    }
    return summary;
}

} // namespace vora::app
