// The sampling chain against transformers' logits processors (tests/reference/sampler_reference.py
// wrote tests/data/sampler/expected.json): the distribution a draw chooses from, then the draws
// themselves: reproducible for a seed, and distributed as transformers' probabilities say.
#include "core/error.h"
#include "core/generation/sampler.h"

#include <QTest>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cmath>
#include <fstream>
#include <map>

using namespace vora::core;

namespace {

struct Case {
    std::string name;
    SamplingParams params;
    std::vector<int64_t> history;
    std::vector<int64_t> suppressed;
    at::Tensor logits;            // [V] float32
    std::vector<double> expected; // transformers' probabilities over the vocabulary
};

std::vector<Case> loadCases()
{
    std::ifstream in(VORA_TEST_DATA_DIR "/sampler/expected.json");
    const nlohmann::json root = nlohmann::json::parse(in);
    std::vector<Case> cases;
    for (const auto& c : root.at("cases")) {
        Case item;
        item.name = c.at("name").get<std::string>();
        item.params.temperature = c.at("temperature").get<double>();
        item.params.topK = c.at("top_k").get<int>();
        item.params.topP = c.at("top_p").get<double>();
        item.params.minP = c.at("min_p").get<double>();
        item.params.repetitionPenalty = c.at("repetition_penalty").get<double>();
        item.history = c.at("history").get<std::vector<int64_t>>();
        item.suppressed = c.at("suppressed").get<std::vector<int64_t>>();
        item.logits = at::tensor(c.at("logits").get<std::vector<float>>());
        item.expected = c.at("probabilities").get<std::vector<double>>();
        cases.push_back(std::move(item));
    }
    return cases;
}

// The sampler's distribution spread over the whole vocabulary.
std::vector<double> fullDistribution(const TokenDistribution& distribution, int64_t vocab)
{
    std::vector<double> full(static_cast<size_t>(vocab), 0.0);
    for (int64_t i = 0; i < distribution.ids.size(0); ++i) {
        full[static_cast<size_t>(distribution.ids[i].item<int64_t>())] += distribution.probabilities[i].item<float>();
    }
    return full;
}

int64_t drawOnce(const Case& c, int64_t seed)
{
    SamplingParams params = c.params;
    params.seed = seed;
    Sampler sampler(params);
    sampler.setHistory(c.history);
    return sampler.next(c.logits, c.suppressed);
}

// The 0.999 quantile of a chi-square distribution with df degrees of freedom (Wilson-Hilferty).
double chiSquareQuantile999(int df)
{
    const double z = 3.0902;
    const double a = 2.0 / (9.0 * df);
    return df * std::pow(1.0 - a + z * std::sqrt(a), 3.0);
}

} // namespace

class TestSampler : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        m_cases = loadCases();
        QCOMPARE(m_cases.size(), size_t(16));
    }

    void theDistributionMatchesTransformers()
    {
        int compared = 0;
        for (const Case& c : m_cases) {
            Sampler sampler(c.params);
            sampler.setHistory(c.history);
            const std::vector<double> ours = fullDistribution(sampler.distribution(c.logits, c.suppressed), c.logits.size(0));
            for (size_t token = 0; token < ours.size(); ++token) {
                // The same tokens survive, with the same probability (float32 softmax order aside).
                QVERIFY2((ours[token] > 0) == (c.expected[token] > 0),
                         qPrintable(QStringLiteral("%1: token %2 kept by one side only").arg(QString::fromStdString(c.name)).arg(token)));
                QVERIFY2(std::abs(ours[token] - c.expected[token]) < 2e-6,
                         qPrintable(QStringLiteral("%1: token %2: %3 vs transformers %4")
                                        .arg(QString::fromStdString(c.name)).arg(token).arg(ours[token]).arg(c.expected[token])));
            }
            ++compared;
        }
        QCOMPARE(compared, 16);
    }

    void aSeedGivesTheSameDraws()
    {
        const Case& c = m_cases.at(0); // temperature 0.7 over all 64 tokens
        auto draws = [&](int64_t seed) {
            SamplingParams params = c.params;
            params.seed = seed;
            Sampler sampler(params);
            std::vector<int64_t> tokens;
            for (int i = 0; i < 32; ++i) {
                tokens.push_back(sampler.next(c.logits));
            }
            return tokens;
        };
        QCOMPARE(draws(7), draws(7));
        QVERIFY(draws(7) != draws(8));
    }

    // Each sampled case, drawn 4000 times with seeds 0..3999: no draw outside transformers' support,
    // and the counts pass a chi-square test against transformers' probabilities at the 0.999 level
    // (bins expecting fewer than 5 draws pooled). Deterministic: the seeds are fixed.
    void manyDrawsFollowTransformersProbabilities()
    {
        constexpr int kDraws = 4000;
        int tested = 0;
        for (const Case& c : m_cases) {
            if (c.params.greedy()) {
                QCOMPARE(drawOnce(c, 1), int64_t(std::max_element(c.expected.begin(), c.expected.end()) - c.expected.begin()));
                continue;
            }
            std::map<int64_t, int> counts;
            for (int seed = 0; seed < kDraws; ++seed) {
                const int64_t token = drawOnce(c, seed);
                QVERIFY2(c.expected[static_cast<size_t>(token)] > 0,
                         qPrintable(QStringLiteral("%1: drew token %2, which transformers removes").arg(QString::fromStdString(c.name)).arg(token)));
                ++counts[token];
            }
            double chiSquare = 0;
            int bins = 0;
            double pooledExpected = 0;
            int pooledObserved = 0;
            for (size_t token = 0; token < c.expected.size(); ++token) {
                const double expected = c.expected[token] * kDraws;
                const int observed = counts.count(static_cast<int64_t>(token)) ? counts[static_cast<int64_t>(token)] : 0;
                if (expected >= 5) {
                    chiSquare += (observed - expected) * (observed - expected) / expected;
                    ++bins;
                } else {
                    pooledExpected += expected;
                    pooledObserved += observed;
                }
            }
            if (pooledExpected >= 5) {
                chiSquare += (pooledObserved - pooledExpected) * (pooledObserved - pooledExpected) / pooledExpected;
                ++bins;
            }
            const double bound = chiSquareQuantile999(std::max(1, bins - 1));
            qInfo("%s: chi-square %.1f over %d bins (bound %.1f)", c.name.c_str(), chiSquare, bins, bound);
            QVERIFY2(chiSquare < bound, c.name.c_str());
            ++tested;
        }
        QCOMPARE(tested, 13);
    }

    void outOfRangeSettingsAreRefused()
    {
        for (auto change : std::vector<std::function<void(SamplingParams&)>>{
                 [](SamplingParams& p) { p.topP = 0; }, [](SamplingParams& p) { p.topP = 1.5; },
                 [](SamplingParams& p) { p.topK = -1; }, [](SamplingParams& p) { p.minP = 1; },
                 [](SamplingParams& p) { p.repetitionPenalty = 0; }}) {
            SamplingParams params;
            change(params);
            QVERIFY_THROWS_EXCEPTION(Error, Sampler{params});
        }
    }

private:
    std::vector<Case> m_cases;
};

QTEST_GUILESS_MAIN(TestSampler)
#include "test_sampler.moc"
