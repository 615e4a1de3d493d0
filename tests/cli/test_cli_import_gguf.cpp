// `vora import-gguf` as a user runs it: usage errors exit 2, bad files and taken folders exit 1
// with the file named and nothing written, a good file gives a folder `vora run` chats with.
#include "cli_runner.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

namespace {

QString testFile(const char* name)
{
    return QStringLiteral(VORA_TEST_DATA_DIR "/gguf/") + QLatin1String(name);
}

QStringList entries(const QString& dir)
{
    return QDir(dir).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden);
}

} // namespace

class TestCliImportGguf : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void usageErrorsExit2_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        const QString gguf = testFile("tiny_llama.gguf");
        QTest::newRow("no --gguf") << QStringList{"--out", "x"} << "--gguf";
        QTest::newRow("no --out") << QStringList{"--gguf", gguf} << "--out";
        QTest::newRow("bad dtype") << QStringList{"--gguf", gguf, "--out", "x", "--dtype", "float16"} << "--dtype";
        QTest::newRow("stray argument") << QStringList{"--gguf", gguf, "--out", "x", "extra"} << "extra";
    }

    void usageErrorsExit2()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const CliResult r = runVora(QStringList{"import-gguf"} + args);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(message.toUtf8()), r.err.constData());
        QVERIFY(r.err.contains("usage: vora import-gguf"));
    }

    void runtimeErrorsExit1AndWriteNothing()
    {
        QTemporaryDir dir;
        QFile broken(dir.filePath("broken.gguf"));
        QVERIFY(broken.open(QIODevice::WriteOnly));
        QFile good(testFile("tiny_llama.gguf"));
        QVERIFY(good.open(QIODevice::ReadOnly));
        broken.write(good.read(5000)); // cut inside the tokenizer metadata
        broken.close();
        const QString out = dir.filePath("model");
        for (const QString& gguf : {dir.filePath("broken.gguf"), dir.filePath("absent.gguf"), testFile("tiny_types.gguf")}) {
            const CliResult r = runVora({"import-gguf", "--gguf", gguf, "--out", out});
            QCOMPARE(r.exitCode, 1);
            QVERIFY2(r.err.contains(QFileInfo(gguf).fileName().toUtf8()), r.err.constData());
            QCOMPARE(entries(dir.path()), QStringList{"broken.gguf"});
        }
    }

    void importsAFolderThatRuns()
    {
        QTemporaryDir dir;
        const QString out = dir.filePath("tiny");
        CliResult r = runVora({"import-gguf", "--gguf", testFile("tiny_qwen2.gguf"), "--out", out, "--dtype", "float32"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("imported qwen2 (2 layers, hidden 256, vocab 421, tied embeddings): 26 tensors"));
        QVERIFY(r.out.trimmed().endsWith(out.toUtf8()));
        for (const char* name : {"config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json",
                                 "model.safetensors"}) {
            QVERIFY2(QFile::exists(out + "/" + name), name);
        }
        QCOMPARE(entries(dir.path()), QStringList{"tiny"}); // no temporary folder left behind

        r = runVora({"import-gguf", "--gguf", testFile("tiny_qwen2.gguf"), "--out", out});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.err.contains("already exists"));

        r = runVora({"run", "--model", out, "--prompt", "Hello", "--max-new-tokens", "4", "--json"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("\"generated_tokens\":"), r.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestCliImportGguf)
#include "test_cli_import_gguf.moc"
