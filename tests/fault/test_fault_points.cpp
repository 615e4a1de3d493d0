// Deterministic fault points (core/io/fault_injection.h): every durable write of the trainer, the
// merge, the GGUF import and the conversation store is stopped at each of its named
// steps, by a SIGKILL (a crash) or an injected error (a full disk), and what is on disk afterwards
// must be whole: nothing committed is lost, nothing half-written is taken as complete, and the next
// run carries on. One scenario per writer; together they must visit every declared point.
#include "app/storage/conversation_store.h"
#include "core/io/fault_injection.h"
#include "core/safetensors/checkpoint_files.h"
#include "core/safetensors/safetensors_file.h"
#include "fault_runner.h"
#include "tests/training/training_fixtures.h"

#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <sys/resource.h>

#include <cerrno>
#include <csignal>
#include <cstring>

namespace {

const QString kVora = QStringLiteral(VORA_CLI_PATH);
const QString kStoreWriter = QStringLiteral(VORA_STORE_WRITER);
const QString kGguf = QStringLiteral(VORA_TEST_DATA_DIR "/gguf/tiny_llama.gguf");
const QString kBase = QStringLiteral(VORA_TEST_DATA_DIR "/training/base");
constexpr int kStoreConversations = 12;
constexpr int kTrainSteps = 3;

QStringList hiddenEntries(const QString& dir)
{
    return QDir(dir).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden);
}

// The highest N of the "committed N" lines a store writer printed.
int committedCount(const QByteArray& out)
{
    int committed = 0;
    for (const QByteArray& line : out.split('\n')) {
        if (line.startsWith("committed ")) {
            committed = std::max(committed, line.mid(10).toInt());
        }
    }
    return committed;
}

// The store at database holds conversations 1..committed at least, each whole (two messages, its
// image file present); returns how many it holds.
int verifyStore(const QString& database, int committed)
{
    vora::app::ConversationStore store(database, QFileInfo(database).absolutePath() + QStringLiteral("/images"));
    QStringList titles;
    for (const auto& conversation : store.conversations()) {
        titles.append(conversation.title);
        const QList<vora::app::ChatMessage> messages = store.messages(conversation.id);
        if (messages.size() != 2) {
            qWarning("%s has %lld messages", qPrintable(conversation.title), static_cast<long long>(messages.size()));
            return -1;
        }
        for (const QString& path : messages.at(0).imagePaths) {
            if (!QFileInfo(path).isFile() || QFileInfo(path).size() == 0) {
                qWarning("%s's image %s is missing", qPrintable(conversation.title), qPrintable(path));
                return -1;
            }
        }
    }
    for (int n = 1; n <= committed; ++n) {
        if (!titles.contains(QStringLiteral("conversation %1").arg(n))) {
            qWarning("committed conversation %d was lost", n);
            return -1;
        }
    }
    return static_cast<int>(titles.size());
}

// The step `latest` names in run folder out after checking that checkpoint is complete (both
// tensor files open, state.json names the step); 0 without `latest`, -1 when it names something
// incomplete.
int completeLatestStep(const QString& out)
{
    QFile latest(out + QStringLiteral("/latest"));
    if (!latest.exists()) {
        return 0;
    }
    if (!latest.open(QIODevice::ReadOnly)) {
        return -1;
    }
    const QString named = QString::fromUtf8(latest.readAll()).trimmed();
    const QRegularExpressionMatch match = QRegularExpression(QStringLiteral("^checkpoints/step-(\\d{8})$")).match(named);
    if (!match.hasMatch()) {
        qWarning("latest names \"%s\"", qPrintable(named));
        return -1;
    }
    const QString dir = out + QLatin1Char('/') + named;
    try {
        for (const char* file : {"/trainable.safetensors", "/optimizer.safetensors"}) {
            if (vora::core::SafetensorsFile::open((dir + QLatin1String(file)).toStdString())->tensors().empty()) {
                return -1;
            }
        }
    } catch (const std::exception& error) {
        qWarning("%s", error.what());
        return -1;
    }
    QFile state(dir + QStringLiteral("/state.json"));
    const int step = match.captured(1).toInt();
    if (!state.open(QIODevice::ReadOnly) || QJsonDocument::fromJson(state.readAll()).object().value(QStringLiteral("step")).toInt() != step) {
        qWarning("%s: state.json does not name step %d", qPrintable(dir), step);
        return -1;
    }
    return step;
}

// Names in a run folder and its checkpoints/ that only an unfinished write leaves.
QStringList leftovers(const QString& out)
{
    QStringList found;
    for (const QString& name : hiddenEntries(out) + hiddenEntries(out + QStringLiteral("/checkpoints"))) {
        if ((name.startsWith(QLatin1Char('.')) && name != QLatin1String(".lock")) || name.contains(QStringLiteral(".partial"))) {
            found.append(name);
        }
    }
    return found;
}

} // namespace

class TestFaultPoints : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_import = pointsOf([&](const QString& log) {
            return runWithFault(kVora, importArgs(m_dir.filePath(QStringLiteral("clean-import"))), {}, log);
        });
        vora::testing::writeTrainingDataSet(m_dir.path().toStdString());
        m_run = m_dir.filePath(QStringLiteral("clean-run"));
        m_train = pointsOf([&](const QString& log) { return runWithFault(kVora, trainArgs(m_run), {}, log); });
        m_merge = pointsOf([&](const QString& log) {
            return runWithFault(kVora, mergeArgs(m_dir.filePath(QStringLiteral("clean-merge"))), {}, log);
        });
        m_store = pointsOf([&](const QString& log) {
            return runWithFault(kStoreWriter, {m_dir.filePath(QStringLiteral("clean-store/db.sqlite3")),
                                               QString::number(kStoreConversations)}, {}, log);
        });
    }

    // Every point declared in core/io/fault_injection.cpp is reached by some scenario here, and
    // each scenario reaches the steps its writer must have.
    void everyDeclaredPointIsVisited()
    {
        QSet<QString> visited;
        for (const QStringList* points : {&m_import, &m_train, &m_merge, &m_store}) {
            visited.unite(QSet<QString>(points->begin(), points->end()));
        }
        QSet<QString> declared;
        for (const std::string_view name : vora::core::declaredFaultPoints()) {
            declared.insert(QString::fromLatin1(name.data(), static_cast<qsizetype>(name.size())));
        }
        const QSet<QString> missed = declared - visited;
        const QSet<QString> undeclared = visited - declared;
        QVERIFY2(missed.isEmpty(), qPrintable(QStringList(missed.begin(), missed.end()).join(QLatin1Char(' '))));
        QVERIFY2(undeclared.isEmpty(), qPrintable(QStringList(undeclared.begin(), undeclared.end()).join(QLatin1Char(' '))));
        qInfo("%lld declared points, all visited", static_cast<long long>(declared.size()));
    }

    void importSurvivesAKillAtEachStep_data() { pointRows(m_import); }

    // Killed at any step, an import leaves no folder under the target's name (or, killed after the
    // final rename, a complete one), and the next import succeeds and clears the leftovers.
    void importSurvivesAKillAtEachStep()
    {
        QFETCH(QString, point);
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("model"));
        const FaultRun killed = runWithFault(kVora, importArgs(out), point);
        QVERIFY2(killed.killed, killed.err.constData());
        if (point == QLatin1String("gguf.complete")) {
            QVERIFY(vora::core::CheckpointFiles::open(out.toStdString()).names().size() > 0);
            return;
        }
        QVERIFY2(!QFileInfo::exists(out), qPrintable(hiddenEntries(dir.path()).join(QLatin1Char(' '))));
        const FaultRun again = runWithFault(kVora, importArgs(out), {});
        QVERIFY2(again.exitCode == 0, again.err.constData());
        QCOMPARE(hiddenEntries(dir.path()), QStringList{QStringLiteral("model")}); // the killed one's staging is gone
    }

    // A full disk at the first and at a later write: exit 1 naming the reason, nothing left behind.
    void importOnAFullDiskLeavesNothing()
    {
        for (const char* fault : {"file.write:1:ENOSPC", "file.write:4:ENOSPC", "file.fsync:2:ENOSPC"}) {
            QTemporaryDir dir;
            const FaultRun run = runWithFault(kVora, importArgs(dir.filePath(QStringLiteral("model"))), QLatin1String(fault));
            QCOMPARE(run.exitCode, 1);
            QVERIFY2(run.err.contains("No space left on device"), run.err.constData());
            QVERIFY2(hiddenEntries(dir.path()).isEmpty(), qPrintable(hiddenEntries(dir.path()).join(QLatin1Char(' '))));
        }
    }

    void trainSurvivesAKillAtEachStep_data() { pointRows(m_train); }

    // Killed at the second visit of any step (with a checkpoint after every step, the second
    // checkpoint's steps, or the first's second file): `latest` is absent or names a complete
    // checkpoint, and resuming finishes the run with every leftover gone.
    void trainSurvivesAKillAtEachStep()
    {
        QFETCH(QString, point);
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("run"));
        const FaultRun killed = runWithFault(kVora, trainArgs(out), point + QStringLiteral(":2"));
        QVERIFY2(killed.killed, killed.err.constData());
        const int saved = completeLatestStep(out);
        QVERIFY2(saved >= 0 && saved < kTrainSteps, qPrintable(QString::number(saved)));
        if (point.startsWith(QLatin1String("checkpoint."))) {
            QCOMPARE(saved, point == QLatin1String("checkpoint.latest_updated") ? 2 : 1);
        }
        const FaultRun resumed = runWithFault(kVora, saved > 0 ? trainArgs(out) << QStringLiteral("--resume") : trainArgs(out), {});
        QVERIFY2(resumed.exitCode == 0, resumed.err.constData());
        QCOMPARE(completeLatestStep(out), kTrainSteps);
        QVERIFY2(leftovers(out).isEmpty(), qPrintable(leftovers(out).join(QLatin1Char(' '))));
    }

    // A full disk while a checkpoint or a progress line is written: exit 1 naming the reason, and
    // `latest` still names a complete checkpoint (or none).
    void trainOnAFullDiskKeepsTheLastCheckpoint()
    {
        for (const char* fault : {"file.write:7:ENOSPC", "file.fsync:5:ENOSPC", "file.rename:4:EIO", "progress.line:6:ENOSPC"}) {
            QTemporaryDir dir;
            const QString out = dir.filePath(QStringLiteral("run"));
            const FaultRun run = runWithFault(kVora, trainArgs(out), QLatin1String(fault));
            QVERIFY2(run.exitCode == 1, fault);
            QVERIFY2(run.err.contains(QString::fromLocal8Bit(std::strerror(QByteArray(fault).endsWith("EIO") ? EIO : ENOSPC)).toUtf8()),
                     run.err.constData());
            const int saved = completeLatestStep(out);
            QVERIFY2(saved >= 0 && saved < kTrainSteps, fault);
        }
    }

    void mergeSurvivesAKillAtEachStep_data() { pointRows(m_merge); }

    // Killed at any step, a merge leaves nothing under --out's name (or, after the final rename, a
    // complete model folder), and the next merge succeeds and removes the killed one's staging.
    void mergeSurvivesAKillAtEachStep()
    {
        QFETCH(QString, point);
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("merged"));
        const FaultRun killed = runWithFault(kVora, mergeArgs(out), point);
        QVERIFY2(killed.killed, killed.err.constData());
        if (point == QLatin1String("merge.complete")) {
            QVERIFY(vora::core::CheckpointFiles::open(out.toStdString()).names().size() > 0);
            QVERIFY(QFileInfo::exists(out + QStringLiteral("/config.json")));
            return;
        }
        QVERIFY2(!QFileInfo::exists(out), qPrintable(hiddenEntries(dir.path()).join(QLatin1Char(' '))));
        const FaultRun again = runWithFault(kVora, mergeArgs(out), {});
        QVERIFY2(again.exitCode == 0, again.err.constData());
        QCOMPARE(hiddenEntries(dir.path()), QStringList{QStringLiteral("merged")});
    }

    // A full disk during a merge: exit 1 with the reason, no --out folder claiming success.
    void mergeOnAFullDiskLeavesNothing()
    {
        for (const char* fault : {"file.write:2:ENOSPC", "file.fsync:3:ENOSPC", "folder.rename:1:ENOSPC"}) {
            QTemporaryDir dir;
            const FaultRun run = runWithFault(kVora, mergeArgs(dir.filePath(QStringLiteral("merged"))), QLatin1String(fault));
            QVERIFY2(run.exitCode == 1, fault);
            QVERIFY2(run.err.contains("No space left on device"), run.err.constData());
            QVERIFY2(hiddenEntries(dir.path()).isEmpty(), qPrintable(hiddenEntries(dir.path()).join(QLatin1Char(' '))));
        }
    }

    void storeSurvivesAKillAtEachStep_data()
    {
        QTest::addColumn<QString>("fault");
        for (const QString& point : m_store) {
            // A later visit too: a kill in the middle of a run, with commits before it (images
            // are written for every fifth conversation only: their second one).
            const bool perImage = point.startsWith(QLatin1String("file.")) || point == QLatin1String("store.image_written");
            for (const int visit : {1, perImage ? 2 : 7}) {
                const QString fault = point + QLatin1Char(':') + QString::number(visit);
                QTest::newRow(qPrintable(fault)) << fault;
            }
        }
    }

    // Killed at any step of any transaction: every conversation the writer reported committed is
    // there, whole, and nothing half-written is; the store then takes new writes.
    void storeSurvivesAKillAtEachStep()
    {
        QFETCH(QString, fault);
        QTemporaryDir dir;
        const QString database = dir.filePath(QStringLiteral("db.sqlite3"));
        const FaultRun killed = runWithFault(kStoreWriter, {database, QString::number(kStoreConversations)}, fault);
        const int committed = committedCount(killed.out);
        QVERIFY2(killed.killed, killed.out.constData());
        QVERIFY(verifyStore(database, committed) >= committed);
        const FaultRun more = runWithFault(kStoreWriter, {database, QStringLiteral("2")}, {});
        QVERIFY2(more.exitCode == 0, more.out.constData());
        QVERIFY(verifyStore(database, 0) >= committed + 2);
    }

    // A transaction that cannot commit (injected ENOSPC, or a real file-size limit that makes
    // SQLite's writes fail) is reported and rolled back; what was committed before stays.
    void storeOnAFullDiskKeepsWhatWasCommitted()
    {
        QTemporaryDir dir;
        const QString database = dir.filePath(QStringLiteral("injected.sqlite3"));
        const FaultRun injected = runWithFault(kStoreWriter, {database, QString::number(kStoreConversations)},
                                               QStringLiteral("store.before_commit:5:ENOSPC"));
        QCOMPARE(injected.exitCode, 1);
        QVERIFY2(injected.out.contains("error: Database error: No space left on device"), injected.out.constData());
        QCOMPARE(verifyStore(database, committedCount(injected.out)), committedCount(injected.out));

        const QString limited = dir.filePath(QStringLiteral("limited.sqlite3"));
        const FaultRun full = runWithFault(kStoreWriter, {limited, QStringLiteral("400")}, {}, {}, [] {
            const rlimit limit{96 * 1024, 96 * 1024};
            ::setrlimit(RLIMIT_FSIZE, &limit);
            std::signal(SIGXFSZ, SIG_IGN); // writes past the limit fail with EFBIG instead of killing
        });
        QCOMPARE(full.exitCode, 1);
        QVERIFY2(full.out.contains("error: "), full.out.right(300).constData());
        const int committed = committedCount(full.out);
        QVERIFY(committed > 0 && committed < 400);
        QCOMPARE(verifyStore(limited, committed), committed);
        qInfo("a 96 KiB file-size limit stopped the writer after %d commits", committed);
    }

private:
    static QStringList importArgs(const QString& out)
    {
        return {QStringLiteral("import-gguf"), QStringLiteral("--gguf"), kGguf, QStringLiteral("--out"), out};
    }

    QStringList trainArgs(const QString& out) const
    {
        const QString root = m_dir.path();
        return {QStringLiteral("train"), QStringLiteral("--model"), kBase, QStringLiteral("--data"), root + QStringLiteral("/data.jsonl"),
                QStringLiteral("--image-root"), root, QStringLiteral("--out"), out, QStringLiteral("--lora-rank"), QStringLiteral("4"),
                QStringLiteral("--lora-layers"), QStringLiteral("2"), QStringLiteral("--image-size"), QStringLiteral("56"),
                QStringLiteral("--patch-size"), QStringLiteral("14"), QStringLiteral("--vision-width"), QStringLiteral("32"),
                QStringLiteral("--dtype"), QStringLiteral("float32"), QStringLiteral("--max-text-len"), QStringLiteral("128"),
                QStringLiteral("--batch-size"), QStringLiteral("2"), QStringLiteral("--save-every"), QStringLiteral("1"),
                QStringLiteral("--max-steps"), QString::number(kTrainSteps)};
    }

    QStringList mergeArgs(const QString& out) const
    {
        return {QStringLiteral("merge"), QStringLiteral("--model"), kBase, QStringLiteral("--checkpoint"), m_run,
                QStringLiteral("--out"), out, QStringLiteral("--dtype"), QStringLiteral("float32"), QStringLiteral("--no-probe")};
    }

    QStringList pointsOf(const std::function<FaultRun(const QString&)>& run)
    {
        const QString log = m_dir.filePath(QStringLiteral("log-%1").arg(++m_logs));
        const FaultRun clean = run(log);
        if (clean.killed || clean.exitCode != 0) {
            qWarning("a clean run failed: %s%s", clean.out.constData(), clean.err.constData());
            return {};
        }
        return visitedPoints(log);
    }

    static void pointRows(const QStringList& points)
    {
        QTest::addColumn<QString>("point");
        for (const QString& point : points) {
            QTest::newRow(qPrintable(point)) << point;
        }
    }

    QTemporaryDir m_dir;
    int m_logs = 0;
    QString m_run; // a finished run, the checkpoint the merge scenarios merge
    QStringList m_import;
    QStringList m_train;
    QStringList m_merge;
    QStringList m_store;
};

QTEST_GUILESS_MAIN(TestFaultPoints)
#include "test_fault_points.moc"
