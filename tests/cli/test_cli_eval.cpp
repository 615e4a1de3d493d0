// `vora eval` end to end on a tiny random VoRA model (accuracy is about 0 there; the structure and
// the counts are what is checked) with a small test split the synthetic-data generator wrote as PPM
// (tests/data/synth_tiny: python3 -m training.synth generate --out tests/data/synth_tiny --seed 1
// --train 0 --val 0 --test 8 --sizes 56 --format ppm --workers 1), so it also shows that `vora`
// reads PPM frames in every build, and `vora data check` accepts them.
#include "cli_runner.h"
#include "tiny_model_writer.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

namespace {

const QString kData = QStringLiteral(VORA_TEST_DATA_DIR "/synth_tiny");

QJsonObject readJson(const QString& path)
{
    QFile file(path);
    file.open(QIODevice::ReadOnly);
    return QJsonDocument::fromJson(file.readAll()).object();
}

QList<QJsonObject> jsonLines(const QString& path)
{
    QFile file(path);
    file.open(QIODevice::ReadOnly);
    QList<QJsonObject> lines;
    for (const QByteArray& line : file.readAll().split('\n')) {
        if (!line.trimmed().isEmpty()) {
            lines.push_back(QJsonDocument::fromJson(line).object());
        }
    }
    return lines;
}

} // namespace

class TestCliEval : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_model = QString::fromStdString(vora::testing::writeTinyQwenVoraModel(m_dir.filePath("tiny").toStdString()));
        // The test split plus one text-only question, which counts as "other".
        QFile text(m_dir.filePath("with_text.jsonl"));
        QVERIFY(text.open(QIODevice::WriteOnly));
        QFile split(kData + "/finetune-test.jsonl");
        QVERIFY(split.open(QIODevice::ReadOnly));
        text.write(split.readAll());
        text.write(R"({"id":"t","conversations":[{"from":"human","value":"Say hi."},{"from":"gpt","value":"Hi!"}]})" "\n");
    }

    void jsonReportCountsEveryQuestionByType()
    {
        const QString records = m_dir.filePath("records.jsonl");
        const CliResult result = runVora({"eval", "--model", m_model, "--data", m_dir.filePath("with_text.jsonl"), "--image-root",
                                          kData, "--json", "--max-new-tokens", "4", "--loss", "--out-records", records});
        QVERIFY2(result.exitCode == 0, result.err.constData());
        const QJsonObject report = QJsonDocument::fromJson(result.out).object();
        const QJsonObject split = readJson(kData + "/manifest.json")["splits"].toObject()["test"].toObject();
        const QJsonObject expected = split["finetune_questions"].toObject();
        const QJsonObject types = report["types"].toObject();
        int total = 0;
        for (const QString& type : expected.keys()) { // the generator's counts per type = the classifier's
            QCOMPARE(types[type].toObject()["total"].toInt(), expected[type].toInt());
            total += expected[type].toInt();
        }
        QCOMPARE(types["other"].toObject()["total"].toInt(), 1);
        QCOMPARE(types.size(), 7);
        QCOMPARE(total, 43);
        QCOMPARE(report["questions"].toInt(), total + 1);
        QCOMPARE(report["overall"].toObject()["total"].toInt(), total + 1);
        QVERIFY(!report["stopped"].toBool());
        // Validation loss: every sample, every answer token; a random model is far from 0.
        QCOMPARE(report["val_samples"].toInt(), total + 1);
        QVERIFY(report["val_tokens"].toInt() > total * 4);
        QVERIFY(std::isfinite(report["val_loss"].toDouble()) && report["val_loss"].toDouble() > 1.0);

        const QList<QJsonObject> lines = jsonLines(records);
        QCOMPARE(lines.size(), total + 1);
        int correct = 0;
        for (const QJsonObject& line : lines) {
            for (const char* key : {"id", "type", "question", "reference", "answer", "correct", "expected", "found"}) {
                QVERIFY2(line.contains(key), key);
            }
            QVERIFY(!line["question"].toString().contains("<image>"));
            correct += line["correct"].toBool() ? 1 : 0;
        }
        QCOMPARE(report["overall"].toObject()["correct"].toInt(), correct);
        QCOMPARE(lines.first()["question"].toString(), QStringLiteral("How many shapes are in the image?"));
        QCOMPARE(lines.last()["type"].toString(), QStringLiteral("other"));
    }

    void tableAndLimit()
    {
        const CliResult result = runVora({"eval", "--model", m_model, "--data", kData + "/finetune-test.jsonl", "--image-root",
                                          kData, "--limit", "3", "--max-new-tokens", "2"});
        QVERIFY2(result.exitCode == 0, result.err.constData());
        QVERIFY(result.out.contains("type"));
        QVERIFY(result.out.contains("accuracy"));
        bool found = false;
        for (const QByteArray& line : result.out.split('\n')) {
            if (line.startsWith("overall")) {
                QCOMPARE(line.simplified().split(' ').at(2), QByteArray("3"));
                found = true;
            }
        }
        QVERIFY(found);
        QVERIFY(!result.out.contains("validation loss"));
    }

    void dataCheckAcceptsPpmFrames()
    {
        const CliResult result
            = runVora({"data", "check", "--data", kData + "/finetune-test.jsonl", "--image-root", kData, "--json"});
        QVERIFY2(result.exitCode == 0, result.out.constData());
        const QJsonObject report = QJsonDocument::fromJson(result.out).object();
        QCOMPARE(report["good"].toInt(), 43);
        QCOMPARE(report["image_samples"].toInt(), 43);
    }

    void badInputIsRefused()
    {
        QCOMPARE(runVora({"eval", "--model", m_model}).exitCode, 2);
        QCOMPARE(runVora({"eval", "--model", m_model, "--data", kData + "/finetune-test.jsonl", "--limit", "0"}).exitCode, 2);
        QFile bad(m_dir.filePath("bad.jsonl"));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("{not json\n");
        bad.close();
        const CliResult refused = runVora({"eval", "--model", m_model, "--data", m_dir.filePath("bad.jsonl")});
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(refused.err.contains("bad.jsonl:1: bad-json"), refused.err.constData());
        // A frame that is missing is named.
        QFile missing(m_dir.filePath("missing.jsonl"));
        QVERIFY(missing.open(QIODevice::WriteOnly));
        missing.write(R"({"id":"m","frames":["nowhere.ppm"],"conversations":)"
                      R"([{"from":"human","value":"<image>Hi"},{"from":"gpt","value":"Yo"}]})" "\n");
        missing.close();
        const CliResult noImage
            = runVora({"eval", "--model", m_model, "--data", m_dir.filePath("missing.jsonl"), "--image-root", kData});
        QCOMPARE(noImage.exitCode, 1);
        QVERIFY2(noImage.err.contains("nowhere.ppm"), noImage.err.constData());
    }

private:
    QTemporaryDir m_dir;
    QString m_model;
};

QTEST_GUILESS_MAIN(TestCliEval)
#include "test_cli_eval.moc"
