// How a generation stops: stop strings found in streamed text even when they span token boundaries
// (held back, never shown), end tokens suppressed until min_new_tokens, and both end to end on a tiny
// random VoRA model with the real Qwen2 tokenizer.
#include "core/error.h"
#include "core/generation/generator.h"
#include "core/generation/sequence_assembly.h"
#include "core/model/vora_model.h"
#include "core/runtime/stop_string_matcher.h"
#include "core/runtime/vora_engine.h"
#include "core/tokenizer/tokenizer.h"
#include "tiny_model_writer.h"

#include <QTemporaryDir>
#include <QTest>

#include <torch/torch.h>

using namespace vora::core;

namespace {

bool isPlainAscii(const std::string& text)
{
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x21 && c < 0x7f; });
}

} // namespace

class TestStopCriteria : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_model = vora::testing::writeTinyQwenVoraModel(m_dir.filePath(QStringLiteral("tiny")).toStdString());
        m_engine = VoraEngine::load(m_model);
        m_prompt = m_engine->chatPrompt({{"user", "Say something.", 0}}, {});
    }

    void theMatcherHoldsBackWhatCouldBecomeAStopString_data()
    {
        QTest::addColumn<QStringList>("pieces");
        QTest::addColumn<QStringList>("stops");
        QTest::addColumn<QString>("shown");
        QTest::addColumn<bool>("matched");
        QTest::newRow("inside one piece") << QStringList{"x END y"} << QStringList{"END"} << "x " << true;
        QTest::newRow("across two pieces") << QStringList{"Hello ST", "OP more"} << QStringList{"STOP"} << "Hello " << true;
        QTest::newRow("across three pieces") << QStringList{"a<", "|e", "nd|>b"} << QStringList{"<|end|>"} << "a" << true;
        QTest::newRow("a false start is released") << QStringList{"ab", "c", "d"} << QStringList{"abd"} << "abcd" << false;
        QTest::newRow("the earlier of two") << QStringList{"x EN", "D y STOP"} << QStringList{"STOP", "END"} << "x " << true;
        QTest::newRow("a held tail comes out at the end") << QStringList{"wait ST"} << QStringList{"STOP"} << "wait ST" << false;
        QTest::newRow("multibyte") << QStringList{"caf", "é", "!"} << QStringList{"é!"} << "caf" << true;
        QTest::newRow("nothing after a match") << QStringList{"one.", "two", "three"} << QStringList{"."} << "one" << true;
        QTest::newRow("empty stops are ignored") << QStringList{"a", "b"} << QStringList{""} << "ab" << false;
    }

    void theMatcherHoldsBackWhatCouldBecomeAStopString()
    {
        QFETCH(QStringList, pieces);
        QFETCH(QStringList, stops);
        QFETCH(QString, shown);
        QFETCH(bool, matched);
        std::vector<std::string> stopStrings;
        for (const QString& stop : stops) {
            stopStrings.push_back(stop.toStdString());
        }
        StopStringMatcher matcher(stopStrings);
        std::string out;
        for (const QString& piece : pieces) {
            out += matcher.push(piece.toStdString());
            for (const std::string& stop : stopStrings) {
                QVERIFY(stop.empty() || out.find(stop) == std::string::npos); // never shown, not even in part
            }
        }
        out += matcher.flush();
        QCOMPARE(QString::fromStdString(out), shown);
        QCOMPARE(matcher.matched(), matched);
    }

    // The greedy answer's text up to a stop string made of the end of one token and the start of the
    // next: generation stops at the second token, and the text ends before the stop string.
    void aStopStringAcrossTwoTokensEndsTheAnswer()
    {
        GenerationSettings settings;
        settings.sampling.temperature = 0;
        settings.stop.maxNewTokens = 16;
        settings.stop.minNewTokens = 16;
        const TextResult full = m_engine->generate(m_prompt, settings);
        QCOMPARE(full.tokenIds.size(), size_t(16));
        QCOMPARE(full.stats.stopReason, StopReason::Length);

        size_t boundary = 0; // the stop string spans tokens boundary and boundary + 1
        std::string before;
        std::string after;
        for (size_t i = 1; i + 1 < full.tokenIds.size() && boundary == 0; ++i) {
            before = m_engine->tokenizer().decode({static_cast<int32_t>(full.tokenIds[i])}, true);
            after = m_engine->tokenizer().decode({static_cast<int32_t>(full.tokenIds[i + 1])}, true);
            if (isPlainAscii(before) && isPlainAscii(after)) {
                boundary = i;
            }
        }
        QVERIFY2(boundary != 0, "the greedy answer has no two neighbouring ASCII tokens");
        const std::string stop = before.substr(before.size() - 1) + after.substr(0, 1);
        const size_t at = full.text.find(stop);
        QVERIFY(at != std::string::npos);

        settings.stop.minNewTokens = 0;
        settings.stop.stopStrings = {stop};
        std::string streamed;
        TextCallbacks callbacks;
        callbacks.onText = [&](std::string_view piece) { streamed += piece; };
        const TextResult cut = m_engine->generate(m_prompt, settings, callbacks);
        QCOMPARE(cut.stats.stopReason, StopReason::StopString);
        QCOMPARE(cut.text, full.text.substr(0, at));
        QCOMPARE(streamed, cut.text);
        // It stopped at the token that completed the stop string (or earlier, if the text had it before).
        QVERIFY(cut.tokenIds.size() <= boundary + 2);
        QCOMPARE(cut.tokenIds, std::vector<int64_t>(full.tokenIds.begin(), full.tokenIds.begin() + static_cast<long>(cut.tokenIds.size())));
    }

    // The greedy first token made the end token: it ends the answer at once, unless min_new_tokens
    // holds it back; then it is never drawn before that many tokens.
    void minNewTokensHoldsBackTheEndToken()
    {
        const auto model = VoraModel::load(m_model);
        const AssembledSequence sequence = assembleSequence(*model, m_prompt);
        SamplingParams greedy;
        greedy.temperature = 0;
        StopCriteria stop;
        stop.maxNewTokens = 8;
        const int64_t first = generate(*model, sequence, greedy, stop).tokens.at(0);

        stop.eosIds = {first};
        const GenerationOutput immediate = generate(*model, sequence, greedy, stop);
        QCOMPARE(immediate.tokens, std::vector<int64_t>{first});
        QCOMPARE(immediate.stats.stopReason, StopReason::Eos);

        stop.minNewTokens = 3;
        const GenerationOutput held = generate(*model, sequence, greedy, stop);
        QVERIFY(held.tokens.size() >= 3);
        for (size_t i = 0; i < 3; ++i) {
            QVERIFY(held.tokens[i] != first);
        }
        if (held.tokens.size() < 8) {
            QCOMPARE(held.tokens.back(), first);
            QCOMPARE(held.stats.stopReason, StopReason::Eos);
        } else {
            QCOMPARE(held.stats.stopReason, StopReason::Length);
        }

        stop.minNewTokens = 9; // more than the budget
        QVERIFY_THROWS_EXCEPTION(Error, generate(*model, sequence, greedy, stop));
    }

private:
    QTemporaryDir m_dir;
    std::string m_model;
    std::unique_ptr<VoraEngine> m_engine;
    PromptInput m_prompt;
};

QTEST_GUILESS_MAIN(TestStopCriteria)
#include "test_stop_criteria.moc"
