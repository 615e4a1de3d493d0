#include "app/finetune/data_check.h"

#include "app/finetune/job_error.h"
#include "app/finetune/vora_json_command.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

namespace vora::app {

bool DataCheckSummary::usable() const
{
    if (goodSamples == 0) {
        return false;
    }
    for (const DataLineProblem& problem : problems) {
        if (problem.kind != QLatin1String("over-length")) {
            return false;
        }
    }
    return true;
}

DataCheckSummary dataCheckFromJson(const QJsonObject& json, const QString& source)
{
    for (const char* key : {"lines", "good", "problems"}) {
        if (!json.contains(QLatin1String(key))) {
            throw JobError(QStringLiteral("%1: no \"%2\" in the data check's answer").arg(source, QLatin1String(key)));
        }
    }
    DataCheckSummary summary;
    summary.lines = json.value(QStringLiteral("lines")).toInt();
    summary.goodSamples = json.value(QStringLiteral("good")).toInt();
    summary.imageSamples = json.value(QStringLiteral("image_samples")).toInt();
    summary.textOnlySamples = json.value(QStringLiteral("text_only_samples")).toInt();
    summary.maxTextTokens = json.value(QStringLiteral("max_text_tokens")).toInt();
    for (const QJsonValue& value : json.value(QStringLiteral("problems")).toArray()) {
        const QJsonObject problem = value.toObject();
        summary.problems.push_back({problem.value(QStringLiteral("file")).toString(), problem.value(QStringLiteral("line")).toInt(),
                                    problem.value(QStringLiteral("kind")).toString(), problem.value(QStringLiteral("message")).toString()});
    }
    const QJsonObject histogram = json.value(QStringLiteral("length_histogram")).toObject();
    for (auto it = histogram.begin(); it != histogram.end(); ++it) {
        summary.lengthHistogram.insert(it.key().toInt(), it.value().toInt());
    }
    return summary;
}

QStringList dataCheckArguments(const DataCheckRequest& request)
{
    QStringList arguments = {QStringLiteral("data"), QStringLiteral("check"), QStringLiteral("--data"), request.dataFile};
    if (!request.imageRoot.isEmpty()) {
        arguments << QStringLiteral("--image-root") << request.imageRoot;
    }
    if (!request.modelDir.isEmpty()) {
        arguments << QStringLiteral("--model") << request.modelDir;
    }
    arguments << QStringLiteral("--max-text-len") << QString::number(request.maxTextLen) << QStringLiteral("--json");
    return arguments;
}

DataCheckSummary runDataCheck(const QString& voraExecutable, const DataCheckRequest& request)
{
    const JsonCommandResult result = runVoraJson(voraExecutable, dataCheckArguments(request), {0, 1});
    return dataCheckFromJson(result.object, request.dataFile);
}

namespace {

QString roleOf(const QString& from)
{
    if (from == QLatin1String("human") || from == QLatin1String("user")) {
        return QStringLiteral("user");
    }
    if (from == QLatin1String("gpt") || from == QLatin1String("assistant")) {
        return QStringLiteral("assistant");
    }
    return from;
}

} // namespace

QList<PreviewSample> readPreviewSamples(const QString& dataFile, const QString& imageRoot, int count)
{
    QFile file(dataFile);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
        throw JobError(QStringLiteral("%1: %2").arg(dataFile, file.errorString()));
    }
    const QDir root(imageRoot.isEmpty() ? QFileInfo(dataFile).absolutePath() : imageRoot);
    QList<PreviewSample> samples;
    int lineNumber = 0;
    while (!file.atEnd() && samples.size() < count) {
        const QByteArray line = file.readLine(1 << 20);
        ++lineNumber;
        const QJsonObject object = QJsonDocument::fromJson(line).object();
        const QJsonArray conversations = object.value(QStringLiteral("conversations")).toArray();
        if (conversations.isEmpty()) {
            continue;
        }
        PreviewSample sample;
        sample.line = lineNumber;
        sample.id = object.value(QStringLiteral("id")).toVariant().toString();
        for (const QJsonValue& frame : object.value(QStringLiteral("frames")).toArray()) {
            sample.framePaths.push_back(root.filePath(frame.toString()));
        }
        for (const QJsonValue& turn : conversations) {
            const QString role = roleOf(turn.toObject().value(QStringLiteral("from")).toString());
            sample.turns.push_back({role, turn.toObject().value(QStringLiteral("value")).toString(), role == QLatin1String("assistant")});
        }
        samples.push_back(sample);
    }
    return samples;
}

} // namespace vora::app
