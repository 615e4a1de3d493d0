#include "app/finetune/base_model_info.h"

#include "app/finetune/job_error.h"
#include "core/model/model_config.h"
#include "core/safetensors/checkpoint_files.h"
#include "core/safetensors/safetensors_file.h"

#include <QDir>
#include <QFileInfo>

#include <exception>

namespace vora::app {

BaseModelInfo readBaseModelInfo(const QString& modelDir)
{
    BaseModelInfo info;
    info.folder = QDir(modelDir).absolutePath();
    info.name = QFileInfo(info.folder).fileName();
    try {
        const core::ModelConfig config = core::loadModelConfig(modelDir.toStdString());
        info.sees = config.isVora();
        info.layers = config.numLayers;
        info.width = config.hiddenSize;
        info.architecture = QStringLiteral("%1 · %2 layers · width %3")
                                .arg(QString::fromStdString(config.modelType))
                                .arg(config.numLayers)
                                .arg(config.hiddenSize);
        const core::CheckpointFiles files = core::CheckpointFiles::open(modelDir.toStdString());
        for (const auto& file : files.files()) {
            for (const auto& [name, tensor] : file->tensors()) {
                info.parameters += tensor.elementCount();
            }
        }
    } catch (const std::exception& error) {
        throw JobError(QString::fromStdString(error.what()));
    }
    for (const QFileInfo& file : QDir(modelDir).entryInfoList(QDir::Files)) {
        info.diskBytes += file.size();
    }
    return info;
}

QString formatBytes(qint64 bytes)
{
    const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    double value = static_cast<double>(bytes);
    int unit = 0;
    while (value >= 1024.0 && unit < 4) {
        value /= 1024.0;
        ++unit;
    }
    return unit == 0 ? QStringLiteral("%1 bytes").arg(bytes) : QStringLiteral("%1 %2").arg(value, 0, 'f', 1).arg(QLatin1String(units[unit]));
}

QString formatCount(qint64 count)
{
    if (count >= 1000000000) {
        return QStringLiteral("%1 B").arg(count / 1e9, 0, 'f', 2);
    }
    if (count >= 1000000) {
        return QStringLiteral("%1 M").arg(count / 1e6, 0, 'f', 2);
    }
    if (count >= 1000) {
        return QStringLiteral("%1 K").arg(count / 1e3, 0, 'f', 1);
    }
    return QString::number(count);
}

} // namespace vora::app
