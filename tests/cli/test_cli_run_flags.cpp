// `vora run`'s generation and runtime flags, each by an effect it must have on the output (not just
// exit 0), on tiny random VoRA models with the real Qwen2 tokenizer.
#include "cli_runner.h"
#include "core/safetensors/safetensors_file.h"
#include "tiny_model_writer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <cstring>

namespace {

QJsonObject lastJsonLine(const QByteArray& out)
{
    return QJsonDocument::fromJson(out.trimmed().split('\n').last()).object();
}

std::vector<float> floats(const vora::core::SafetensorsFile& file, const std::string& name)
{
    const auto& info = file.info(name);
    std::vector<float> values(static_cast<size_t>(info.elementCount()));
    std::memcpy(values.data(), file.data(info), values.size() * sizeof(float));
    return values;
}

std::vector<int64_t> ids(const vora::core::SafetensorsFile& file, const std::string& name)
{
    const auto& info = file.info(name);
    std::vector<int64_t> values(static_cast<size_t>(info.elementCount()));
    std::memcpy(values.data(), file.data(info), values.size() * sizeof(int64_t));
    return values;
}

double maxAbsDifference(const std::vector<float>& a, const std::vector<float>& b)
{
    double worst = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        worst = std::max(worst, std::abs(double(a[i]) - double(b[i])));
    }
    return worst;
}

QStringList tokenList(const QJsonObject& result)
{
    QStringList tokens;
    for (const QJsonValue& id : result.value(QStringLiteral("token_ids")).toArray()) {
        tokens.append(QString::number(id.toInteger()));
    }
    return tokens;
}

} // namespace

class TestCliRunFlags : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_model = QString::fromStdString(vora::testing::writeTinyQwenVoraModel(m_dir.filePath(QStringLiteral("tiny")).toStdString()));
    }

    // --stop: the greedy answer cut where a stop string taken from its middle first appears.
    void stopCutsTheAnswerBeforeTheStopString()
    {
        const QJsonObject full = run({QStringLiteral("--max-new-tokens"), QStringLiteral("12"), QStringLiteral("--min-new-tokens"),
                                      QStringLiteral("12")});
        const QString text = full.value(QStringLiteral("text")).toString();
        QVERIFY2(text.size() >= 6, qPrintable(text));
        const QString stop = text.mid(text.size() / 2, 2);
        const CliResult cut = runVora(args({QStringLiteral("--max-new-tokens"), QStringLiteral("12"), QStringLiteral("--stop"), stop}));
        QCOMPARE(cut.exitCode, 0);
        const QJsonObject result = lastJsonLine(cut.out);
        QCOMPARE(result.value(QStringLiteral("stop_reason")).toString(), QStringLiteral("stop_string"));
        QCOMPARE(result.value(QStringLiteral("text")).toString(), text.left(text.indexOf(stop)));
        QVERIFY(tokenList(result).size() < tokenList(full).size());
    }

    // --min-p 0.9999 at temperature 1 leaves only the likeliest token: the draws become the greedy answer.
    void minPKeepsOnlyTheLikeliestToken()
    {
        const QStringList sampled = {QStringLiteral("--temperature"), QStringLiteral("1"), QStringLiteral("--top-k"),
                                     QStringLiteral("0"), QStringLiteral("--top-p"), QStringLiteral("1"),
                                     QStringLiteral("--seed"), QStringLiteral("3")};
        const QStringList greedy = tokenList(run({}));
        QCOMPARE(greedy.size(), 8);
        QCOMPARE(tokenList(run(sampled + QStringList{QStringLiteral("--min-p"), QStringLiteral("0.9999")})), greedy);
        QVERIFY(tokenList(run(sampled)) != greedy);
    }

    // The penalty divides the positive logits of every token seen before (the prompt's and the answer's)
    // and multiplies the negative ones: at 1000 the greedy answer takes no token seen before, at 0.001
    // it takes nothing else.
    void repetitionPenaltyActsOnEveryTokenSeen()
    {
        const QString dump = m_dir.filePath(QStringLiteral("penalty.safetensors"));
        const QStringList plain = tokenList(run({QStringLiteral("--dump-logits"), dump}));
        QStringList prompt;
        for (int64_t id : ids(*vora::core::SafetensorsFile::open(dump.toStdString()), "input_ids")) {
            prompt.append(QString::number(id));
        }
        const QStringList avoiding = tokenList(run({QStringLiteral("--repetition-penalty"), QStringLiteral("1000")}));
        QCOMPARE(avoiding.size(), 8);
        QStringList seen = prompt;
        for (const QString& token : avoiding) {
            QVERIFY2(!seen.contains(token), qPrintable(token));
            seen.append(token);
        }
        const QStringList repeating = tokenList(run({QStringLiteral("--repetition-penalty"), QStringLiteral("0.001")}));
        QCOMPARE(repeating.size(), 8);
        for (const QString& token : repeating) {
            QVERIFY2(prompt.contains(token), qPrintable(token));
        }
        QVERIFY(std::any_of(plain.begin(), plain.end(), [&](const QString& token) { return !prompt.contains(token); }));
    }

    // --system replaces the template's default system prompt: the prompt's ids are exactly those of
    // the ChatML text with that system turn.
    void systemPromptIsTheSystemTurn()
    {
        const QString dump = m_dir.filePath(QStringLiteral("system.safetensors"));
        QCOMPARE(runVora(args({QStringLiteral("--system"), QStringLiteral("Answer in French."), QStringLiteral("--dump-logits"),
                               dump, QStringLiteral("--max-new-tokens"), QStringLiteral("1")}))
                     .exitCode,
                 0);
        const CliResult expected = runVora({QStringLiteral("tokenize"), QStringLiteral("--tokenizer"), m_model,
                                            QStringLiteral("--parse-special"),
                                            QStringLiteral("<|im_start|>system\nAnswer in French.<|im_end|>\n<|im_start|>user\n"
                                                           "Hi<|im_end|>\n<|im_start|>assistant\n")});
        QCOMPARE(expected.exitCode, 0);
        QStringList prompt;
        for (int64_t id : ids(*vora::core::SafetensorsFile::open(dump.toStdString()), "input_ids")) {
            prompt.append(QString::number(id));
        }
        QCOMPARE(QStringLiteral("[%1]").arg(prompt.join(QLatin1Char(','))), QString::fromUtf8(expected.out.trimmed()));
    }

    // --no-merge-lora runs lora_A / lora_B beside the base weights: the same function as the merged
    // weights (logits within float rounding), computed another way (not the same bits).
    void noMergeLoraRunsTheAdapterBesideTheWeights()
    {
        vora::testing::TinyModelOptions options;
        options.loraRank = 4;
        const QString model = QString::fromStdString(
            vora::testing::writeTinyQwenVoraModel(m_dir.filePath(QStringLiteral("tiny-lora")).toStdString(), options));
        const std::vector<float> merged = logits(model, {});
        const std::vector<float> unmerged = logits(model, {QStringLiteral("--no-merge-lora")});
        const std::vector<float> base = logits(m_model, {});
        QCOMPARE(unmerged.size(), merged.size());
        const double difference = maxAbsDifference(merged, unmerged);
        qInfo("merged vs unmerged LoRA: max |difference| %.3g", difference);
        QVERIFY(difference > 0);
        QVERIFY(difference < 1e-4);
        QVERIFY(maxAbsDifference(merged, base) > 1e-2); // the adapter does change the model
    }

    // --attention explicit computes softmax(QK^T) V itself instead of the fused kernel: the same
    // logits within float rounding, not the same bits.
    void explicitAttentionIsAnotherPathToTheSameLogits()
    {
        const QStringList image = {QStringLiteral("--image"), QStringLiteral(VORA_TEST_DATA_DIR "/image/decode/grey.png")};
        const std::vector<float> fused = logits(m_model, image);
        const std::vector<float> explicitPath = logits(m_model, image + QStringList{QStringLiteral("--attention"), QStringLiteral("explicit")});
        const double difference = maxAbsDifference(fused, explicitPath);
        qInfo("fused vs explicit attention: max |difference| %.3g", difference);
        QVERIFY(difference > 0);
        QVERIFY(difference < 1e-4);
    }

    // --dtype bfloat16 loads the weights in bfloat16: reported as such, with logits that differ from
    // float32's by bfloat16's rounding, not more.
    void bfloat16LoadsTheModelInBfloat16()
    {
        const QString dump = m_dir.filePath(QStringLiteral("bf16.safetensors"));
        const QJsonObject result = run({QStringLiteral("--dtype"), QStringLiteral("bfloat16"), QStringLiteral("--dump-logits"), dump});
        QCOMPARE(result.value(QStringLiteral("dtype")).toString(), QStringLiteral("bfloat16"));
        QCOMPARE(run({}).value(QStringLiteral("dtype")).toString(), QStringLiteral("float32"));
        const std::vector<float> bf16 = floats(*vora::core::SafetensorsFile::open(dump.toStdString()), "logits");
        const std::vector<float> fp32 = logits(m_model, {});
        double magnitude = 0;
        for (float value : fp32) {
            magnitude = std::max(magnitude, double(std::abs(value)));
        }
        const double difference = maxAbsDifference(fp32, bf16);
        qInfo("float32 vs bfloat16 logits: max |difference| %.3g of max |logit| %.3g", difference, magnitude);
        QVERIFY(difference > 1e-3);            // bfloat16 keeps 8 bits of mantissa, float32 24
        QVERIFY(difference < 0.1 * magnitude); // still the same model
    }

private:
    // The common arguments: greedy chat on "Hi", 8 new tokens, JSON.
    QStringList args(const QStringList& extra, const QString& model = {}) const
    {
        return QStringList{QStringLiteral("run"), QStringLiteral("--model"), model.isEmpty() ? m_model : model,
                           QStringLiteral("--prompt"), QStringLiteral("Hi"), QStringLiteral("--temperature"),
                           QStringLiteral("0"), QStringLiteral("--max-new-tokens"), QStringLiteral("8"),
                           QStringLiteral("--json")}
            + extra;
    }

    QJsonObject run(const QStringList& extra)
    {
        const CliResult result = runVora(args(extra));
        [&] { QVERIFY2(result.exitCode == 0, result.err.constData()); }();
        return lastJsonLine(result.out);
    }

    // The prefill logits of the chat prompt "Hi" (with extra flags), float32 [positions x vocab].
    std::vector<float> logits(const QString& model, const QStringList& extra)
    {
        const QString dump = m_dir.filePath(QStringLiteral("logits-%1.safetensors").arg(++m_dumps));
        const CliResult result = runVora(args(extra + QStringList{QStringLiteral("--dump-logits"), dump,
                                                                  QStringLiteral("--max-new-tokens"), QStringLiteral("1")},
                                              model));
        [&] { QVERIFY2(result.exitCode == 0, result.err.constData()); }();
        return floats(*vora::core::SafetensorsFile::open(dump.toStdString()), "logits");
    }

    QTemporaryDir m_dir;
    QString m_model;
    int m_dumps = 0;
};

QTEST_GUILESS_MAIN(TestCliRunFlags)
#include "test_cli_run_flags.moc"
