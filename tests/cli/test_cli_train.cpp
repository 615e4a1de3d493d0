// `vora train` (crash safety, stop signals, resume), `vora data check`, `vora merge` and `vora estimate`
// end to end on the tiny Qwen2 base with its tiny ChatML tokenizer.
#include "cli_runner.h"
#include "train_cli_support.h"
#include "core/safetensors/safetensors_file.h"
#include "tests/training/training_fixtures.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <bit>
#include <chrono>
#include <csignal>
#include <functional>
#include <thread>

namespace {

// A `vora train` process whose progress lines are read while it runs.
class TrainProcess {
public:
    explicit TrainProcess(const QStringList& args) { m_process.start(QStringLiteral(VORA_CLI_PATH), args); }
    ~TrainProcess()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished();
        }
    }

    // The first line (from now on) that matches, or an empty object when the process ended first.
    QJsonObject waitForLine(const std::function<bool(const QJsonObject&)>& matches)
    {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        while (std::chrono::steady_clock::now() < deadline) {
            while (m_process.canReadLine()) {
                const QJsonDocument doc = QJsonDocument::fromJson(m_process.readLine());
                if (doc.isObject() && matches(doc.object())) {
                    return doc.object();
                }
            }
            if (m_process.state() == QProcess::NotRunning) {
                return {};
            }
            m_process.waitForReadyRead(50);
        }
        return {};
    }

    void signal(int number) { ::kill(static_cast<pid_t>(m_process.processId()), number); }

    // Exit code of a normal exit, -1 for a crash or signal; the remaining stdout is parsed.
    int finish(QList<QJsonObject>* rest)
    {
        m_process.waitForFinished(60000);
        if (rest) {
            *rest = jsonLines(m_process.readAllStandardOutput());
        }
        return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
    }

    QByteArray errors() { return m_process.readAllStandardError(); }

private:
    QProcess m_process;
};

bool opensWithTensors(const QString& path)
{
    try {
        return !vora::core::SafetensorsFile::open(path.toStdString())->tensors().empty();
    } catch (const std::exception&) {
        return false;
    }
}

// Every file of a checkpoint opens and its state.json names the folder's step.
void verifyCheckpoint(const QString& dir, int expectedStep)
{
    QVERIFY2(opensWithTensors(dir + "/trainable.safetensors"), qPrintable(dir));
    QVERIFY2(opensWithTensors(dir + "/optimizer.safetensors"), qPrintable(dir));
    QFile state(dir + "/state.json");
    QVERIFY2(state.open(QIODevice::ReadOnly), qPrintable(dir));
    const QJsonDocument doc = QJsonDocument::fromJson(state.readAll());
    QVERIFY2(doc.isObject(), qPrintable(dir));
    QCOMPARE(doc.object().value("step").toInt(-1), expectedStep);
}

// Checks OUT/latest and every finished (renamed) checkpoint folder; *latestStep: the step latest names.
void verifyRun(const QString& out, int* latestStep)
{
    *latestStep = -1;
    QFile latest(out + "/latest");
    QVERIFY2(latest.open(QIODevice::ReadOnly), qPrintable(out));
    const QString named = QString::fromUtf8(latest.readAll()).trimmed();
    const QRegularExpressionMatch match = QRegularExpression("^checkpoints/step-(\\d{8})$").match(named);
    QVERIFY2(match.hasMatch(), qPrintable("latest names " + named));
    verifyCheckpoint(out + "/" + named, match.captured(1).toInt());
    const QStringList folders = QDir(out + "/checkpoints").entryList(QDir::Dirs | QDir::NoDotAndDotDot | QDir::Hidden);
    for (const QString& folder : folders) {
        if (!folder.startsWith(".") && !QTest::currentTestFailed()) {
            verifyCheckpoint(out + "/checkpoints/" + folder, folder.mid(5).toInt());
        }
    }
    if (!QTest::currentTestFailed()) {
        *latestStep = match.captured(1).toInt();
    }
}

int latestStepOf(const QString& out)
{
    int latest = -1;
    verifyRun(out, &latest);
    return latest;
}

// Resumes a run to its end; checks it continues at fromStep + 1. *lastLoss: the final step's loss.
void resumeToEnd(const QString& root, const QString& out, int steps, int fromStep, double* lastLoss)
{
    const CliResult resumed = runVora(trainArgs(root, out, steps) << "--resume");
    QVERIFY2(resumed.exitCode == 0, resumed.err.constData());
    const QList<QJsonObject> lines = jsonLines(resumed.out);
    QCOMPARE(step(findEvent(lines, "resumed")), fromStep);
    QCOMPARE(step(findEvent(lines, "done")), steps);
    int expected = fromStep + 1;
    for (const QJsonObject& line : lines) {
        if (isStepLine(line)) {
            QCOMPARE(step(line), expected++);
            *lastLoss = line.value("loss").toDouble();
        }
    }
    QCOMPARE(expected, steps + 1);
}

} // namespace

class TestCliTrain : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_root = m_dir.path();
        vora::testing::writeTrainingDataSet(m_root.toStdString());
        const CliResult reference = runVora(trainArgs(m_root, m_root + "/reference", kSteps));
        QVERIFY2(reference.exitCode == 0, reference.err.constData());
        // stdout is no terminal here: JSON lines, the same as progress.jsonl, each with an event and a time.
        QFile progress(m_root + "/reference/progress.jsonl");
        QVERIFY(progress.open(QIODevice::ReadOnly));
        QCOMPARE(progress.readAll(), reference.out);
        const QStringList events = {"start", "step", "checkpoint", "done"};
        for (const QJsonObject& line : jsonLines(reference.out)) {
            QVERIFY2(events.contains(eventName(line)), qPrintable(eventName(line)));
            QVERIFY(line.value("time").toDouble() > 1.6e9);
        }
        for (const QJsonObject& line : jsonLines(reference.out)) {
            if (isStepLine(line)) {
                m_referenceLosses.push_back(line.value("loss").toDouble());
            }
        }
        QCOMPARE(m_referenceLosses.size(), kSteps);
        QCOMPARE(latestStepOf(m_root + "/reference"), kSteps);
    }

    // SIGKILL at the moment a checkpoint is announced, then at random delays after a step line
    // (with --save-every 1 the checkpoint write starts right after it): `latest` always names a
    // complete checkpoint, and --resume from it ends where an uninterrupted run ends.
    void killDuringCheckpointKeepsPreviousOne()
    {
        QRandomGenerator random(20240611);
        int killedMidSave = 0;
        for (int attempt = 0; attempt < 5; ++attempt) {
            const QString out = m_root + "/killed-" + QString::number(attempt);
            TrainProcess train(trainArgs(m_root, out, kSteps) << "--save-every" << "1");
            const int killStep = 2 + attempt % 2;
            const bool onCheckpointLine = attempt == 0;
            const QJsonObject seen = train.waitForLine([&](const QJsonObject& line) {
                return step(line) >= killStep && (onCheckpointLine ? eventName(line) == "checkpoint" : isStepLine(line));
            });
            QVERIFY2(!seen.isEmpty(), train.errors().constData());
            if (!onCheckpointLine) {
                std::this_thread::sleep_for(std::chrono::microseconds(random.bounded(8000)));
            }
            train.signal(SIGKILL);
            QCOMPARE(train.finish(nullptr), -1);
            killedMidSave += !QDir(out + "/checkpoints").entryList({".step-*.partial-*"}, QDir::Dirs | QDir::Hidden).isEmpty();

            const int latestStep = latestStepOf(out);
            if (QTest::currentTestFailed()) {
                return;
            }
            QVERIFY2(latestStep >= killStep - 1 && latestStep <= kSteps, qPrintable(QString::number(latestStep)));
            double finalLoss = 0;
            resumeToEnd(m_root, out, kSteps, latestStep, &finalLoss);
            if (QTest::currentTestFailed()) {
                return;
            }
            // JSON carries 17 significant digits, so the bits survive: compare them, not fuzzily.
            QVERIFY2(std::bit_cast<uint64_t>(finalLoss) == std::bit_cast<uint64_t>(m_referenceLosses.back()),
                     qPrintable(QString("%1 vs %2").arg(finalLoss, 0, 'g', 17).arg(m_referenceLosses.back(), 0, 'g', 17)));
            QCOMPARE(latestStepOf(out), kSteps);
        }
        qInfo("%d of 5 kills left a partly written checkpoint folder behind", killedMidSave);
    }

    // Resuming a finished run trains nothing and does not rewrite the checkpoint `latest` names.
    void resumingAFinishedRunKeepsItsCheckpoint()
    {
        const CliResult again = runVora(trainArgs(m_root, m_root + "/reference", kSteps) << "--resume");
        QVERIFY2(again.exitCode == 0, again.err.constData());
        const QList<QJsonObject> lines = jsonLines(again.out);
        QCOMPARE(step(findEvent(lines, "resumed")), kSteps);
        QVERIFY(findEvent(lines, "checkpoint").isEmpty());
        const QJsonObject done = findEvent(lines, "done");
        QCOMPARE(step(done), kSteps);
        QVERIFY(done.value("checkpoint").toString().endsWith(QString("step-%1").arg(kSteps, 8, 10, QChar('0'))));
    }

    void stopSignalSavesAndExits_data()
    {
        QTest::addColumn<int>("signal");
        QTest::newRow("SIGINT") << int(SIGINT);
        QTest::newRow("SIGTERM") << int(SIGTERM);
    }

    void stopSignalSavesAndExits()
    {
        QFETCH(int, signal);
        const int steps = 40;
        const QString out = m_root + "/stopped-" + QString::number(signal);
        TrainProcess train(trainArgs(m_root, out, steps));
        QVERIFY(!train.waitForLine([](const QJsonObject& line) { return isStepLine(line) && step(line) >= 2; }).isEmpty());
        train.signal(signal);
        QList<QJsonObject> rest;
        QCOMPARE(train.finish(&rest), 128 + signal); // the exit code of a stop by that signal, checkpoint saved
        QVERIFY(!rest.isEmpty());
        const QJsonObject stopped = rest.last();
        QCOMPARE(eventName(stopped), QString("stopped"));
        QCOMPARE(stopped.value("reason").toString(), QString("signal"));
        QVERIFY2(train.errors().contains(signal == SIGINT ? "stopped by SIGINT" : "stopped by SIGTERM"), "stop reason in words");
        const int stoppedAt = step(stopped);
        QVERIFY2(stoppedAt >= 2 && stoppedAt < steps, qPrintable(QString::number(stoppedAt)));
        QCOMPARE(step(findEvent(rest, "checkpoint")), stoppedAt);
        QCOMPARE(latestStepOf(out), stoppedAt);
        double lastLoss = 0;
        resumeToEnd(m_root, out, steps, stoppedAt, &lastLoss);
    }

    void dataCheckReportsEachBadLine()
    {
        const std::string root = m_root.toStdString();
        vora::testing::writeTextFile(root + "/corrupt.bmp", "BM not really a bitmap");
        const std::string good = R"({"id":"g","frames":["red.bmp"],"conversations":[{"from":"human","value":"<image>Colour?"},{"from":"gpt","value":"red"}]})";
        const std::string text = R"({"id":"t","conversations":[{"from":"human","value":"Say hi"},{"from":"gpt","value":"hi there"}]})";
        vora::testing::writeTextFile(root + "/clean.jsonl", good + "\n" + text + "\n");
        vora::testing::writeTextFile(
            root + "/bad.jsonl",
            good + "\n" + "{\"id\": broken\n"
                + R"({"id":"m","frames":["missing.bmp"],"conversations":[{"from":"human","value":"<image>Hi"},{"from":"gpt","value":"Yo"}]})" + "\n"
                + R"({"id":"c","frames":["corrupt.bmp"],"conversations":[{"from":"human","value":"<image>Hi"},{"from":"gpt","value":"Yo"}]})" + "\n"
                + R"({"id":"p","frames":["red.bmp"],"conversations":[{"from":"human","value":"<image><image>Hi"},{"from":"gpt","value":"Yo"}]})" + "\n"
                + R"({"id":"e","conversations":[{"from":"human","value":"Hi"},{"from":"gpt","value":" "}]})" + "\n"
                + R"({"id":"l","conversations":[{"from":"human","value":")" + std::string(400, 'x') + R"("},{"from":"gpt","value":"Yo"}]})" + "\n"
                + text + "\n");
        const QStringList check = {"data", "check", "--image-root", m_root, "--model", kBase, "--max-text-len", "128", "--json"};

        const CliResult bad = runVora(QStringList(check) << "--data" << m_root + "/bad.jsonl");
        QCOMPARE(bad.exitCode, 1);
        const QJsonObject report = QJsonDocument::fromJson(bad.out).object();
        QCOMPARE(report.value("lines").toInt(), 8);
        QCOMPARE(report.value("good").toInt(), 3); // the over-length line is truncated, not refused
        QCOMPARE(report.value("problems").toArray().size(), 6);
        QMap<int, QString> kinds;
        for (const QJsonValue& problem : report.value("problems").toArray()) {
            kinds.insert(problem.toObject().value("line").toInt(), problem.toObject().value("kind").toString());
        }
        const QMap<int, QString> expected = {{2, "bad-json"}, {3, "missing-image"}, {4, "corrupt-image"},
                                             {5, "placeholder-mismatch"}, {6, "empty-answer"}, {7, "over-length"}};
        QCOMPARE(kinds, expected);

        const CliResult clean = runVora(QStringList(check) << "--data" << m_root + "/clean.jsonl");
        QCOMPARE(clean.exitCode, 0);
        QVERIFY(QJsonDocument::fromJson(clean.out).object().value("problems").toArray().isEmpty());

        QStringList train = trainArgs(m_root, m_root + "/refused", 1);
        train[train.indexOf("--data") + 1] = m_root + "/bad.jsonl";
        const CliResult refused = runVora(train);
        QVERIFY(refused.exitCode != 0);
        for (const int line : {2, 3, 4, 5, 6}) {
            QVERIFY2(refused.err.contains(QString("bad.jsonl:%1: %2").arg(line).arg(expected[line]).toUtf8()), refused.err.constData());
        }
        QVERIFY(!refused.err.contains("bad.jsonl:7:"));
        QVERIFY(!QFile::exists(m_root + "/refused/latest"));

        train[train.indexOf("--out") + 1] = m_root + "/skipped";
        const CliResult skipped = runVora(QStringList(train) << "--skip-bad-samples");
        QVERIFY2(skipped.exitCode == 0, skipped.err.constData());
        QCOMPARE(findEvent(jsonLines(skipped.out), "start").value("samples").toInt(), 3);
        QCOMPARE(latestStepOf(m_root + "/skipped"), 1);
    }

    void mergedRunLoadsAndGenerates()
    {
        const QString merged = m_root + "/merged";
        const CliResult merge = runVora({"merge", "--model", kBase, "--checkpoint", m_root + "/reference", "--out", merged,
                                         "--dtype", "float32"});
        QVERIFY2(merge.exitCode == 0, merge.err.constData());
        QVERIFY2(merge.out.startsWith("merged 14 LoRA linear(s)"), merge.out.constData());

        QFile config(merged + "/config.json");
        QVERIFY(config.open(QIODevice::ReadOnly));
        QCOMPARE(QJsonDocument::fromJson(config.readAll()).object().value("lora").toObject().value("r").toInt(), -1);
        const QStringList shards = QDir(merged).entryList({"*.safetensors"}, QDir::Files);
        QVERIFY(!shards.isEmpty());
        for (const QString& shard : shards) {
            QVERIFY2(opensWithTensors(merged + "/" + shard), qPrintable(shard));
        }

        const CliResult run = runVora({"run", "--model", merged, "--image", m_root + "/red.bmp", "--raw-prompt",
                                       "<|im_start|>user\n<image>Colour?<|im_end|>\n<|im_start|>assistant\n",
                                       "--max-new-tokens", "2", "--temperature", "0", "--json"});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        const QJsonObject result = jsonLines(run.out).last();
        QCOMPARE(result.value("image_tokens").toInt(), 16); // (56 / 14)^2 from the trained embedding
        QVERIFY(result.value("prompt_tokens").toInt() > 16);
        const int generated = result.value("token_ids").toArray().size();
        QVERIFY(generated >= 1 && generated <= 2);
    }

    void estimatePrintsItsFields()
    {
        QStringList args = trainArgs(m_root, m_root + "/unused", 1);
        args[0] = "estimate";
        const CliResult estimate = runVora(args << "--json");
        QVERIFY2(estimate.exitCode == 0, estimate.err.constData());
        const QJsonObject e = QJsonDocument::fromJson(estimate.out).object();
        const QStringList parts = {"weights_bytes", "lora_bytes", "optimizer_bytes", "gradient_bytes", "activation_bytes",
                                   "logits_bytes", "teacher_bytes"};
        qint64 sum = 0;
        for (const QString& field : parts) {
            QVERIFY2(e.value(field).isDouble(), qPrintable(field));
            sum += e.value(field).toInteger();
        }
        QCOMPARE(e.value("total_bytes").toInteger(), sum);
        QVERIFY(e.value("activation_bytes_no_checkpointing").toInteger() > e.value("activation_bytes_checkpointing").toInteger());
        QCOMPARE(e.value("activation_bytes").toInteger(), e.value("activation_bytes_no_checkpointing").toInteger());
        QVERIFY(e.value("sequence_tokens").toInteger() > 16);
        QCOMPARE(e.value("teacher_bytes").toInteger(), 0);
        QVERIFY(e.value("base_parameters").toInteger() > 0);
        // The trainable count is the one the trainer reports for the same options.
        const CliResult train = runVora(trainArgs(m_root, m_root + "/estimated", 1));
        QVERIFY2(train.exitCode == 0, train.err.constData());
        QCOMPARE(e.value("trainable_parameters").toInteger(),
                 findEvent(jsonLines(train.out), "start").value("trainable_parameters").toInteger());
    }

private:
    static constexpr int kSteps = 5;
    QTemporaryDir m_dir;
    QString m_root;
    QList<double> m_referenceLosses;
};

QTEST_GUILESS_MAIN(TestCliTrain)
#include "test_cli_train.moc"
