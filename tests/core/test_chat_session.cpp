// ChatSession: a follow-up turn prefills only its new positions and gets the logits of a fresh prefill
// (float32: within rounding, every top-1 equal; bf16: top-1 differing only at near-ties);
// regenerate, edit and a changed image drop the cache back to the common prefix; steps queued ahead of a
// stop are discarded; a stop string that starts inside a token drops that token from the history; prompts
// that fill the context are refused and budgets past it are clipped; a 9k-token prompt needs no
// quadratic memory (no mask tensor anywhere on the fused path).
#include "core/error.h"
#include "core/generation/chat_session.h"
#include "core/generation/generator.h"
#include "core/generation/sequence_assembly.h"
#include "core/model/vora_model.h"
#include "core/runtime/vora_engine.h"
#include "core/tokenizer/tokenizer.h"
#include "tensor_fixtures.h"
#include "tiny_model_writer.h"
#include "top_one_agreement.h"

#include <QTemporaryDir>
#include <QTest>

#include <sys/resource.h>

using namespace vora::core;

namespace {

// Same implementation, different chunking and cache reads: float32 rounding only.
constexpr double kTolerance = 1e-5;

ImagePixels patterned(int height, int width, int seed)
{
    ImagePixels image;
    image.height = height;
    image.width = width;
    image.chw.resize(size_t(3) * height * width);
    for (size_t i = 0; i < image.chw.size(); ++i) {
        image.chw[i] = static_cast<float>((i * 2654435761u + seed * 97u) % 1000) / 500.f - 1.f;
    }
    return image;
}

SamplingParams greedy()
{
    SamplingParams p;
    p.temperature = 0;
    return p;
}

// The first turn of the follow-up tests: text, a square image, text, a wide image, text.
PromptInput twoImageOpening()
{
    PromptInput prompt;
    prompt.ids = {5, kImageTokenSentinel, 9, 10, kImageTokenSentinel, 11};
    prompt.images = {patterned(56, 56, 1), patterned(28, 42, 2)};
    return prompt;
}

StopCriteria budget(int tokens)
{
    StopCriteria stop;
    stop.maxNewTokens = tokens;
    return stop;
}

// The session's prefill logits against rows of a fresh full prefill: the largest difference, the relative
// one, and how the top-1 tokens agree.
struct FreshComparison {
    double maxAbs = 0;
    double relative = 0;
    top_one::Agreement topOne;
};

FreshComparison compareWithFresh(const VoraModel& model, const PromptInput& prompt, const GenerationOutput& output)
{
    const AssembledSequence full = assembleSequence(model, prompt);
    const at::Tensor fresh = promptLogits(model, full, AttentionImpl::Fused);
    const at::Tensor tail = fresh.narrow(0, full.length() - output.prefilledTokens, output.prefilledTokens);
    FreshComparison c;
    c.maxAbs = (output.prefillLogits.to(at::kDouble) - tail.to(at::kDouble)).abs().max().item<double>();
    c.relative = top_one::relativeDifference(output.prefillLogits, tail);
    c.topOne = top_one::compareTopOne(output.prefillLogits, tail);
    return c;
}

// float32: within rounding of a fresh prefill and the same top-1 in every row.
bool equalsFreshPrefill(const VoraModel& model, const PromptInput& prompt, const GenerationOutput& output)
{
    const FreshComparison c = compareWithFresh(model, prompt, output);
    if (c.maxAbs < kTolerance && c.topOne.acceptable(false) && c.topOne.rows == output.prefilledTokens) {
        return true;
    }
    qWarning("session vs fresh prefill: max difference %g, %s", c.maxAbs, c.topOne.describe().c_str());
    return false;
}

int64_t peakResidentBytes()
{
    struct rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<int64_t>(usage.ru_maxrss) * 1024;
}

} // namespace

class TestChatSession : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        m_model = VoraModel::load(tinyModelDir("qwen2_vora_merged"));
        m_model->decoder().fuseForInference();
    }

    void followUpPrefillsOnlyNewPositions()
    {
        ChatSession session(*m_model);
        GenerationHooks hooks;
        hooks.keepPrefillLogits = true;
        PromptInput prompt = twoImageOpening();
        GenerationOutput turn = session.generate(prompt, greedy(), budget(5), hooks);
        QCOMPARE(turn.prefilledTokens, assembleSequence(*m_model, prompt).length());
        int comparedTurns = 0;
        // Text after the answer (causal rows over the cache), then an image block first in its chunk, then
        // back-to-back images last in the chunk.
        const std::vector<std::vector<int64_t>> followUps = {
            {20, 21, 22}, {kImageTokenSentinel, 23, 24}, {25, kImageTokenSentinel, kImageTokenSentinel}};
        for (const auto& followUp : followUps) {
            prompt.ids.insert(prompt.ids.end(), turn.tokens.begin(), turn.tokens.end());
            for (int64_t id : followUp) {
                prompt.ids.push_back(id);
                if (id == kImageTokenSentinel) {
                    prompt.images.push_back(patterned(42, 28, static_cast<int>(prompt.images.size()) + 3));
                }
            }
            const int64_t cached = session.cachedPositions();
            turn = session.generate(prompt, greedy(), budget(5), hooks);
            QCOMPARE(turn.prefilledTokens, assembleSequence(*m_model, prompt).length() - cached);
            QVERIFY(turn.prefilledTokens <= static_cast<int64_t>(followUp.size()) + 1 + 6 * 2);
            QVERIFY(equalsFreshPrefill(*m_model, prompt, turn));
            ++comparedTurns;
        }
        QCOMPARE(comparedTurns, 3);
    }

    void bfloat16FollowUpsDifferOnlyAtNearTies()
    {
        // In bf16 the session's rows (its answer's cache rows written by decode steps, the follow-up attending
        // over the cache in a chunk of its own) round differently from a fresh prefill's: the logits agree to
        // bf16's relative tolerance and a top-1 may differ only where the fresh row is a near-tie.
        ModelLoadOptions options;
        options.dtype = "bfloat16";
        const auto model = VoraModel::load(tinyModelDir("qwen2_vora_merged"), options);
        model->decoder().fuseForInference();
        ChatSession session(*model);
        GenerationHooks hooks;
        hooks.keepPrefillLogits = true;
        PromptInput prompt = twoImageOpening();
        GenerationOutput turn = session.generate(prompt, greedy(), budget(5), hooks);
        top_one::Agreement total;
        int turns = 0;
        for (const std::vector<int64_t>& followUp : {std::vector<int64_t>{20, 21, 22},
                                                     std::vector<int64_t>{23, kImageTokenSentinel, 24}}) {
            prompt.ids.insert(prompt.ids.end(), turn.tokens.begin(), turn.tokens.end());
            for (int64_t id : followUp) {
                prompt.ids.push_back(id);
                if (id == kImageTokenSentinel) {
                    prompt.images.push_back(patterned(42, 28, 7));
                }
            }
            const int64_t cached = session.cachedPositions();
            turn = session.generate(prompt, greedy(), budget(5), hooks);
            QCOMPARE(turn.prefilledTokens, assembleSequence(*model, prompt).length() - cached);
            const FreshComparison c = compareWithFresh(*model, prompt, turn);
            QVERIFY2(c.relative < 2e-2, qPrintable(QStringLiteral("relative difference %1").arg(c.relative)));
            QVERIFY2(c.topOne.acceptable(true), c.topOne.describe().c_str());
            total.add(c.topOne);
            ++turns;
        }
        qInfo("bf16 session vs fresh prefill: %d turns, %s", turns, total.describe().c_str());
        QCOMPARE(turns, 2);
        QVERIFY(total.rows > 2 * 3);
    }

    // The session lays a prompt out once (hashing its images) and embeds the new positions from that layout:
    // the same sequence as assembling from scratch, bit for bit, at every start an image allows; a layout of
    // another prompt is refused.
    void layoutWithoutKeysHasTheSameShape()
    {
        const PromptInput prompt = twoImageOpening();
        const AssembledSequence keyed = layoutSequence(*m_model, prompt);
        const AssembledSequence keyless = layoutSequence(*m_model, prompt, LayoutKeys::Without);
        QCOMPARE(keyed.positionKeys.size(), size_t(26));
        QVERIFY(keyless.positionKeys.empty());
        QCOMPARE(keyless.isImage, keyed.isImage);
        QCOMPARE(keyless.expandedIds, keyed.expandedIds);
        QVERIFY(!keyless.embeddings.defined());
    }

    void embeddingFromALayoutEqualsAssembling()
    {
        const PromptInput prompt = twoImageOpening();
        const AssembledSequence layout = layoutSequence(*m_model, prompt);
        QVERIFY(!layout.embeddings.defined());
        int compared = 0;
        for (int64_t from = 0; from < layout.length(); ++from) {
            if (from > 0 && layout.isImage[static_cast<size_t>(from)] && layout.isImage[static_cast<size_t>(from - 1)]) {
                continue; // inside an image: both refuse it
            }
            const AssembledSequence fresh = assembleSequence(*m_model, prompt, from);
            const AssembledSequence reused = embedSequence(*m_model, prompt, layout, from);
            QCOMPARE(reused.embeddedFrom, from);
            QVERIFY(at::equal(reused.embeddings, fresh.embeddings));
            QCOMPARE(reused.positionKeys, fresh.positionKeys);
            QCOMPARE(reused.expandedIds, fresh.expandedIds);
            QCOMPARE(reused.isImage, fresh.isImage);
            ++compared;
        }
        // 26 positions (1 + 16 + 2 + 6 + 1: 56x56 and 28x42 images of 14-pixel patches), less the 15 + 5 inside images.
        QCOMPARE(compared, 6);

        PromptInput other = prompt;
        other.ids.back() = 12;
        QVERIFY_THROWS_EXCEPTION(Error, embedSequence(*m_model, other, layout, 0));
        other = prompt;
        other.images[1] = patterned(56, 56, 2); // two more patches
        QVERIFY_THROWS_EXCEPTION(Error, embedSequence(*m_model, other, layout, 0));
        other = prompt;
        std::swap(other.ids[2], other.ids[1]); // text where the layout has the image
        std::swap(other.ids[4], other.ids[5]);
        QVERIFY_THROWS_EXCEPTION(Error, embedSequence(*m_model, other, layout, 0));
    }

    void regenerateEditAndImageChangeTruncate()
    {
        ChatSession session(*m_model);
        GenerationHooks hooks;
        hooks.keepPrefillLogits = true;
        PromptInput prompt;
        prompt.ids = {5, 6, kImageTokenSentinel, 7, 8, 9, 10};
        prompt.images = {patterned(56, 56, 1)};
        const GenerationOutput first = session.generate(prompt, greedy(), budget(4), hooks);
        const int64_t length = assembleSequence(*m_model, prompt).length();

        // Regenerate: the same prompt; only its last position runs again, and the answer repeats.
        GenerationOutput again = session.generate(prompt, greedy(), budget(4), hooks);
        QCOMPARE(again.prefilledTokens, int64_t(1));
        QCOMPARE(again.tokens, first.tokens);

        // Edit the text after the image: the cache keeps everything before the edit.
        prompt.ids[4] = 42;
        again = session.generate(prompt, greedy(), budget(4), hooks);
        QCOMPARE(again.prefilledTokens, length - (2 + 16 + 1)); // 2 text + 16 patches + 1 text kept
        QVERIFY(equalsFreshPrefill(*m_model, prompt, again));

        // Another image with the same size: the prefix ends where the image starts.
        prompt.images = {patterned(56, 56, 9)};
        again = session.generate(prompt, greedy(), budget(4), hooks);
        QCOMPARE(again.prefilledTokens, length - 2);
        QVERIFY(equalsFreshPrefill(*m_model, prompt, again));

        // Without reuse every turn prefills everything, with the same tokens.
        session.setReuse(false);
        const GenerationOutput fresh = session.generate(prompt, greedy(), budget(4), hooks);
        QCOMPARE(fresh.prefilledTokens, length);
        QCOMPARE(fresh.tokens, again.tokens);
    }

    void stepsInFlightAreDiscardedAtAStop()
    {
        // The decode loop with one step queued ahead (as on a GPU) gives the same tokens; at an eos the
        // queued step's token is dropped and the cache holds the eos row, which the next turn reuses.
        PromptInput prompt;
        prompt.ids = {11, 42, 7, 99, 3};
        const GenerationOutput free = generate(*m_model, assembleSequence(*m_model, prompt), greedy(), budget(10));
        for (int inFlight : {1, 2}) {
            ChatSession session(*m_model);
            GenerationHooks hooks;
            hooks.stepsInFlight = inFlight;
            StopCriteria stop = budget(10);
            stop.eosIds = {free.tokens[4]};
            const auto eosAt = std::find(free.tokens.begin(), free.tokens.end(), free.tokens[4]) - free.tokens.begin();
            const GenerationOutput stopped = session.generate(prompt, greedy(), stop, hooks);
            QCOMPARE(stopped.stats.stopReason, StopReason::Eos);
            QCOMPARE(stopped.tokens, std::vector<int64_t>(free.tokens.begin(), free.tokens.begin() + eosAt + 1));
            // Nothing is queued before token 0 is read (it comes from the prefill).
            QCOMPARE(stopped.fedTokens, static_cast<int64_t>(eosAt == 0 ? 0 : eosAt + inFlight - 1));
            QCOMPARE(session.cachedPositions(), static_cast<int64_t>(prompt.ids.size()) + stopped.fedTokens);
            PromptInput next = prompt;
            next.ids.insert(next.ids.end(), stopped.tokens.begin(), stopped.tokens.end());
            next.ids.insert(next.ids.end(), {12, 13});
            GenerationHooks keep;
            keep.keepPrefillLogits = true;
            const GenerationOutput follow = session.generate(next, greedy(), budget(3), keep);
            QCOMPARE(follow.prefilledTokens, static_cast<int64_t>(next.ids.size() - prompt.ids.size()) - stopped.fedTokens);
            QVERIFY(equalsFreshPrefill(*m_model, next, follow));
        }
    }

    void contextIsEnforced()
    {
        ChatSession session(*m_model);
        PromptInput prompt;
        prompt.ids.assign(static_cast<size_t>(m_model->maxContext()), 17);
        ErrorCode code{};
        QVERIFY(throwsCoreError([&] { session.generate(prompt, greedy(), budget(4)); }, &code));
        QCOMPARE(code, ErrorCode::InvalidArgument);
        // A prompt that fits with a budget that does not: the answer stops at the context's end.
        prompt.ids.resize(static_cast<size_t>(m_model->maxContext() - 3));
        const GenerationOutput clipped = session.generate(prompt, greedy(), budget(50));
        QCOMPARE(clipped.tokens.size(), size_t(3));
        QCOMPARE(clipped.stats.stopReason, StopReason::Length);
    }

    void longPromptHasNoQuadraticMemory()
    {
        // 9216 image positions (96 x 96 patches) + 5 text positions: a dense mask would be 85 MB and the
        // explicit path's float32 scores 1.36 GB per layer; the fused path forms neither.
        ModelLoadOptions options;
        options.maxContext = 9300;
        const auto model = VoraModel::load(tinyModelDir("qwen2_vora_merged"), options);
        model->decoder().fuseForInference();
        PromptInput prompt;
        prompt.ids = {5, 6, kImageTokenSentinel, 7, 8, 9};
        prompt.images = {patterned(1344, 1344, 4)};
        const int64_t before = peakResidentBytes();
        ChatSession session(*model);
        const GenerationOutput output = session.generate(prompt, greedy(), budget(2));
        const int64_t growth = peakResidentBytes() - before;
        QCOMPARE(output.stats.promptTokens, int64_t(9221));
        QVERIFY2(growth < (400ll << 20), qPrintable(QStringLiteral("peak grew by %1 MB").arg(growth >> 20)));
    }

    void stopStringInsideATokenDropsItFromTheHistory()
    {
        QTemporaryDir dir;
        const std::string folder = vora::testing::writeTinyQwenVoraModel(dir.filePath(QStringLiteral("m")).toStdString());
        const auto engine = VoraEngine::load(folder);
        const PromptInput prompt = engine->chatPrompt({{"user", "Say something.", 0}}, {});
        const TextResult free = engine->generate(prompt, {greedy(), budget(24)});
        // A stop string that starts one byte into a token of at least two bytes (past the first token), whose
        // first occurrence in the answer is there.
        const auto decodeFirst = [&](size_t count) {
            const std::vector<int32_t> ids(free.tokenIds.begin(), free.tokenIds.begin() + static_cast<long>(count));
            return engine->tokenizer().decode(ids, true);
        };
        size_t offset = 0;
        size_t tokenIndex = 0;
        std::string stopString;
        for (size_t i = 1; i + 1 < free.tokenIds.size() && stopString.empty(); ++i) {
            const std::string before = decodeFirst(i);
            const std::string after = decodeFirst(i + 1);
            if (free.text.rfind(after, 0) == 0 && free.text.rfind(before, 0) == 0 && after.size() >= before.size() + 2
                && free.text.size() >= before.size() + 4 && free.text.find(free.text.substr(before.size() + 1, 3)) == before.size() + 1) {
                offset = before.size();
                tokenIndex = i;
                stopString = free.text.substr(offset + 1, 3);
            }
        }
        QVERIFY(!stopString.empty());
        StopCriteria stop = budget(24);
        stop.stopStrings = {stopString};
        const ChatSessionHandle session = engine->openSession();
        const TextResult stopped = engine->generate(*session, prompt, {greedy(), stop});
        QCOMPARE(stopped.stats.stopReason, StopReason::StopString);
        QCOMPARE(stopped.text, free.text.substr(0, offset + 1));
        QCOMPARE(stopped.historyIds, std::vector<int64_t>(free.tokenIds.begin(), free.tokenIds.begin() + tokenIndex));
        // The next turn, with the answer as kept, reuses the cache up to the kept tokens.
        ChatTemplateOptions options = engine->chatTemplateOptions();
        options.answerIds[1] = stopped.historyIds;
        const PromptInput next = engine->chatPrompt({{"user", "Say something.", 0}, {"assistant", stopped.text, 0},
                                                     {"user", "More.", 0}},
                                                    {}, options);
        QVERIFY(std::equal(prompt.ids.begin(), prompt.ids.end(), next.ids.begin()));
        const TextResult second = engine->generate(*session, next, {greedy(), budget(2)});
        QCOMPARE(second.prefilledTokens,
                 static_cast<int64_t>(next.ids.size() - prompt.ids.size() - stopped.historyIds.size()));
    }

private:
    std::unique_ptr<VoraModel> m_model;
};

QTEST_GUILESS_MAIN(TestChatSession)
#include "test_chat_session.moc"
