// `vora chat` end to end on a tiny random VoRA model with the real Qwen2 tokenizer: per-turn JSON with the
// run keys, only new tokens prefilled after the first turn (the same tokens as --no-reuse, which prefills
// everything), /image and --json-input messages, a bad line reported without ending the chat, and the
// oldest exchanges dropped when the conversation outgrows the context.
#include "cli_runner.h"
#include "tiny_model_writer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

namespace {

QList<QJsonObject> jsonLines(const QByteArray& out)
{
    QList<QJsonObject> objects;
    for (const QByteArray& line : out.trimmed().split('\n')) {
        objects.append(QJsonDocument::fromJson(line).object());
    }
    return objects;
}

QString image() { return QStringLiteral(VORA_TEST_DATA_DIR "/image/decode/grey.png"); }

QStringList chatArgs(const QString& model, const QStringList& extra)
{
    return QStringList{QStringLiteral("chat"), QStringLiteral("--model"), model, QStringLiteral("--temperature"),
                       QStringLiteral("0"), QStringLiteral("--max-new-tokens"), QStringLiteral("5"), QStringLiteral("--json")}
        + extra;
}

} // namespace

class TestCliChat : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_model = QString::fromStdString(vora::testing::writeTinyQwenVoraModel(m_dir.filePath(QStringLiteral("tiny")).toStdString()));
        vora::testing::TinyModelOptions small;
        small.maxPositions = 160;
        m_smallContext = QString::fromStdString(
            vora::testing::writeTinyQwenVoraModel(m_dir.filePath(QStringLiteral("small")).toStdString(), small));
    }

    void followUpsPrefillOnlyNewTokens()
    {
        const QByteArray input = "/image " + image().toUtf8() + "\nDescribe it.\nAnd the colour?\nThanks.\n";
        const CliResult reused = runVora(chatArgs(m_model, {}), input);
        QCOMPARE(reused.exitCode, 0);
        const QList<QJsonObject> turns = jsonLines(reused.out);
        QCOMPARE(turns.size(), 3);
        const CliResult fresh = runVora(chatArgs(m_model, {QStringLiteral("--no-reuse")}), input);
        QCOMPARE(fresh.exitCode, 0);
        const QList<QJsonObject> freshTurns = jsonLines(fresh.out);
        QCOMPARE(freshTurns.size(), 3);
        int previousPrompt = 0;
        for (int i = 0; i < 3; ++i) {
            const QJsonObject& turn = turns[i];
            for (const char* key : {"text", "token_ids", "prompt_tokens", "prefilled_tokens", "time_to_first_token_ms",
                                    "prefill_ms", "decode_tokens_per_s", "generated_tokens", "image_tokens",
                                    "peak_memory_bytes", "stop_reason"}) {
                QVERIFY2(turn.contains(QLatin1String(key)), key);
            }
            const int prompt = turn.value(QStringLiteral("prompt_tokens")).toInt();
            const int prefilled = turn.value(QStringLiteral("prefilled_tokens")).toInt();
            QCOMPARE(turn.value(QStringLiteral("image_tokens")).toInt(), 16); // the image stays in the history
            QVERIFY(prompt > previousPrompt);
            if (i == 0) {
                QCOMPARE(prefilled, prompt);
            } else {
                // The previous answer's last token, its closing tokens and the new message: not the image.
                QVERIFY2(prefilled > 0 && prefilled < 20, qPrintable(QString::number(prefilled)));
            }
            // --no-reuse: everything prefilled, the same answers.
            QCOMPARE(freshTurns[i].value(QStringLiteral("prefilled_tokens")).toInt(), prompt);
            QCOMPARE(freshTurns[i].value(QStringLiteral("token_ids")).toArray(), turn.value(QStringLiteral("token_ids")).toArray());
            previousPrompt = prompt;
        }
    }

    void jsonInputAndBadLines()
    {
        const QByteArray input = "{\"text\": \"first line\\nsecond line\", \"images\": [\"" + image().toUtf8() + "\"]}\n"
                                 "not json\n"
                                 "{\"text\": \"and now?\"}\n";
        const CliResult r = runVora(chatArgs(m_model, {QStringLiteral("--json-input")}), input);
        QCOMPARE(r.exitCode, 1); // a line failed
        const QList<QJsonObject> lines = jsonLines(r.out);
        QCOMPARE(lines.size(), 3);
        QCOMPARE(lines[0].value(QStringLiteral("image_tokens")).toInt(), 16);
        QVERIFY(lines[1].value(QStringLiteral("error")).toString().contains(QStringLiteral("not JSON")));
        QVERIFY(lines[2].value(QStringLiteral("prefilled_tokens")).toInt() < lines[2].value(QStringLiteral("prompt_tokens")).toInt());
        // A missing image is named and the chat goes on.
        const CliResult missing = runVora(chatArgs(m_model, {}), "/image /no/such.png\nHi\nHello\n");
        QCOMPARE(missing.exitCode, 1);
        QVERIFY(missing.err.contains("/no/such.png"));
        QCOMPARE(jsonLines(missing.out).size(), 2);
    }

    void streamsTextWithoutJson()
    {
        const CliResult r = runVora({QStringLiteral("chat"), QStringLiteral("--model"), m_model, QStringLiteral("--temperature"),
                                     QStringLiteral("0"), QStringLiteral("--max-new-tokens"), QStringLiteral("4")},
                                    "Hi\nAgain\n");
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.err.count("prefilled"), 2);
        QVERIFY(!r.out.trimmed().isEmpty());
        // Each answer's line for people: the stop reason in words, whole milliseconds, one decimal of speed.
        const QRegularExpression summary(QStringLiteral(
            R"(^\[\d+ tokens?, (end of answer|length limit); prefilled \d+ of \d+ positions, first token \d+ ms, \d+\.\d tok/s\]$)"));
        int lines = 0;
        for (const QByteArray& line : r.err.trimmed().split('\n')) {
            QVERIFY2(summary.match(QString::fromUtf8(line)).hasMatch(), line.constData());
            ++lines;
        }
        QCOMPARE(lines, 2);
    }

    // As `vora run`: a budget the context cannot hold is lowered with a note, the effective value in the JSON.
    void aBudgetTheContextCannotHoldIsLoweredWithANote()
    {
        const CliResult r = runVora({QStringLiteral("chat"), QStringLiteral("--model"), m_smallContext, QStringLiteral("--temperature"),
                                     QStringLiteral("0"), QStringLiteral("--max-new-tokens"), QStringLiteral("512"),
                                     QStringLiteral("--json")},
                                    "Hello there\n");
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.err.contains("vora chat: note: at most "), r.err.constData());
        const QList<QJsonObject> turns = jsonLines(r.out);
        QCOMPARE(turns.size(), 1);
        const QJsonObject turn = turns.first();
        QCOMPARE(turn.value(QStringLiteral("max_new_tokens_requested")).toInt(), 512);
        QCOMPARE(turn.value(QStringLiteral("context_tokens")).toInt(), 160);
        QCOMPARE(turn.value(QStringLiteral("max_new_tokens")).toInt(), 160 - turn.value(QStringLiteral("prompt_tokens")).toInt());
    }

    void longConversationDropsOldestExchanges()
    {
        // A context of 160 positions: the image (16) and ~25 positions per exchange outgrow it by turn 5.
        QByteArray input = "/image " + image().toUtf8() + "\n";
        for (int i = 0; i < 8; ++i) {
            input += "Tell me one more thing about number " + QByteArray::number(i) + ", please.\n";
        }
        const CliResult r = runVora(chatArgs(m_smallContext, {}), input);
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(jsonLines(r.out).size(), 8);
        QVERIFY2(r.err.contains("dropped the oldest"), r.err.constData());
        for (const QJsonObject& turn : jsonLines(r.out)) {
            QVERIFY(turn.value(QStringLiteral("prompt_tokens")).toInt() + 5 <= 160);
        }
    }

private:
    QTemporaryDir m_dir;
    QString m_model;
    QString m_smallContext;
};

QTEST_GUILESS_MAIN(TestCliChat)
#include "test_cli_chat.moc"
