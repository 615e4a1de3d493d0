#pragma once
// The wizard's data step: what `vora data check --json` says about a training file (the trainer's own
// checks, so the wizard and the trainer never disagree), and a few samples read for the preview.
// Blocking (a child process); call from the GUI thread only for small files or from a worker.
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

namespace vora::app {

struct DataLineProblem {
    QString file;
    int line = 0;    // 1-based
    QString kind;    // "bad-json", "missing-image", ... (training/training_data.h's names)
    QString message; // names the field or frame
};

struct DataCheckSummary {
    int lines = 0;
    int goodSamples = 0;
    int imageSamples = 0;
    int textOnlySamples = 0;
    int maxTextTokens = 0;
    QList<DataLineProblem> problems;
    QMap<int, int> lengthHistogram; // text tokens, bucket lower bound (powers of two) -> samples
    bool usable() const;            // no problem but over-length ones (those are truncated, not refused)
};

// json: one object as `vora data check --json` prints it. Throws JobError naming source on a wrong shape.
DataCheckSummary dataCheckFromJson(const QJsonObject& json, const QString& source);

struct DataCheckRequest {
    QString dataFile;
    QString imageRoot; // empty: the data file's folder
    QString modelDir;  // empty: no length check (the tokenizer comes from here)
    int maxTextLen = 2048;
};
QStringList dataCheckArguments(const DataCheckRequest& request); // after `vora`
// Throws JobError when the check cannot run (an unreadable file is a JobError with the CLI's message).
DataCheckSummary runDataCheck(const QString& voraExecutable, const DataCheckRequest& request);

// One sample for the preview: the conversation turns, the assistant's marked as trained (their tokens
// carry the loss; the user's are context only).
struct PreviewTurn {
    QString role; // "system", "user", "assistant"
    QString text;
    bool trained = false;
};
struct PreviewSample {
    int line = 0;
    QString id;
    QStringList framePaths; // resolved against the image root
    QList<PreviewTurn> turns;
};
// The first `count` lines that parse as a JSON object with conversations; others are skipped (the
// check lists them). Throws JobError when the file cannot be opened.
QList<PreviewSample> readPreviewSamples(const QString& dataFile, const QString& imageRoot, int count);

} // namespace vora::app
