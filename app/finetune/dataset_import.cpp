#include "app/finetune/dataset_import.h"

#include "app/finetune/job_error.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

namespace vora::app {
namespace {

QByteArray sampleLine(const QString& id, const QString& frame, const QString& prompt, const QString& answer)
{
    const QJsonArray conversations = {
        QJsonObject{{QStringLiteral("from"), QStringLiteral("human")}, {QStringLiteral("value"), QStringLiteral("<image>") + prompt}},
        QJsonObject{{QStringLiteral("from"), QStringLiteral("gpt")}, {QStringLiteral("value"), answer}},
    };
    const QJsonObject sample{{QStringLiteral("id"), id}, {QStringLiteral("frames"), QJsonArray{frame}}, {QStringLiteral("conversations"), conversations}};
    return QJsonDocument(sample).toJson(QJsonDocument::Compact) + '\n';
}

void writeLines(const QString& outFile, const QByteArray& lines, int samples, const QString& source)
{
    if (samples == 0) {
        throw JobError(QStringLiteral("%1: no captioned image found").arg(source));
    }
    QSaveFile file(outFile);
    if (!file.open(QIODevice::WriteOnly) || file.write(lines) != lines.size() || !file.commit()) {
        throw JobError(QStringLiteral("%1: %2").arg(outFile, file.errorString()));
    }
}

struct CsvRecord {
    int line = 0; // where the record starts in the file, 1-based (a quoted field may span lines)
    QStringList fields;
};

// RFC 4180 records: fields split at commas outside quotes, "" inside quotes is one quote.
QList<CsvRecord> parseCsv(const QString& text)
{
    QList<CsvRecord> records;
    QStringList record;
    QString field;
    bool quoted = false;
    int line = 1;
    int recordLine = 1;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (quoted) {
            if (c == u'"' && i + 1 < text.size() && text.at(i + 1) == u'"') {
                field += u'"';
                ++i;
            } else if (c == u'"') {
                quoted = false;
            } else {
                if (c == u'\n') {
                    ++line;
                }
                field += c;
            }
        } else if (c == u'"') {
            quoted = true;
        } else if (c == u',') {
            record.push_back(field);
            field.clear();
        } else if (c == u'\n' || c == u'\r') {
            if (c == u'\r' && i + 1 < text.size() && text.at(i + 1) == u'\n') {
                ++i;
            }
            record.push_back(field);
            field.clear();
            records.push_back({recordLine, record});
            record.clear();
            recordLine = ++line;
        } else {
            field += c;
        }
    }
    if (!field.isEmpty() || !record.isEmpty()) {
        record.push_back(field);
        records.push_back({recordLine, record});
    }
    return records;
}

} // namespace

ImportResult importCaptionFolder(const QString& imageFolder, const QString& outFile)
{
    const QDir folder(imageFolder);
    if (!folder.exists()) {
        throw JobError(QStringLiteral("%1: no such folder").arg(imageFolder));
    }
    const QStringList images = folder.entryList({QStringLiteral("*.png"), QStringLiteral("*.jpg"), QStringLiteral("*.jpeg"),
                                                 QStringLiteral("*.bmp"), QStringLiteral("*.webp"), QStringLiteral("*.ppm")},
                                                QDir::Files, QDir::Name | QDir::IgnoreCase);
    ImportResult result;
    QByteArray lines;
    for (const QString& image : images) {
        const QString stem = QFileInfo(image).completeBaseName();
        QFile caption(folder.filePath(stem + QStringLiteral(".txt")));
        if (!caption.open(QIODevice::ReadOnly | QIODevice::Text)) {
            result.skipped.push_back(QStringLiteral("%1: no %2.txt beside it").arg(image, stem));
            continue;
        }
        const QString text = QString::fromUtf8(caption.readAll()).trimmed();
        if (text.isEmpty()) {
            result.skipped.push_back(QStringLiteral("%1: %2.txt is empty").arg(image, stem));
            continue;
        }
        lines += sampleLine(stem, image, kDefaultCaptionPrompt, text);
        ++result.samples;
    }
    writeLines(outFile, lines, result.samples, imageFolder);
    return result;
}

ImportResult importCaptionCsv(const QString& csvFile, const QString& outFile)
{
    QFile file(csvFile);
    if (!file.open(QIODevice::ReadOnly)) {
        throw JobError(QStringLiteral("%1: %2").arg(csvFile, file.errorString()));
    }
    const QList<CsvRecord> records = parseCsv(QString::fromUtf8(file.readAll()));
    if (records.isEmpty()) {
        throw JobError(QStringLiteral("%1: empty").arg(csvFile));
    }
    const QStringList header = records.front().fields;
    const qsizetype image = header.indexOf(QStringLiteral("image"));
    qsizetype answer = header.indexOf(QStringLiteral("caption"));
    if (answer < 0) {
        answer = header.indexOf(QStringLiteral("answer"));
    }
    const qsizetype prompt = header.indexOf(QStringLiteral("prompt"));
    if (image < 0 || answer < 0) {
        throw JobError(QStringLiteral("%1:1: the header must name the columns image and caption (or answer), found: %2")
                           .arg(csvFile, header.join(QStringLiteral(", "))));
    }
    ImportResult result;
    QByteArray lines;
    for (qsizetype row = 1; row < records.size(); ++row) {
        const QStringList& fields = records.at(row).fields;
        const int line = records.at(row).line;
        if (fields.size() == 1 && fields.front().trimmed().isEmpty()) {
            continue; // a blank line
        }
        if (fields.size() != header.size()) {
            result.skipped.push_back(QStringLiteral("%1:%2: %3 columns, expected %4").arg(csvFile).arg(line).arg(fields.size()).arg(header.size()));
            continue;
        }
        if (fields.at(answer).trimmed().isEmpty() || fields.at(image).trimmed().isEmpty()) {
            result.skipped.push_back(QStringLiteral("%1:%2: empty image or caption").arg(csvFile).arg(line));
            continue;
        }
        const QString question = prompt >= 0 && !fields.at(prompt).trimmed().isEmpty() ? fields.at(prompt).trimmed() : kDefaultCaptionPrompt;
        lines += sampleLine(QString::number(row), fields.at(image).trimmed(), question, fields.at(answer).trimmed());
        ++result.samples;
    }
    writeLines(outFile, lines, result.samples, csvFile);
    return result;
}

} // namespace vora::app
