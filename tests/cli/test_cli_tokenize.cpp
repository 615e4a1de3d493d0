#include "cli_runner.h"

#include <QTest>

namespace {

QString tokenizerPath(const char* name)
{
    return QStringLiteral(VORA_TEST_DATA_DIR "/tokenizers/") + QString::fromLatin1(name);
}

} // namespace

class TestCliTokenize : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void encodesArgumentAndStdin()
    {
        const auto fromArg = runVora({"tokenize", "--tokenizer", tokenizerPath("qwen2"), "Hello, world!"});
        QCOMPARE(fromArg.exitCode, 0);
        QCOMPARE(fromArg.out, QByteArray("[9707,11,1879,0]\n"));
        const auto fromStdin = runVora({"tokenize", "--tokenizer", tokenizerPath("gpt2")}, "Hello, world!");
        QCOMPARE(fromStdin.out, QByteArray("[15496,11,995,0]\n"));
    }

    void specialFlags()
    {
        const auto text = runVora({"tokenize", "--tokenizer", tokenizerPath("qwen2"), "<|im_end|>"});
        QVERIFY(!text.out.contains("151645"));
        const auto parsed =
            runVora({"tokenize", "--tokenizer", tokenizerPath("qwen2"), "--parse-special", "<|im_end|>"});
        QCOMPARE(parsed.out, QByteArray("[151645]\n"));
        const auto bos = runVora({"tokenize", "--tokenizer", tokenizerPath("mistral"), "--add-special", "Hello world!"});
        QCOMPARE(bos.out, QByteArray("[1,22557,1526,28808]\n"));
    }

    void jsonlAndDecode()
    {
        const auto lines = runVora({"tokenize", "--tokenizer", tokenizerPath("qwen2"), "--jsonl"},
                                   "\"Hello, world!\"\n\"a\\nb\"\n");
        QCOMPARE(lines.exitCode, 0);
        QCOMPARE(lines.out, QByteArray("[9707,11,1879,0]\n[64,198,65]\n"));
        const auto decoded =
            runVora({"tokenize", "--tokenizer", tokenizerPath("qwen2"), "--decode", "[9707, 11, 1879, 0]"});
        QCOMPARE(decoded.out, QByteArray("\"Hello, world!\"\n"));
        const auto decodedLines = runVora({"tokenize", "--tokenizer", tokenizerPath("qwen2"), "--decode", "--jsonl"},
                                          "[9707]\n[64,198,65]\n");
        QCOMPARE(decodedLines.out, QByteArray("\"Hello\"\n\"a\\nb\"\n"));
    }

    void errorsExitNonZero()
    {
        const auto missing = runVora({"tokenize", "--tokenizer", "/nonexistent/tok", "x"});
        QVERIFY(missing.exitCode != 0);
        QVERIFY(missing.err.contains("/nonexistent/tok"));
        const auto badIds = runVora({"tokenize", "--tokenizer", tokenizerPath("qwen2"), "--decode", "[1, \"x\"]"});
        QVERIFY(badIds.exitCode != 0);
        const auto noTokenizer = runVora({"tokenize", "x"});
        QVERIFY(noTokenizer.exitCode != 0);
    }
};

QTEST_GUILESS_MAIN(TestCliTokenize)
#include "test_cli_tokenize.moc"
