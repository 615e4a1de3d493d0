#include "app/finetune/memory_fit.h"

#include "app/finetune/job_error.h"
#include "app/finetune/train_option_catalog.h"
#include "app/finetune/vora_json_command.h"
#include "app/inference/model_host.h"

#include <algorithm>

namespace vora::app {

MemoryNeed memoryNeedFromJson(const QJsonObject& json, const QString& source)
{
    if (!json.value(QStringLiteral("total_bytes")).isDouble()) {
        throw JobError(QStringLiteral("%1: no total_bytes in the memory estimate").arg(source));
    }
    const auto bytes = [&](const char* key) { return static_cast<qint64>(json.value(QLatin1String(key)).toDouble()); };
    MemoryNeed need;
    need.totalBytes = bytes("total_bytes");
    need.weightsBytes = bytes("weights_bytes");
    need.trainableStateBytes = bytes("lora_bytes") + bytes("optimizer_bytes") + bytes("gradient_bytes");
    need.activationBytes = bytes("activation_bytes");
    need.logitsBytes = bytes("logits_bytes");
    need.teacherBytes = bytes("teacher_bytes");
    need.baseParameters = bytes("base_parameters");
    need.trainableParameters = bytes("trainable_parameters");
    return need;
}

QStringList estimateArguments(const QStringList& trainArguments)
{
    QStringList arguments = trainArguments;
    if (!arguments.isEmpty() && arguments.front() == QLatin1String("train")) {
        arguments.front() = QStringLiteral("estimate");
    } else {
        arguments.prepend(QStringLiteral("estimate"));
    }
    arguments << QStringLiteral("--json");
    return arguments;
}

MemoryNeed runMemoryEstimate(const QString& voraExecutable, const QStringList& trainArguments)
{
    return memoryNeedFromJson(runVoraJson(voraExecutable, estimateArguments(trainArguments)).object, QStringLiteral("vora estimate"));
}

FitVerdict fitVerdict(qint64 needBytes, qint64 freeBytes)
{
    if (needBytes * 5 <= freeBytes * 4) {
        return FitVerdict::Fits;
    }
    return needBytes <= freeBytes ? FitVerdict::Tight : FitVerdict::DoesNotFit;
}

QString fitVerdictText(FitVerdict verdict)
{
    switch (verdict) {
    case FitVerdict::Fits:
        return QStringLiteral("Fits");
    case FitVerdict::Tight:
        return QStringLiteral("Tight");
    case FitVerdict::DoesNotFit:
        return QStringLiteral("Does not fit");
    }
    return {};
}

bool sameDevice(const QString& a, const QString& b)
{
    const auto canonical = [](const QString& device) {
        return device == QLatin1String("cuda") ? QStringLiteral("cuda:0") : device;
    };
    return canonical(a) == canonical(b);
}

qint64 chatModelBytesOn(const ModelHost* chat, const QString& device)
{
    if (!chat || !chat->isReady() || !sameDevice(chat->info().device, device)) {
        return 0;
    }
    return chat->info().weightBytes;
}

std::optional<FitChange> nextFitChange(const QJsonObject& values, const TrainOptionCatalog& catalog)
{
    const auto value = [&](const QString& flag) {
        if (values.contains(flag)) {
            return values.value(flag);
        }
        const TrainOptionInfo* option = catalog.find(flag);
        return option ? option->defaultValue : QJsonValue();
    };
    QJsonObject changed = values;
    if (catalog.find(QStringLiteral("gradient-checkpointing")) && !value(QStringLiteral("gradient-checkpointing")).toBool()) {
        changed.insert(QStringLiteral("gradient-checkpointing"), true);
        return FitChange{changed, QStringLiteral("Turn on gradient checkpointing (recomputes activations: slower, far less memory)")};
    }
    const int batch = value(QStringLiteral("batch-size")).toInt(1);
    if (batch > 1) {
        const int accumulation = value(QStringLiteral("grad-accum")).toInt(1);
        changed.insert(QStringLiteral("batch-size"), batch / 2);
        changed.insert(QStringLiteral("grad-accum"), accumulation * 2);
        return FitChange{changed, QStringLiteral("Batch %1 → %2 with gradient accumulation %3 → %4 (same samples per step)")
                                      .arg(batch).arg(batch / 2).arg(accumulation).arg(accumulation * 2)};
    }
    const bool lora = value(QStringLiteral("stage")).toString() == QLatin1String("pretrain")
                      || value(QStringLiteral("finetune-params")).toString() == QLatin1String("lora");
    const int rank = value(QStringLiteral("lora-rank")).toInt();
    if (lora && rank > 8) {
        changed.insert(QStringLiteral("lora-rank"), rank / 2);
        return FitChange{changed, QStringLiteral("LoRA rank %1 → %2 (fewer trainable parameters)").arg(rank).arg(rank / 2)};
    }
    return std::nullopt;
}

int checkpointsKept(const QJsonObject& values)
{
    const qint64 steps = values.value(QStringLiteral("max-steps")).toInteger();
    const qint64 every = values.value(QStringLiteral("save-every")).toInteger();
    const qint64 keep = values.value(QStringLiteral("keep-checkpoints")).toInteger();
    qint64 written = 1;
    if (steps > 0 && every > 0) {
        written = steps / every + (steps % every != 0 ? 1 : 0); // the last one falls on the end or after it
    }
    return static_cast<int>(keep > 0 ? std::min(keep, written) : written);
}

} // namespace vora::app
