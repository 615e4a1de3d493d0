#include "app/models/model_folder_check.h"

#include "core/error.h"
#include "core/generation/generation_config.h"
#include "core/io/bounded_read.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace vora::app {
namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("vora::app::ModelFolderCheck", text);
}

// Returns the parsed object, or sets problem. Read through core's bounded reader: a FIFO or a device
// in the folder is refused instead of blocking the GUI thread, a huge file instead of filling memory.
QJsonObject readJsonObject(const QString& path, QString* problem)
{
    QByteArray bytes;
    try {
        bytes = QByteArray::fromStdString(core::readFileBounded(QFile::encodeName(path).toStdString(), core::kMaxIndexFileBytes));
    } catch (const core::Error& error) {
        *problem = QString::fromUtf8(error.what());
        return {};
    }
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(bytes, &error);
    if (error.error != QJsonParseError::NoError) {
        *problem = tr("%1 is not valid JSON (%2 at byte %3).")
                       .arg(QFileInfo(path).fileName(), error.errorString())
                       .arg(error.offset);
        return {};
    }
    if (!document.isObject()) {
        *problem = tr("%1 does not hold a JSON object.").arg(QFileInfo(path).fileName());
        return {};
    }
    return document.object();
}

QString checkConfig(const QDir& dir)
{
    if (!dir.exists(QStringLiteral("config.json"))) {
        return tr("There is no config.json in this folder. Choose the folder that holds the model's "
                  "config.json, weights and tokenizer.");
    }
    QString problem;
    const QJsonObject config = readJsonObject(dir.filePath(QStringLiteral("config.json")), &problem);
    if (!problem.isEmpty()) {
        return problem;
    }
    if (!config.value(QStringLiteral("model_type")).isString() && !config.value(QStringLiteral("architectures")).isArray()) {
        return tr("config.json names no model_type or architectures, so it does not describe a model.");
    }
    return {};
}

// Empty when path is a regular file (opened without blocking: a FIFO must not hang the check).
QString regularFileProblem(const QString& path)
{
    try {
        const core::RegularFile file(QFile::encodeName(path).toStdString());
        return {};
    } catch (const core::Error& error) {
        return QString::fromUtf8(error.what());
    }
}

QString checkWeights(const QDir& dir)
{
    if (dir.exists(QStringLiteral("model.safetensors"))) {
        return regularFileProblem(dir.filePath(QStringLiteral("model.safetensors")));
    }
    const QString index = QStringLiteral("model.safetensors.index.json");
    if (!dir.exists(index)) {
        return tr("No weights found: expected model.safetensors or model.safetensors.index.json with its shards.");
    }
    QString problem;
    const QJsonObject weightMap = readJsonObject(dir.filePath(index), &problem).value(QStringLiteral("weight_map")).toObject();
    if (!problem.isEmpty()) {
        return problem;
    }
    if (weightMap.isEmpty()) {
        return tr("%1 has no weight_map.").arg(index);
    }
    for (const QJsonValue& shard : weightMap) {
        if (!dir.exists(shard.toString())) {
            return tr("The weight shard %1 named in %2 is missing.").arg(shard.toString(), index);
        }
        if (const QString shardProblem = regularFileProblem(dir.filePath(shard.toString())); !shardProblem.isEmpty()) {
            return shardProblem;
        }
    }
    return {};
}

QString checkTokenizer(const QDir& dir)
{
    const bool found = dir.exists(QStringLiteral("tokenizer.json")) || dir.exists(QStringLiteral("tokenizer.model"))
        || (dir.exists(QStringLiteral("vocab.json")) && dir.exists(QStringLiteral("merges.txt")));
    return found ? QString()
                 : tr("No tokenizer found: expected tokenizer.json (or vocab.json with merges.txt, or tokenizer.model).");
}

} // namespace

ModelFolderCheck checkModelFolder(const QString& modelDir)
{
    ModelFolderCheck check;
    const QFileInfo info(modelDir);
    check.name = info.fileName();
    if (!info.isDir()) {
        check.problem = tr("%1 is not a folder.").arg(QDir::toNativeSeparators(modelDir));
        return check;
    }
    const QDir dir(modelDir);
    for (const auto& step : {checkConfig, checkWeights, checkTokenizer}) {
        check.problem = step(dir);
        if (!check.problem.isEmpty()) {
            return check;
        }
    }
    try {
        core::loadGenerationConfig(QFile::encodeName(modelDir).toStdString());
    } catch (const core::Error& error) {
        check.problem = QString::fromUtf8(error.what());
        return check;
    }
    check.ok = true;
    return check;
}

} // namespace vora::app
