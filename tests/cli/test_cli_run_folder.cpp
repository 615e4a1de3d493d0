// `vora train`'s run folder: an existing run is never overwritten silently, --resume needs a run to
// resume, a live run's folder is locked against a second trainer, and a damaged state.json is
// refused naming the file and the field (training/run_folder.h, training/checkpoint_state.h).
#include "cli_runner.h"
#include "train_cli_support.h"
#include "tests/training/training_fixtures.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

namespace {

QByteArray readAll(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

void writeAll(const QString& path, const QByteArray& bytes)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(bytes);
}

void copyTree(const QString& from, const QString& to)
{
    QDirIterator it(from, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const QString target = to + path.mid(from.size());
        QDir().mkpath(QFileInfo(target).absolutePath());
        QFile::copy(path, target);
    }
}

} // namespace

class TestCliRunFolder : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_root = m_dir.path();
        vora::testing::writeTrainingDataSet(m_root.toStdString());
        const CliResult trained = runVora(trainArgs(m_root, m_root + "/run", 2) << "--save-every" << "1");
        QVERIFY2(trained.exitCode == 0, trained.err.constData());
        QCOMPARE(readAll(m_root + "/run/latest"), QByteArray("checkpoints/step-00000002\n"));
    }

    // Training into a folder that holds a run, without --resume: refused before anything is
    // written; its latest, checkpoints and progress log keep their bytes.
    void existingRunIsRefusedWithoutResume()
    {
        const QByteArray latest = readAll(m_root + "/run/latest");
        const QByteArray progress = readAll(m_root + "/run/progress.jsonl");
        const QByteArray state = readAll(m_root + "/run/checkpoints/step-00000001/state.json");
        const CliResult again = runVora(trainArgs(m_root, m_root + "/run", 1));
        QCOMPARE(again.exitCode, 1);
        QVERIFY2(again.err.contains("already holds a training run: pass --resume"), again.err.constData());
        QCOMPARE(readAll(m_root + "/run/latest"), latest);
        QCOMPARE(readAll(m_root + "/run/progress.jsonl"), progress);
        QCOMPARE(readAll(m_root + "/run/checkpoints/step-00000001/state.json"), state);
    }

    void resumeWithoutARunIsRefused()
    {
        const CliResult resumed = runVora(trainArgs(m_root, m_root + "/nothing-here", 1) << "--resume");
        QCOMPARE(resumed.exitCode, 1);
        QVERIFY2(resumed.err.contains("holds no checkpoint to resume"), resumed.err.constData());
        QVERIFY(!QFileInfo::exists(m_root + "/nothing-here/latest"));
    }

    // --overwrite renames the old run aside whole, then trains from step 0 in a fresh folder.
    void overwriteKeepsTheOldRunAside()
    {
        copyTree(m_root + "/run", m_root + "/replaced");
        const CliResult over = runVora(trainArgs(m_root, m_root + "/replaced/", 1) << "--overwrite");
        QVERIFY2(over.exitCode == 0, over.err.constData());
        QCOMPARE(readAll(m_root + "/replaced/latest"), QByteArray("checkpoints/step-00000001\n"));
        QVERIFY(!QFileInfo::exists(m_root + "/replaced/checkpoints/step-00000002"));
        const QStringList aside = QDir(m_root).entryList({"replaced.replaced-*"}, QDir::Dirs);
        QCOMPARE(aside.size(), 1);
        QCOMPARE(readAll(m_root + "/" + aside.first() + "/latest"), QByteArray("checkpoints/step-00000002\n"));
    }

    // While a run is alive its folder is locked: a second trainer is refused naming the owner.
    void liveRunLocksItsFolder()
    {
        QProcess first;
        first.start(QStringLiteral(VORA_CLI_PATH), trainArgs(m_root, m_root + "/live", 400));
        QVERIFY(first.waitForStarted());
        bool stepping = false;
        for (int i = 0; i < 600 && !stepping && first.state() == QProcess::Running; ++i) {
            first.waitForReadyRead(100);
            stepping = first.readAllStandardOutput().contains("\"event\":\"step\"") || stepping;
        }
        QVERIFY2(stepping, first.readAllStandardError().constData());
        const qint64 firstPid = first.processId();
        const CliResult second = runVora(trainArgs(m_root, m_root + "/live", 1));
        first.kill();
        first.waitForFinished();
        QCOMPARE(second.exitCode, 1);
        QVERIFY2(second.err.contains("another vora train (pid " + QByteArray::number(firstPid) + ")"),
                 second.err.constData());
        // The OS drops the lock with the killed process: the folder is usable again at once.
        const CliResult after = runVora(trainArgs(m_root, m_root + "/live", 1));
        QVERIFY2(after.exitCode == 0, after.err.constData());
    }

    void damagedStateIsRefused_data()
    {
        QTest::addColumn<QByteArray>("field");
        QTest::addColumn<QByteArray>("value");
        QTest::newRow("negative position") << QByteArray("position") << QByteArray("-5");
        QTest::newRow("position past the data") << QByteArray("position") << QByteArray("99");
        QTest::newRow("text step") << QByteArray("step") << QByteArray("\"3\"");
        QTest::newRow("huge step") << QByteArray("step") << QByteArray("18446744073709551615");
        QTest::newRow("fraction epoch") << QByteArray("epoch") << QByteArray("0.5");
        QTest::newRow("negative optimizer steps") << QByteArray("optimizer_steps") << QByteArray("-1");
    }

    // A field out of its range (position -5 crashed the resume with SIGSEGV) is refused with the
    // file and the field named.
    void damagedStateIsRefused()
    {
        QFETCH(QByteArray, field);
        QFETCH(QByteArray, value);
        const QString out = m_root + "/damaged-" + QString::fromLatin1(QTest::currentDataTag()).replace(' ', '-');
        copyTree(m_root + "/run", out);
        const QString statePath = out + "/" + QString::fromUtf8(readAll(out + "/latest")).trimmed() + "/state.json";
        QByteArray state = readAll(statePath);
        const QRegularExpression pattern("\"" + QString::fromLatin1(field) + "\":\\s*[0-9.\"-]+");
        QVERIFY(QString::fromUtf8(state).contains(pattern));
        state = QString::fromUtf8(state).replace(pattern, "\"" + QString::fromLatin1(field) + "\": " + QString::fromLatin1(value)).toUtf8();
        writeAll(statePath, state);
        const CliResult resumed = runVora(trainArgs(m_root, out, 3) << "--resume");
        QCOMPARE(resumed.exitCode, 1);
        QVERIFY2(resumed.err.contains(statePath.toUtf8() + ": \"" + field + "\""), resumed.err.constData());
    }

    void stateThatIsNotJsonIsRefused()
    {
        const QString out = m_root + "/not-json";
        copyTree(m_root + "/run", out);
        const QString statePath = out + "/" + QString::fromUtf8(readAll(out + "/latest")).trimmed() + "/state.json";
        writeAll(statePath, "{\"step\": 2,");
        const CliResult resumed = runVora(trainArgs(m_root, out, 3) << "--resume");
        QCOMPARE(resumed.exitCode, 1);
        QVERIFY2(resumed.err.contains(statePath.toUtf8() + ": not valid JSON"), resumed.err.constData());
    }

private:
    QTemporaryDir m_dir;
    QString m_root;
};

QTEST_GUILESS_MAIN(TestCliRunFolder)
#include "test_cli_run_folder.moc"
