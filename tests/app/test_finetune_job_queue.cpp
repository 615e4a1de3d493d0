// The fine-tune job queue end to end, with real `vora train` / `vora merge` children on the tiny
// Qwen2 base on the CPU: progress reaches the chart series (compared with progress.jsonl read here),
// pause (SIGTERM) and resume, a SIGKILLed job shows as interrupted and resumes, the queue survives
// the controller's restart (re-attaching to a training that outlived it), a deleted run folder shows
// as missing, a merge job writes a model folder, and the jobs list model follows the queue.
#include "app/finetune/job_list_model.h"
#include "app/finetune/run_folder_probe.h"
#include "app/finetune/train_option_catalog.h"
#include "app/finetune/training_job_queue.h"
#include "app/finetune/training_progress.h"
#include "app/storage/conversation_store.h"
#include "tests/training/training_fixtures.h"

#include <QAbstractItemModelTester>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <memory>

using namespace vora::app;

namespace {

const QString kBase = QStringLiteral(VORA_TEST_DATA_DIR "/training/base");
constexpr int kWaitMs = 180000;

QList<QJsonObject> progressLines(const QString& runDir)
{
    QFile file(QDir(runDir).filePath(QStringLiteral("progress.jsonl")));
    QList<QJsonObject> lines;
    if (file.open(QIODevice::ReadOnly)) {
        for (const QByteArray& line : file.readAll().split('\n')) {
            if (QJsonDocument::fromJson(line).isObject()) {
                lines.push_back(QJsonDocument::fromJson(line).object());
            }
        }
    }
    return lines;
}

QList<double> xs(const QList<QPointF>& points)
{
    QList<double> result;
    for (const QPointF& point : points) {
        result.push_back(point.x());
    }
    return result;
}

QList<double> oneTo(int steps)
{
    QList<double> result;
    for (int step = 1; step <= steps; ++step) {
        result.push_back(step);
    }
    return result;
}

} // namespace

class TestFinetuneJobQueue : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_root = m_dir.path();
        vora::testing::writeTrainingDataSet(m_root.toStdString());
        m_catalog = TrainOptionCatalog::load(QStringLiteral(VORA_CLI_PATH));
        openQueue();
    }

    // The arguments come from the catalog (the trainer's own declaration); the series hold every
    // value of every step and validation line, as progress.jsonl has them.
    void progressReachesTheSeries()
    {
        const QString out = m_root + QStringLiteral("/run");
        const qint64 id = m_queue->enqueueTraining(QStringLiteral("colours"), trainArguments(out, 4, {{"val-every", 2}}));
        QVERIFY(m_queue->commandLine(id).startsWith(QStringLiteral(VORA_CLI_PATH " train --model ")));
        TrainingProgress* progress = m_queue->progress(id);
        int changes = 0;
        connect(progress, &TrainingProgress::changed, this, [&] { ++changes; });
        QVERIFY(waitForState(id, JobState::Done));
        QCOMPARE(m_queue->job(id).exitCode, std::optional<int>(0));

        const QList<QJsonObject> lines = progressLines(out);
        QList<QPointF> loss, lr, memory, valLoss;
        for (const QJsonObject& line : lines) {
            const QString event = line.value(QStringLiteral("event")).toString();
            const double step = line.value(QStringLiteral("step")).toDouble();
            if (event == QLatin1String("step")) {
                loss.push_back({step, line.value(QStringLiteral("loss")).toDouble()});
                lr.push_back({step, line.value(QStringLiteral("lr")).toDouble()});
                memory.push_back({step, line.value(QStringLiteral("memory_bytes")).toDouble()});
            } else if (event == QLatin1String("validation")) {
                valLoss.push_back({step, line.value(QStringLiteral("val_loss")).toDouble()});
            }
        }
        QCOMPARE(loss.size(), 4);
        QCOMPARE(valLoss.size(), 2); // steps 2 and 4
        QCOMPARE(progress->points(ProgressSeries::Loss), loss);
        QCOMPARE(progress->points(ProgressSeries::Lr), lr);
        QCOMPARE(progress->points(ProgressSeries::MemoryBytes), memory);
        QCOMPARE(progress->points(ProgressSeries::ValLoss), valLoss);
        for (const ProgressSeries series : {ProgressSeries::LmLoss, ProgressSeries::AuxLoss, ProgressSeries::GradNorm, ProgressSeries::TokensPerS}) {
            QCOMPARE(xs(progress->points(series)), oneTo(4));
        }
        QCOMPARE(progress->step(), 4);
        QCOMPARE(progress->totalSteps(), 4);
        QCOMPARE(progress->lastEvent(), QStringLiteral("done"));
        QCOMPARE(progress->lineCount(), lines.size());
        QVERIFY(changes >= 1);
        m_finishedRun = out;
    }

    // Pause = SIGTERM: the trainer saves and exits 143; resume continues at the next step.
    void pauseThenResumeToTheEnd()
    {
        const QString out = m_root + QStringLiteral("/paused");
        const qint64 id = m_queue->enqueueTraining(QStringLiteral("pause me"), trainArguments(out, 200));
        TrainingProgress* progress = m_queue->progress(id);
        QVERIFY(QTest::qWaitFor([&] { return progress->step() >= 2; }, kWaitMs));
        m_queue->pause(id);
        QVERIFY(waitForState(id, JobState::Paused));
        QCOMPARE(m_queue->job(id).exitCode, std::optional<int>(143));
        QCOMPARE(progress->lastEvent(), QStringLiteral("stopped"));
        const int pausedAt = progress->step();
        QVERIFY2(pausedAt >= 2 && pausedAt < 200, qPrintable(QString::number(pausedAt)));
        QVERIFY(m_queue->commandLine(id).endsWith(QStringLiteral(" --resume")));
        m_queue->resume(id);
        QVERIFY(waitForState(id, JobState::Done));
        QCOMPARE(xs(progress->points(ProgressSeries::Loss)), oneTo(200));
        QCOMPARE(progressLines(out).size(), progress->lineCount());
    }

    // SIGKILL (no checkpoint of the last steps): interrupted, with the log's end; resume trains the
    // lost steps again and the series show each step once.
    void killedJobIsInterruptedAndResumes()
    {
        const QString out = m_root + QStringLiteral("/killed");
        const qint64 id = m_queue->enqueueTraining(QStringLiteral("kill me"), trainArguments(out, 200, {{"save-every", 4}}));
        TrainingProgress* progress = m_queue->progress(id);
        QVERIFY(QTest::qWaitFor([&] { return progress->step() >= 5; }, kWaitMs));
        QVERIFY(runFolderIsLive(out));
        QCOMPARE(::kill(static_cast<pid_t>(runFolderOwnerPid(out)), SIGKILL), 0);
        QVERIFY(waitForState(id, JobState::Interrupted));
        QVERIFY(!m_queue->job(id).exitCode.has_value());
        QVERIFY2(m_queue->job(id).message.contains(QStringLiteral("killed")), qPrintable(m_queue->job(id).message));
        const int killedAt = progress->step();
        const QString lastCheckpoint = progress->checkpoints().value(progress->checkpoints().size() - 1);
        const int announced = lastCheckpoint.section(QStringLiteral("step-"), -1).toInt();
        QVERIFY2(announced >= 4 && announced <= killedAt, qPrintable(lastCheckpoint));
        m_queue->resume(id);
        QVERIFY(waitForState(id, JobState::Done));
        QCOMPARE(xs(progress->points(ProgressSeries::Loss)), oneTo(200)); // each step once, though some ran twice
        int resumedFrom = -1;
        for (const QJsonObject& line : progressLines(out)) {
            if (line.value(QStringLiteral("event")).toString() == QLatin1String("resumed")) {
                resumedFrom = line.value(QStringLiteral("step")).toInt();
            }
        }
        // From the last checkpoint: the one announced, or one written just before the kill cut its line off.
        QVERIFY2(resumedFrom % 4 == 0 && resumedFrom >= announced && resumedFrom <= killedAt, qPrintable(QString::number(resumedFrom)));
        qInfo("killed at step %d, resumed from %d", killedAt, resumedFrom);
    }

    // One running job per device; the queue and a running training outlive the controller; a
    // training that died while no controller watched shows as interrupted; a deleted folder as missing.
    void queueSurvivesARestart()
    {
        const QString first = m_root + QStringLiteral("/long");
        const QString second = m_root + QStringLiteral("/next");
        const qint64 longId = m_queue->enqueueTraining(QStringLiteral("long"), trainArguments(first, 5000));
        const qint64 nextId = m_queue->enqueueTraining(QStringLiteral("next"), trainArguments(second, 2));
        QVERIFY(QTest::qWaitFor([&] { return m_queue->progress(longId)->step() >= 1; }, kWaitMs));
        QCOMPARE(m_queue->job(nextId).state, JobState::Queued); // the CPU is taken
        m_queue.reset();
        QVERIFY2(runFolderIsLive(first), "closing the controller left the training running");

        openQueue();
        QCOMPARE(m_queue->job(longId).state, JobState::Running); // re-attached
        QCOMPARE(m_queue->job(nextId).state, JobState::Queued);
        TrainingProgress* progress = m_queue->progress(longId);
        const int seen = progress->step();
        QVERIFY(seen >= 1);
        QVERIFY(QTest::qWaitFor([&] { return progress->step() > seen; }, kWaitMs));
        m_queue->pause(longId); // through the pid in the run folder's lock
        QVERIFY(waitForState(longId, JobState::Paused));
        QVERIFY(waitForState(nextId, JobState::Done)); // the device came free

        // Resumed, then the controller closes and the training is killed while none watches.
        m_queue->resume(longId);
        QVERIFY(QTest::qWaitFor([&] { return runFolderIsLive(first); }, kWaitMs));
        const qint64 pid = runFolderOwnerPid(first);
        m_queue.reset();
        QCOMPARE(::kill(static_cast<pid_t>(pid), SIGKILL), 0);
        QVERIFY(QTest::qWaitFor([&] { return !runFolderIsLive(first); }, kWaitMs));
        QVERIFY(QDir(second).removeRecursively()); // behind the queue's back

        openQueue();
        QCOMPARE(m_queue->job(longId).state, JobState::Interrupted);
        QCOMPARE(m_queue->job(nextId).state, JobState::Missing);
        m_queue->resume(longId);
        QCOMPARE(m_queue->job(longId).state, JobState::Running);
        QVERIFY(QTest::qWaitFor([&] { return runFolderIsLive(first); }, kWaitMs)); // its stop handler is in place
        m_queue->cancel(longId);
        QVERIFY(waitForState(longId, JobState::Cancelled));
        QCOMPARE(m_queue->job(longId).exitCode, std::optional<int>(143));
    }

    void mergeJobWritesAModelFolder()
    {
        QVERIFY(!m_finishedRun.isEmpty());
        const QString merged = m_root + QStringLiteral("/merged");
        const qint64 id = m_queue->enqueueMerge(QStringLiteral("merge colours"), kBase, m_finishedRun, merged);
        QVERIFY(waitForState(id, JobState::Done));
        QVERIFY(QFile::exists(merged + QStringLiteral("/config.json")));
        QVERIFY(!QDir(merged).entryList({QStringLiteral("*.safetensors")}, QDir::Files).isEmpty());
        m_queue.reset();
        openQueue(); // a finished merge stays done; its folder deleted, it shows as missing
        QCOMPARE(m_queue->job(id).state, JobState::Done);
        QVERIFY(QDir(merged).removeRecursively());
        m_queue.reset();
        openQueue();
        QCOMPARE(m_queue->job(id).state, JobState::Missing);
    }

    // The jobs page's list: rows appear with new jobs and follow their state and steps.
    void jobListFollowsTheQueue()
    {
        int before = 0;
        qint64 id = 0;
        {
            JobListModel model(m_queue.get());
            QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
            before = model.rowCount();
            QCOMPARE(before, static_cast<int>(m_queue->jobs().size()));
            id = m_queue->enqueueTraining(QStringLiteral("listed"), trainArguments(m_root + QStringLiteral("/listed"), 3));
            QCOMPARE(model.rowCount(), before + 1);
            const QModelIndex row = model.index(model.rowOf(id));
            QCOMPARE(row.row(), before);
            QCOMPARE(row.data().toString(), QStringLiteral("listed"));
            QVERIFY(QTest::qWaitFor([&] { return row.data(JobListModel::StateRole).toString() == QLatin1String("done"); }, kWaitMs));
            QCOMPARE(row.data(JobListModel::StepRole).toInt(), 3);
            QCOMPARE(row.data(JobListModel::TotalStepsRole).toInt(), 3);
            QCOMPARE(row.data(JobListModel::CanResumeRole).toBool(), false);
            QCOMPARE(row.data(JobListModel::CanCancelRole).toBool(), false);
            QVERIFY(row.data(JobListModel::CommandLineRole).toString().contains(QStringLiteral(" --max-steps 3 ")));
        }
        // A closed and reopened queue lists the same jobs, with the finished run's curves read back.
        openQueue();
        JobListModel reopened(m_queue.get());
        QCOMPARE(reopened.rowCount(), before + 1);
        QCOMPARE(reopened.index(reopened.rowOf(id)).data(JobListModel::StepRole).toInt(), 3);
        QCOMPARE(m_queue->progress(id)->points(ProgressSeries::Loss).size(), 3);
    }

    void cleanupTestCase() { m_queue.reset(); }

private:
    void openQueue()
    {
        m_queue.reset();
        m_store.reset();
        m_store = std::make_unique<ConversationStore>(m_root + QStringLiteral("/store"));
        m_queue = std::make_unique<TrainingJobQueue>(*m_store, QStringLiteral(VORA_CLI_PATH), m_root + QStringLiteral("/logs"));
    }

    QStringList trainArguments(const QString& out, int steps, const QJsonObject& extra = {}) const
    {
        QJsonObject values = {{"model", kBase},       {"data", QJsonArray{m_root + "/data.jsonl"}}, {"image-root", m_root},
                              {"out", out},           {"lora-rank", 4},  {"lora-layers", 2},         {"image-size", 56},
                              {"patch-size", 14},     {"vision-width", 32}, {"dtype", "float32"},    {"warmup-steps", 2},
                              {"lr", 5e-3},           {"max-text-len", 128}, {"batch-size", 2},      {"max-steps", steps},
                              {"val-data", QJsonArray{m_root + "/data.jsonl"}}};
        for (auto it = extra.begin(); it != extra.end(); ++it) {
            values.insert(it.key(), it.value());
        }
        return m_catalog.arguments(values);
    }

    bool waitForState(qint64 id, JobState state)
    {
        // Stops early at any other end (a job that should pause but died must not cost the whole timeout).
        (void)QTest::qWaitFor([&] { return m_queue->job(id).state != JobState::Queued && m_queue->job(id).state != JobState::Running; }, kWaitMs);
        const bool reached = m_queue->job(id).state == state;
        if (!reached) {
            qWarning("job %lld is %s, not %s: %s", id, qPrintable(jobStateName(m_queue->job(id).state)),
                     qPrintable(jobStateName(state)), qPrintable(m_queue->job(id).message));
        }
        return reached;
    }

    QTemporaryDir m_dir;
    QString m_root;
    QString m_finishedRun;
    TrainOptionCatalog m_catalog;
    std::unique_ptr<ConversationStore> m_store;
    std::unique_ptr<TrainingJobQueue> m_queue;
};

QTEST_GUILESS_MAIN(TestFinetuneJobQueue)
#include "test_finetune_job_queue.moc"
