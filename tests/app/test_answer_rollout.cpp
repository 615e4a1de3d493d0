// Rollout in the app (app/attention/answer_rollout.h, rollout_requester.h): an answer generated through
// ModelHost's worker on a tiny random VoRA model (3 layers, config lora.layers = 2) is rolled out on
// that worker, and the app's maps equal core's reprefillAttention called directly on an independently
// loaded model with an independently built request (the chat prompt from the same turn, the answer
// from a second greedy run), value by value. Also: the layer range (the vision-LoRA layers), the
// source kept with the answer, the reasons rollout is unavailable, and errors reaching the caller.
#include "app/attention/rollout_requester.h"
#include "app/inference/engine_chat_backend.h"
#include "app/inference/model_host.h"
#include "core/attention/reprefill_attention.h"
#include "core/model/vora_model.h"
#include "core/runtime/vora_engine.h"
#include "tiny_model_writer.h"

#include <QImage>
#include <QPainter>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace vora::app;

namespace {

vora::core::GenerationSettings greedy(int tokens)
{
    vora::core::GenerationSettings settings;
    settings.sampling.temperature = 0;
    settings.stop.maxNewTokens = tokens;
    settings.stop.minNewTokens = tokens;
    return settings;
}

} // namespace

class TestAnswerRollout : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        vora::testing::TinyModelOptions options;
        options.layers = 3;
        options.mergedLoraLayers = 2;
        m_model = QString::fromStdString(vora::testing::writeTinyQwenVoraModel(m_dir.filePath(QStringLiteral("tiny")).toStdString(), options));
        m_other = QString::fromStdString(vora::testing::writeTinyQwenVoraModel(m_dir.filePath(QStringLiteral("other")).toStdString(), options));
        QImage picture(84, 56, QImage::Format_RGB32); // two images: this wide one and a square copy
        picture.fill(QColor(40, 90, 200));
        QPainter(&picture).fillRect(0, 0, 42, 56, QColor(210, 40, 40));
        m_images = {m_dir.filePath(QStringLiteral("wide.png")), m_dir.filePath(QStringLiteral("square.png"))};
        QVERIFY(picture.save(m_images[0]));
        QVERIFY(picture.scaled(56, 56).save(m_images[1]));
    }

    void appRolloutEqualsCoreReprefill()
    {
        ModelHost host(std::make_unique<EngineChatBackend>());
        QVERIFY(load(host, m_model));
        const QList<ChatTurnInput> conversation = {{QStringLiteral("user"), QStringLiteral("Where is the red?"), m_images}};
        QSignalSpy attentionSpy(&host, &ModelHost::attentionReady);
        QSignalSpy finished(&host, &ModelHost::generationFinished);
        host.generate(conversation, greedy(5), makeStopToken(), AttentionDetailLevel::Mean);
        QVERIFY(finished.wait(60000));
        QCOMPARE(attentionSpy.size(), 1);
        const auto attention = attentionSpy.at(0).at(1).value<AnswerAttention>();
        QCOMPARE(attention.tokens.size(), 5);
        QCOMPARE(attention.images.size(), 2);
        const std::shared_ptr<const RolloutSource> source = attention.rolloutSource;
        QVERIFY(source);
        QCOMPARE(source->modelPath, m_model);
        QCOMPARE(source->firstLayer, 0); // the vision-LoRA layers [0, lora.layers)
        QCOMPARE(source->lastLayer, 1);
        QVERIFY(source->visionLayers);
        QCOMPARE(host.rolloutUnavailableReason(source.get()), QString());

        RolloutRequester requester(&host, source);
        QSignalSpy states(&requester, &RolloutRequester::stateChanged);
        requester.request();
        QCOMPARE(requester.state(), RolloutRequester::State::Computing);
        QVERIFY(states.wait(60000));
        QCOMPARE(requester.state(), RolloutRequester::State::Ready);
        const AnswerRollout& rollout = requester.rollout();
        QCOMPARE(rollout.firstLayer, 0);
        QCOMPARE(rollout.lastLayer, 1);

        // Core on its own: the prompt from the same turn, the answer from a second greedy run.
        const auto engine = vora::core::VoraEngine::load(m_model.toStdString(), {});
        std::vector<vora::core::PreparedImage> images;
        for (const QString& path : m_images) {
            images.push_back(engine->prepareImage(path.toStdString()));
        }
        vora::core::ReprefillRequest request;
        request.prompt = engine->chatPrompt({{"user", "Where is the red?", 2}}, images);
        request.answerIds = engine->generate(request.prompt, greedy(5)).tokenIds;
        request.rolloutLayers = {0, 1};
        QVERIFY(request.prompt == *source->prompt);
        QCOMPARE(request.answerIds, std::vector<int64_t>(source->answerIds.begin(), source->answerIds.end()));
        const auto model = vora::core::VoraModel::load(m_model.toStdString());
        const vora::core::ReprefillAttention expected = vora::core::reprefillAttention(*model, request);

        QCOMPARE(rollout.tokens.size(), expected.answerRollout.size());
        size_t compared = 0;
        double maxDiff = 0;
        for (size_t t = 0; t < rollout.tokens.size(); ++t) {
            for (int j = 0; j < attention.images.size(); ++j) {
                const std::vector<float> grid = rolloutGrid(rollout, attention, int(t), j);
                QCOMPARE(grid.size(), expected.answerRollout[t][size_t(j)].size());
                for (size_t i = 0; i < grid.size(); ++i) {
                    maxDiff = std::max(maxDiff, std::abs(double(grid[i]) - double(expected.answerRollout[t][size_t(j)][i])));
                    ++compared;
                }
            }
        }
        qInfo("compared %zu rollout values, max |diff| %.3g", compared, maxDiff);
        QCOMPARE(compared, size_t(5 * attention.totalPatches()));
        QVERIFY(attention.totalPatches() > attention.images[0].patches());
        QVERIFY2(maxDiff <= 1e-6, qPrintable(QString::number(maxDiff)));
        double mass = 0; // a rolled-out row is stochastic: the images hold a real, partial share
        for (float v : rollout.tokens[0]) {
            mass += v;
        }
        QVERIFY(mass > 0.01 && mass < 1.0);

        // Asking again (another viewer on the same answer) comes from the backend's cache: the same bits.
        QSignalSpy again(&host, &ModelHost::rolloutReady);
        host.computeRollout(*source);
        QVERIFY(again.wait(60000));
        QCOMPARE(again.at(0).at(1).value<AnswerRollout>().tokens, rollout.tokens);
    }

    void saysWhyItIsUnavailable()
    {
        ModelHost host(std::make_unique<EngineChatBackend>());
        RolloutSource source;
        source.modelPath = m_model;
        source.prompt = std::make_shared<const vora::core::PromptInput>();
        QVERIFY(host.rolloutUnavailableReason(nullptr).contains(QStringLiteral("regenerate the answer")));
        QVERIFY(host.rolloutUnavailableReason(&source).contains(QStringLiteral("load ") + m_model));
        QVERIFY(load(host, m_other));
        QVERIFY(host.rolloutUnavailableReason(&source).contains(QStringLiteral("the model that wrote this answer")));
        // Without a source or a host the requester never asks.
        RolloutRequester orphan(&host, nullptr);
        orphan.request();
        QCOMPARE(orphan.state(), RolloutRequester::State::Idle);
        RolloutRequester hostless(nullptr, std::make_shared<const RolloutSource>(source));
        QVERIFY(!hostless.unavailableReason().isEmpty());
    }

    void anErrorReachesTheRequester()
    {
        ModelHost host(std::make_unique<EngineChatBackend>());
        QVERIFY(load(host, m_model));
        auto source = std::make_shared<RolloutSource>();
        source->modelPath = m_model;
        source->prompt = std::make_shared<const vora::core::PromptInput>(vora::core::PromptInput{{1, 2, 3}, {}}); // no image
        RolloutRequester requester(&host, source);
        QSignalSpy states(&requester, &RolloutRequester::stateChanged);
        requester.request();
        QVERIFY(states.wait(60000));
        QCOMPARE(requester.state(), RolloutRequester::State::Failed);
        QVERIFY2(!requester.error().isEmpty(), "the re-prefill's error message reaches the viewer");
    }

private:
    static bool load(ModelHost& host, const QString& model)
    {
        QSignalSpy loaded(&host, &ModelHost::loaded);
        host.loadModel(model);
        return loaded.wait(60000);
    }

    QTemporaryDir m_dir;
    QString m_model, m_other;
    QStringList m_images;
};

QTEST_GUILESS_MAIN(TestAnswerRollout)
#include "test_answer_rollout.moc"
