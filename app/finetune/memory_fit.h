#pragma once
// The wizard's fit step: the trainer's memory estimate (`vora estimate --json`, training/memory_estimate.h)
// for the chosen options, a verdict against the device's free memory, the next change that makes a run
// fit, and the disk its checkpoints take. Value types; runMemoryEstimate blocks on a child process.
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>

namespace vora::app {

class ModelHost;
class TrainOptionCatalog;

struct MemoryNeed {
    qint64 totalBytes = 0;
    qint64 weightsBytes = 0;
    qint64 trainableStateBytes = 0; // float32 masters + AdamW states + gradients
    qint64 activationBytes = 0;
    qint64 logitsBytes = 0;
    qint64 teacherBytes = 0;
    qint64 baseParameters = 0;
    qint64 trainableParameters = 0;
    // What one checkpoint writes: the trainable float32 masters and their two AdamW states.
    qint64 checkpointBytes() const { return trainableParameters * 4 * 3; }
};

// Throws JobError naming source when total_bytes is missing.
MemoryNeed memoryNeedFromJson(const QJsonObject& json, const QString& source);
// `vora estimate` takes the train options: trainArguments with "train" replaced and --json added.
QStringList estimateArguments(const QStringList& trainArguments);
MemoryNeed runMemoryEstimate(const QString& voraExecutable, const QStringList& trainArguments);

enum class FitVerdict { Fits, Tight, DoesNotFit };
// Fits while the need leaves a fifth of the free memory (allocator slack, other programs); tight up to
// all of it; beyond that it does not fit.
FitVerdict fitVerdict(qint64 needBytes, qint64 freeBytes);
QString fitVerdictText(FitVerdict verdict);

// Whether two device names mean one device: "cuda" is "cuda:0".
bool sameDevice(const QString& a, const QString& b);
// The memory a model loaded in the chat holds on device (its weights); 0 when the chat has none loaded
// there or chat is null. A device's measured free memory already leaves it out, since it is in use:
// this is what unloading the chat's model would give back to a training on that device.
qint64 chatModelBytesOn(const ModelHost* chat, const QString& device);

// The next change that lowers the need, cheapest in quality first: gradient checkpointing on; then a
// halved batch with doubled gradient accumulation (the same samples per optimizer step); then a halved
// LoRA rank (LoRA runs only, down to 8). values: flag -> value as given to TrainOptionCatalog::arguments;
// absent flags take the catalog's defaults. nullopt when nothing is left to change.
struct FitChange {
    QJsonObject values;
    QString description;
};
std::optional<FitChange> nextFitChange(const QJsonObject& values, const TrainOptionCatalog& catalog);

// How many checkpoints a run leaves on disk: one every --save-every steps and one at the end, of which
// --keep-checkpoints newest stay (0: all). A run sized by epochs (--max-steps 0) counts as one and the
// newest kept, since its step count is not known before the data is read.
int checkpointsKept(const QJsonObject& values);

} // namespace vora::app
