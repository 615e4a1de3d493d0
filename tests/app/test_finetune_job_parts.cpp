// The fine-tune job core's parts without a training child: options read from the real
// `vora train --options-json` and turned into a command line (checked by a POSIX shell and by the
// real CLI's parser), exit codes to job states, progress lines to chart series, and following a
// progress.jsonl that grows, is written half a line at a time, and is replaced.
#include "app/finetune/job_error.h"
#include "app/finetune/progress_follower.h"
#include "app/finetune/train_option_catalog.h"
#include "app/finetune/training_job.h"
#include "app/finetune/training_progress.h"
#include "app/finetune/vora_executable.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace vora::app;

namespace {

QJsonObject parse(const char* json)
{
    return QJsonDocument::fromJson(json).object();
}

void append(const QString& path, const QByteArray& bytes)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::Append));
    QCOMPARE(file.write(bytes), bytes.size());
}

QList<double> xs(const QList<QPointF>& points)
{
    QList<double> result;
    for (const QPointF& point : points) {
        result.push_back(point.x());
    }
    return result;
}

} // namespace

class TestFinetuneJobParts : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { m_catalog = TrainOptionCatalog::load(QStringLiteral(VORA_CLI_PATH)); }

    void catalogHoldsTheTrainersDeclaration()
    {
        QVERIFY2(m_catalog.options().size() >= 30, qPrintable(QString::number(m_catalog.options().size())));
        const TrainOptionInfo* rank = m_catalog.find(QStringLiteral("lora-rank"));
        QVERIFY(rank);
        QCOMPARE(rank->type, QStringLiteral("integer"));
        QCOMPARE(rank->group, QStringLiteral("lora"));
        QCOMPARE(rank->min, std::optional<double>(1));
        QVERIFY(m_catalog.find(QStringLiteral("out"))->required);
        QCOMPARE(m_catalog.find(QStringLiteral("data"))->type, QStringLiteral("path_list"));
        QCOMPARE(m_catalog.find(QStringLiteral("dtype"))->choices,
                 (QStringList{"auto", "float32", "bfloat16", "float16"}));
        QVERIFY(!m_catalog.find(QStringLiteral("resume"))->saved);
        QCOMPARE(m_catalog.find(QStringLiteral("device"))->defaultValue.toString(), QStringLiteral("cpu"));
    }

    // Values -> arguments in the declaration's order; a shell given the copyable line sees the same words.
    void argumentsAndTheCopyableLine()
    {
        const QJsonObject values = {{"out", "/tmp/run one"}, {"model", "/m"}, {"data", QJsonArray{"a.jsonl", "it's.jsonl"}},
                                    {"lora-rank", 8},         {"lr", 0.0005},  {"lora-targets", QJsonArray{"q_proj", "v_proj"}},
                                    {"gradient-checkpointing", true}, {"skip-bad-samples", false}, {"dtype", "bfloat16"}};
        const QStringList arguments = m_catalog.arguments(values);
        QCOMPARE(arguments, (QStringList{"train", "--model", "/m", "--data", "a.jsonl", "--data", "it's.jsonl",
                                         "--lora-rank", "8", "--lora-targets", "q_proj,v_proj", "--lr", "0.0005",
                                         "--dtype", "bfloat16", "--gradient-checkpointing", "--out", "/tmp/run one"}));
        const QString line = shellCommandLine(QStringLiteral("/usr/bin/printf"), QStringList{"%s\\n"} + arguments);
        QProcess shell;
        shell.start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), line});
        QVERIFY(shell.waitForFinished(10000));
        QCOMPARE(QString::fromUtf8(shell.readAllStandardOutput()), arguments.join(QLatin1Char('\n')) + QLatin1Char('\n'));
        QVERIFY2(line.contains(QStringLiteral("'/tmp/run one'")) && line.contains(QStringLiteral(" --lora-rank 8 ")), qPrintable(line));
    }

    // VORA_CLI first (a build tree, a test); a name there that is no executable is an error naming it.
    void theVoraCommandIsFound()
    {
        qputenv("VORA_CLI", VORA_CLI_PATH);
        QCOMPARE(findVoraExecutable(), QStringLiteral(VORA_CLI_PATH));
        qputenv("VORA_CLI", VORA_TEST_DATA_DIR "/training/base/config.json");
        QVERIFY_THROWS_EXCEPTION(JobError, findVoraExecutable());
        try {
            findVoraExecutable();
        } catch (const JobError& error) {
            QVERIFY2(QString::fromUtf8(error.what()).contains(QStringLiteral("base/config.json")), error.what());
        }
        qunsetenv("VORA_CLI");
    }

    void badValuesNameTheFlag_data()
    {
        QTest::addColumn<QJsonObject>("values");
        QTest::addColumn<QString>("expected");
        const QJsonObject base = {{"model", "/m"}, {"data", "d.jsonl"}, {"out", "/o"}};
        auto with = [&](const char* key, const QJsonValue& value) {
            QJsonObject values = base;
            values.insert(QLatin1String(key), value);
            return values;
        };
        QTest::newRow("unknown") << with("lora-rnak", 4) << "--lora-rnak: `vora train` has no such option";
        QTest::newRow("below min") << with("lora-rank", 0) << "--lora-rank: 0 is outside [1, 65536]";
        QTest::newRow("not whole") << with("lora-rank", 1.5) << "--lora-rank: expected a whole number";
        QTest::newRow("exclusive min") << with("lr", 0) << "--lr: 0 is outside (0";
        QTest::newRow("not a number") << with("lr", "fast") << "--lr: expected a number";
        QTest::newRow("choice") << with("dtype", "int4") << "--dtype: \"int4\" is not one of auto, float32, bfloat16, float16";
        QTest::newRow("switch") << with("gradient-checkpointing", "yes") << "--gradient-checkpointing: expected true or false";
        QJsonObject noOut = base;
        noOut.remove(QStringLiteral("out"));
        QTest::newRow("required") << noOut << "--out: required, but no value was given";
    }

    void badValuesNameTheFlag()
    {
        QFETCH(QJsonObject, values);
        QFETCH(QString, expected);
        try {
            m_catalog.arguments(values);
            QFAIL("expected a JobError");
        } catch (const JobError& error) {
            QVERIFY2(QString::fromUtf8(error.what()).startsWith(expected), error.what());
        }
    }

    void exitsMapToStates_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<int>("requested");
        QTest::addColumn<QString>("state");
        QTest::addColumn<bool>("showsLog");
        QTest::newRow("done") << int(QProcess::NormalExit) << 0 << int(StopRequest::None) << "done" << false;
        QTest::newRow("done though cancelled") << int(QProcess::NormalExit) << 0 << int(StopRequest::Cancel) << "done" << false;
        QTest::newRow("paused") << int(QProcess::NormalExit) << 143 << int(StopRequest::Pause) << "paused" << false;
        QTest::newRow("SIGINT from outside") << int(QProcess::NormalExit) << 130 << int(StopRequest::None) << "paused" << false;
        QTest::newRow("cancelled") << int(QProcess::NormalExit) << 143 << int(StopRequest::Cancel) << "cancelled" << false;
        QTest::newRow("runtime error") << int(QProcess::NormalExit) << 1 << int(StopRequest::None) << "failed" << true;
        QTest::newRow("usage error") << int(QProcess::NormalExit) << 2 << int(StopRequest::None) << "failed" << true;
        QTest::newRow("killed") << int(QProcess::CrashExit) << 9 << int(StopRequest::None) << "interrupted" << true;
        QTest::newRow("killed while pausing") << int(QProcess::CrashExit) << 9 << int(StopRequest::Pause) << "interrupted" << true;
        QTest::newRow("killed when cancelled") << int(QProcess::CrashExit) << 9 << int(StopRequest::Cancel) << "cancelled" << false;
    }

    void exitsMapToStates()
    {
        QFETCH(int, status);
        QFETCH(int, exitCode);
        QFETCH(int, requested);
        QFETCH(QString, state);
        QFETCH(bool, showsLog);
        const JobOutcome outcome = jobOutcome(QProcess::ExitStatus(status), exitCode, StopRequest(requested), QStringLiteral("vora train: io: x.bmp"));
        QCOMPARE(jobStateName(outcome.state), state);
        QCOMPARE(outcome.message.contains(QStringLiteral("x.bmp")), showsLog);
        QCOMPARE(outcome.exitCode.has_value(), status == QProcess::NormalExit);
        QCOMPARE(jobStateFromName(state), std::optional<JobState>(outcome.state));
    }

    // Step and validation lines feed their series; a resume drops the steps trained again.
    void progressLinesFeedTheSeries()
    {
        TrainingProgress progress;
        int changes = 0;
        connect(&progress, &TrainingProgress::changed, this, [&] { ++changes; });
        QList<QJsonObject> lines = {parse(R"({"event":"start","time":1.7e9,"step":0,"total_steps":4})")};
        for (int step = 1; step <= 3; ++step) {
            lines.push_back(QJsonObject{{"event", "step"}, {"step", step}, {"total_steps", 4}, {"loss", 10.0 - step},
                                        {"lm_loss", 9.0 - step}, {"aux_loss", 0.5}, {"lr", 0.001 * step}, {"grad_norm", 2.0},
                                        {"tokens_per_s", 100.0 + step}, {"memory_bytes", 1e6}, {"new_key", 7}});
        }
        lines.push_back(parse(R"({"event":"validation","step":2,"val_loss":6.5,"val_samples":4})"));
        lines.push_back(parse(R"({"event":"checkpoint","step":2,"path":"/r/checkpoints/step-00000002"})"));
        progress.addLines(lines);
        QCOMPARE(changes, 1);
        QCOMPARE(xs(progress.points(ProgressSeries::Loss)), (QList<double>{1, 2, 3}));
        QCOMPARE(progress.points(ProgressSeries::Lr).last().y(), 0.003);
        QCOMPARE(progress.points(ProgressSeries::TokensPerS).first().y(), 101.0);
        QCOMPARE(progress.points(ProgressSeries::ValLoss), (QList<QPointF>{QPointF(2, 6.5)}));
        QCOMPARE(progress.step(), 3);
        QCOMPARE(progress.totalSteps(), 4);
        QCOMPARE(progress.checkpoints(), QStringList{"/r/checkpoints/step-00000002"});
        // Killed after step 3, resumed from the step-2 checkpoint: step 3 is trained again.
        progress.addLines({parse(R"({"event":"resumed","step":2,"path":"/r/checkpoints/step-00000002"})"),
                           parse(R"({"event":"step","step":3,"loss":6.9,"lm_loss":6.9,"aux_loss":0,"lr":0.003,"grad_norm":1,"tokens_per_s":99,"memory_bytes":1e6})")});
        QCOMPARE(xs(progress.points(ProgressSeries::Loss)), (QList<double>{1, 2, 3}));
        QCOMPARE(progress.points(ProgressSeries::Loss).last().y(), 6.9);
        QCOMPARE(progress.points(ProgressSeries::ValLoss).size(), 1);
        for (int series = 0; series < kProgressSeriesCount; ++series) {
            QVERIFY(!progressSeriesKey(ProgressSeries(series)).isEmpty());
        }
    }

    void followerReadsWholeLinesAndStartsOverOnANewFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("progress.jsonl"));
        ProgressFollower follower(path);
        QList<QJsonObject> read;
        int resets = 0;
        connect(&follower, &ProgressFollower::linesRead, this, [&](const QList<QJsonObject>& lines) { read += lines; });
        connect(&follower, &ProgressFollower::reset, this, [&] { ++resets; });
        follower.poll(); // no file yet
        append(path, "{\"event\":\"start\",\"step\":0}\n{\"event\":\"step\",\"st");
        follower.poll();
        QCOMPARE(read.size(), 1);
        append(path, "ep\":1}\nnot json\n");
        follower.poll();
        QCOMPARE(read.size(), 2);
        QCOMPARE(read.last().value("step").toInt(), 1);
        QCOMPARE(follower.skippedLines(), 1);
        follower.poll();
        QCOMPARE(read.size(), 2); // nothing read twice
        // A new run in the folder: a new file, shorter than what was read.
        QVERIFY(QFile::remove(path));
        append(path, "{\"event\":\"start\",\"step\":0}\n");
        follower.poll();
        QCOMPARE(resets, 1);
        QCOMPARE(read.size(), 3);
    }

private:
    TrainOptionCatalog m_catalog;
};

QTEST_GUILESS_MAIN(TestFinetuneJobParts)
#include "test_finetune_job_parts.moc"
