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
        const double freeGib = static_cast<double>(device.freeMemoryBytes) / (1024.0 * 1024.0 * 1024.0);
        const QString id = QString::fromStdString(device.id);
        const QString name = QString::fromStdString(device.name).simplified();
        summary.devices.append({id,
                                QStringLiteral("%1 · %2 · %3 of %4 GiB free")
                                    .arg(id == QLatin1String("cpu") ? QStringLiteral("CPU") : id, name)
                                    .arg(freeGib, 0, 'f', 1)
                                    .arg(gib, 0, 'f', 1),
                                device.freeMemoryBytes, device.totalMemoryBytes});
        if (summary.bestDevice == QLatin1String("cpu") && device.id != "cpu") {
            summary.bestDevice = QString::fromStdString(device.id);
        }
    }
    return summary;
}

} // namespace vora::app
