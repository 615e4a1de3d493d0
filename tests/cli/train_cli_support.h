#pragma once
// Running `vora train` on the tiny Qwen2 base in CLI tests, and reading its JSON progress lines.
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QStringList>

inline const QString kBase = QStringLiteral(VORA_TEST_DATA_DIR "/training/base");

inline QStringList trainArgs(const QString& root, const QString& out, int steps)
{
    return {"train", "--model", kBase, "--data", root + "/data.jsonl", "--image-root", root, "--out", out,
            "--lora-rank", "4", "--lora-layers", "2", "--image-size", "56", "--patch-size", "14", "--vision-width", "32",
            "--dtype", "float32", "--warmup-steps", "2", "--lr", "5e-3", "--max-text-len", "128", "--batch-size", "2",
            "--max-steps", QString::number(steps)};
}

inline QList<QJsonObject> jsonLines(const QByteArray& out)
{
    QList<QJsonObject> lines;
    for (const QByteArray& line : out.split('\n')) {
        const QJsonDocument doc = QJsonDocument::fromJson(line);
        if (doc.isObject()) {
            lines.push_back(doc.object());
        }
    }
    return lines;
}

inline QString eventName(const QJsonObject& line) { return line.value("event").toString(); }
inline int step(const QJsonObject& line) { return line.value("step").toInt(-1); }
inline bool isStepLine(const QJsonObject& line) { return eventName(line) == "step"; }

inline QJsonObject findEvent(const QList<QJsonObject>& lines, const QString& name)
{
    for (const QJsonObject& line : lines) {
        if (eventName(line) == name) {
            return line;
        }
    }
    return {};
}

