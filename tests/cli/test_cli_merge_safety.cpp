// `vora merge` never writes into its inputs and never leaves a mixed folder: --out is compared with
// the base and the checkpoint by identity (not by spelling), an existing non-empty --out is refused
// (its stale files would survive), and a checkpoint trained on another base is refused.
#include "cli_runner.h"
#include "train_cli_support.h"
#include "tests/training/training_fixtures.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

namespace {

// Every file under dir (recursively) with the SHA-256 of its bytes, sorted by path.
QStringList fingerprint(const QString& dir)
{
    QStringList lines;
    QDir root(dir);
    const QStringList files = root.entryList(QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot | QDir::Hidden);
    for (const QString& name : files) {
        const QString path = root.filePath(name);
        if (QFileInfo(path).isDir()) {
            lines.append(name + QStringLiteral("/"));
            continue;
        }
        QFile file(path);
        file.open(QIODevice::ReadOnly);
        lines.append(name + QLatin1Char(' ') + QString::fromLatin1(QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256).toHex()));
    }
    return lines;
}

void copyFolder(const QString& from, const QString& to)
{
    QDir().mkpath(to);
    for (const QString& name : QDir(from).entryList(QDir::Files)) {
        QFile::copy(from + QLatin1Char('/') + name, to + QLatin1Char('/') + name);
    }
}

} // namespace

class TestCliMergeSafety : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(QDir::setCurrent(m_dir.path())); // for the relative spellings of --out
        vora::testing::writeTrainingDataSet(m_dir.path().toStdString());
        m_base = m_dir.filePath(QStringLiteral("base"));
        copyFolder(kBase, m_base);
        QStringList train = trainArgs(m_dir.path(), m_dir.filePath(QStringLiteral("run")), 1);
        train[train.indexOf(QStringLiteral("--model")) + 1] = m_base;
        const CliResult trained = runVora(train);
        QVERIFY2(trained.exitCode == 0, trained.err.constData());
        QVERIFY(QFile::link(m_base, m_dir.filePath(QStringLiteral("base-link"))));
    }

    void outIntoTheBaseIsRefused_data()
    {
        QTest::addColumn<QString>("out");
        QTest::newRow("trailing slash") << m_dir.filePath(QStringLiteral("base/"));
        QTest::newRow("dot") << m_dir.filePath(QStringLiteral("base/."));
        QTest::newRow("relative") << QStringLiteral("./base");
        QTest::newRow("dot-dot") << QStringLiteral("run/../base");
        QTest::newRow("symlink") << m_dir.filePath(QStringLiteral("base-link"));
        QTest::newRow("inside") << m_dir.filePath(QStringLiteral("base/merged"));
        QTest::newRow("inside through symlink") << m_dir.filePath(QStringLiteral("base-link/merged"));
    }

    // Every spelling of the base (or a folder inside it) is refused before anything is written:
    // the base's files keep their bytes and nothing is added to it.
    void outIntoTheBaseIsRefused()
    {
        QFETCH(QString, out);
        const QStringList before = fingerprint(m_base);
        const CliResult merge = runVora({"merge", "--model", m_base, "--checkpoint", m_dir.filePath(QStringLiteral("run")),
                                         "--out", out, "--no-probe"});
        QCOMPARE(merge.exitCode, 1);
        QVERIFY2(merge.err.contains("is the --model folder"), merge.err.constData());
        QCOMPARE(fingerprint(m_base), before);
    }

    void outIntoTheCheckpointIsRefused()
    {
        const QString run = m_dir.filePath(QStringLiteral("run"));
        const QStringList before = fingerprint(run);
        const CliResult merge = runVora({"merge", "--model", m_base, "--checkpoint", run, "--out", run + "/merged", "--no-probe"});
        QCOMPARE(merge.exitCode, 1);
        QVERIFY2(merge.err.contains("is the checkpoint folder"), merge.err.constData());
        QCOMPARE(fingerprint(run), before);
    }

    // A folder holding anything is refused with its stale file untouched; an empty one is used.
    void existingOutMustBeEmpty()
    {
        const QString out = m_dir.filePath(QStringLiteral("stale"));
        QDir().mkpath(out);
        QFile stale(out + QStringLiteral("/generation_config.json"));
        QVERIFY(stale.open(QIODevice::WriteOnly));
        stale.write("{\"temperature\": 9}");
        stale.close();
        const CliResult refused = runVora({"merge", "--model", m_base, "--checkpoint", m_dir.filePath(QStringLiteral("run")),
                                           "--out", out, "--no-probe"});
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(refused.err.contains("exists and is not an empty folder"), refused.err.constData());
        QCOMPARE(QDir(out).entryList(QDir::Files), QStringList{QStringLiteral("generation_config.json")});

        const QString empty = m_dir.filePath(QStringLiteral("empty"));
        QDir().mkpath(empty);
        const CliResult merged = runVora({"merge", "--model", m_base, "--checkpoint", m_dir.filePath(QStringLiteral("run")),
                                          "--out", empty, "--dtype", "float32"});
        QVERIFY2(merged.exitCode == 0, merged.err.constData());
        QVERIFY(QFile::exists(empty + QStringLiteral("/config.json")));
        QVERIFY(QFile::exists(empty + QStringLiteral("/tokenizer.json")));
    }

    // state.json records the base the run trained on; a --model whose config.json differs from it
    // is refused, naming both.
    void checkpointOfAnotherBaseIsRefused()
    {
        const QString other = m_dir.filePath(QStringLiteral("other-base"));
        copyFolder(m_base, other);
        QFile config(other + QStringLiteral("/config.json"));
        QVERIFY(config.open(QIODevice::ReadOnly));
        QByteArray text = config.readAll();
        config.close();
        QVERIFY(text.contains("\"rms_norm_eps\""));
        text.replace("\"rms_norm_eps\"", "\"unused_marker\": 1, \"rms_norm_eps\"");
        QVERIFY(config.open(QIODevice::WriteOnly | QIODevice::Truncate));
        config.write(text);
        config.close();
        const QString out = m_dir.filePath(QStringLiteral("other-merged"));
        const CliResult merge = runVora({"merge", "--model", other, "--checkpoint", m_dir.filePath(QStringLiteral("run")),
                                         "--out", out, "--no-probe"});
        QCOMPARE(merge.exitCode, 1);
        QVERIFY2(merge.err.contains("the checkpoint was trained on " + m_base.toUtf8()), merge.err.constData());
        QVERIFY(!QFileInfo::exists(out));
    }

private:
    QTemporaryDir m_dir;
    QString m_base;
};

QTEST_GUILESS_MAIN(TestCliMergeSafety)
#include "test_cli_merge_safety.moc"
