// `vora run` never fails on a default budget: --max-new-tokens above what the context has left is
// lowered with a note on stderr and the effective value in --json; a prompt that fills the context
// says what to change (exit 1); values that are no budget at all stay usage errors (exit 2). Also the
// tokenizer/model mismatch, refused at load with a plain message. Tiny random VoRA model, real Qwen2
// tokenizer.
#include "cli_runner.h"
#include "tiny_model_writer.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

namespace {

QJsonObject lastJsonLine(const QByteArray& out)
{
    return QJsonDocument::fromJson(out.trimmed().split('\n').last()).object();
}

} // namespace

class TestCliRunBudget : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_model = QString::fromStdString(vora::testing::writeTinyQwenVoraModel(m_dir.filePath(QStringLiteral("tiny")).toStdString()));
    }

    void aBudgetLargerThanTheContextIsLoweredWithANote()
    {
        // A 64-token context and the 512 new tokens the first message asked for.
        const CliResult r = runVora({"run", "--model", m_model, "--prompt", "Hello there", "--temperature", "0",
                                     "--max-context", "64", "--max-new-tokens", "512", "--min-new-tokens", "500", "--json"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject result = lastJsonLine(r.out);
        const qint64 prompt = result.value(QStringLiteral("prompt_tokens")).toInteger();
        QVERIFY(prompt > 0 && prompt < 64);
        QCOMPARE(result.value(QStringLiteral("max_new_tokens")).toInteger(), 64 - prompt);
        QCOMPARE(result.value(QStringLiteral("max_new_tokens_requested")).toInteger(), 512);
        QCOMPARE(result.value(QStringLiteral("context_tokens")).toInteger(), 64);
        // min-new-tokens 500 was capped with the budget, so the answer runs to the end of the context.
        QCOMPARE(result.value(QStringLiteral("generated_tokens")).toInteger(), 64 - prompt);
        QCOMPARE(result.value(QStringLiteral("stop_reason")).toString(), QStringLiteral("length"));
        const QString note = QStringLiteral("vora run: note: at most %1 new tokens instead of 512: the prompt takes %2 of "
                                            "the model's 64-token context")
                                 .arg(64 - prompt)
                                 .arg(prompt);
        QVERIFY2(QString::fromUtf8(r.err).contains(note), r.err.constData());
    }

    void aBudgetThatFitsIsKeptWithoutANote()
    {
        const CliResult r = runVora({"run", "--model", m_model, "--prompt", "Hello there", "--temperature", "0",
                                     "--max-new-tokens", "3", "--json"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(lastJsonLine(r.out).value(QStringLiteral("max_new_tokens")).toInteger(), 3);
        QVERIFY(!r.err.contains("note:"));
    }

    void aPromptThatFillsTheContextSaysWhatToChange()
    {
        const CliResult r = runVora({"run", "--model", m_model, "--prompt", "A question that is far too long for eight tokens",
                                     "--max-context", "8"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("no room is left for an answer"), r.err.constData());
        QVERIFY2(r.err.contains("Shorten the prompt, pass fewer --image files, or raise --max-context"), r.err.constData());
    }

    void valuesThatAreNoBudgetStayUsageErrors_data()
    {
        QTest::addColumn<QString>("flag");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("message");
        QTest::newRow("negative") << "--max-new-tokens" << "-5" << "--max-new-tokens must be between 1 and";
        QTest::newRow("zero") << "--max-new-tokens" << "0" << "--max-new-tokens must be between 1 and";
        QTest::newRow("not a number") << "--max-new-tokens" << "many" << "--max-new-tokens expects an integer";
        QTest::newRow("overflow") << "--max-new-tokens" << "99999999999" << "--max-new-tokens must be between 1 and";
        QTest::newRow("beyond 64 bits") << "--max-new-tokens" << "99999999999999999999999" << "expects an integer";
        QTest::newRow("context zero") << "--max-context" << "0" << "--max-context must be at least 1";
    }

    void valuesThatAreNoBudgetStayUsageErrors()
    {
        QFETCH(QString, flag);
        QFETCH(QString, value);
        QFETCH(QString, message);
        const CliResult r = runVora({"run", "--model", m_model, "--prompt", "Hi", flag, value});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
    }

    void aForeignTokenizerIsRefusedAtLoad()
    {
        // The 256-token reference model with the 151k-token Qwen2 tokenizer beside it.
        const QString model = m_dir.filePath(QStringLiteral("mismatch"));
        QDir().mkpath(model);
        for (const QString& from : {QStringLiteral(VORA_TEST_DATA_DIR "/tiny_models/qwen2_vora_merged"),
                                    QStringLiteral(VORA_TEST_DATA_DIR "/tokenizers/qwen2")}) {
            for (const QString& name : QDir(from).entryList(QDir::Files)) {
                QVERIFY(QFile::copy(QDir(from).filePath(name), QDir(model).filePath(name)));
            }
        }
        const CliResult r = runVora({"run", "--model", model, "--prompt", "Hi"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("the tokenizer does not match the model"), r.err.constData());
        QVERIFY2(r.err.contains("has only 256 entries"), r.err.constData());
    }

private:
    QTemporaryDir m_dir;
    QString m_model;
};

QTEST_GUILESS_MAIN(TestCliRunBudget)
#include "test_cli_run_budget.moc"
