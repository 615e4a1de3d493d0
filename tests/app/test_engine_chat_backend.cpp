// The real backend (vora_core's engine) under the app: a tiny random VoRA model with the real Qwen2
// tokenizer, driven directly and through ModelHost + ConversationController.
#include "app/chat/conversation_controller.h"
#include "app/chat/message_list_model.h"
#include "app/inference/engine_chat_backend.h"
#include "app/storage/conversation_store.h"
#include "app/storage/json_codec.h"
#include "core/runtime/attention_recorder.h"
#include "core/runtime/vora_engine.h"
#include "core/tokenizer/tokenizer.h"
#include "tiny_model_writer.h"

#include <QBuffer>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <cstring>
#include <stdexcept>

using namespace vora::app;

namespace {

ModelLoadOptions cpu(qint64 maxContext = 0)
{
    ModelLoadOptions options;
    options.device = QStringLiteral("cpu");
    options.maxContext = maxContext;
    return options;
}

} // namespace

class TestEngineChatBackend : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_model = QString::fromStdString(vora::testing::writeTinyQwenVoraModel(m_dir.filePath(QStringLiteral("tiny")).toStdString()));
        QImage image(90, 60, QImage::Format_RGB32);
        image.fill(QColor(30, 120, 200));
        m_image = m_dir.filePath(QStringLiteral("blue.png"));
        QVERIFY(image.save(m_image));
    }

    void loadsAndStreams()
    {
        EngineChatBackend backend;
        double lastFraction = -1;
        const ModelInfo info = backend.load(m_model, cpu(), [&](double f, const QString&) { lastFraction = f; });
        QCOMPARE(lastFraction, 1.0);
        QCOMPARE(info.device, QStringLiteral("cpu"));
        QCOMPARE(info.imageSize, 56);
        QVERIFY(info.parameterCount > 151936 * 16);
        // The tiny model's generation_config.json, through core's parser.
        QCOMPARE(info.defaults.sampling.topK, 20);
        QCOMPARE(info.defaults.sampling.repetitionPenalty, 1.05);
        QCOMPARE(info.defaults.stop.eosIds, (std::vector<int64_t>{151645, 151643}));

        vora::core::GenerationSettings settings;
        settings.sampling.temperature = 0;
        settings.stop.maxNewTokens = 5;
        settings.stop.minNewTokens = 5; // no end token before the budget: the answer must end by length
        QString streamed;
        std::atomic<bool> stop{false};
        const QList<ChatTurnInput> conversation = {{QStringLiteral("user"), QStringLiteral("What colour is this?"), {m_image}}};
        const vora::core::GenerationStats stats =
            backend.generate(conversation, settings, [&](const QString& p) { streamed += p; }, stop);
        QCOMPARE(stats.stopReason, vora::core::StopReason::Length);
        QCOMPARE(stats.generatedTokens, 5);
        QCOMPARE(stats.imageTokens, 16);
        QVERIFY(stats.promptTokens > 16); // 16 image tokens + the chat template
        QVERIFY(!streamed.isEmpty());
        // Greedy: the same conversation gives the same text.
        QString again;
        backend.generate(conversation, settings, [&](const QString& p) { again += p; }, stop);
        QCOMPARE(again, streamed);

        // A stop string that the answer contains ends it there, with the stop string held back.
        const QString stopString = streamed.mid(1, 2);
        settings.stop.minNewTokens = 0;
        settings.stop.stopStrings = {stopString.toStdString()};
        QString cut;
        const vora::core::GenerationStats stopped =
            backend.generate(conversation, settings, [&](const QString& p) { cut += p; }, stop);
        QCOMPARE(stopped.stopReason, vora::core::StopReason::StopString);
        QCOMPARE(cut, streamed.left(streamed.indexOf(stopString)));
    }

    void stopRequestCancels()
    {
        EngineChatBackend backend;
        backend.load(m_model, cpu(), {});
        vora::core::GenerationSettings settings;
        settings.stop.maxNewTokens = 200;
        std::atomic<bool> stop{true};
        const vora::core::GenerationStats stats = backend.generate({{QStringLiteral("user"), QStringLiteral("hi"), {}}},
                                                                   settings, [](const QString&) {}, stop);
        QCOMPARE(stats.stopReason, vora::core::StopReason::Cancelled);
        QCOMPARE(stats.generatedTokens, 0);
    }

    void errorsAreExceptionsWithReadableText()
    {
        EngineChatBackend backend;
        std::atomic<bool> stop{false};
        QVERIFY_THROWS_EXCEPTION(std::exception, backend.generate({}, {}, [](const QString&) {}, stop)); // nothing loaded
        QVERIFY_THROWS_EXCEPTION(std::exception, backend.load(m_dir.filePath(QStringLiteral("missing")), cpu(), {}));
        backend.load(m_model, cpu(), {});
        try {
            backend.generate({{QStringLiteral("user"), QStringLiteral("look"), {m_dir.filePath(QStringLiteral("none.png"))}}},
                             {}, [](const QString&) {}, stop);
            QFAIL("a missing image must fail");
        } catch (const std::exception& error) {
            QVERIFY(QString::fromUtf8(error.what()).contains(QStringLiteral("none.png")));
        }
    }

    void controllerRunsTheRealModel()
    {
        QTemporaryDir data;
        ConversationStore store(data.filePath(QStringLiteral("store")));
        ModelHost host(std::make_unique<EngineChatBackend>());
        ConversationController controller(&store, &host);
        QSignalSpy loaded(&host, &ModelHost::loaded);
        QSignalSpy finished(&controller, &ConversationController::generationFinished);
        host.loadModel(m_model);
        QVERIFY(loaded.wait(60000));
        ConversationSettings settings;
        settings.generation.sampling.temperature = 0;
        settings.generation.stop.maxNewTokens = 6;
        settings.generation.stop.minNewTokens = 6;
        controller.setChatOverrides(settingsOverrides(settings, controller.inheritedSettings()));
        QImage image(m_image);
        QByteArray png;
        QBuffer buffer(&png);
        buffer.open(QIODevice::WriteOnly);
        image.save(&buffer, "PNG");
        QVERIFY(controller.send(QStringLiteral("Describe it."), {png}));
        QVERIFY(finished.wait(60000));
        const auto stats = finished.first().first().value<vora::core::GenerationStats>();
        QCOMPARE(stats.generatedTokens, 6);
        QCOMPARE(stats.stopReason, vora::core::StopReason::Length);
        MessageListModel* messages = controller.messages();
        QCOMPARE(messages->rowCount(), 2);
        const QModelIndex answer = messages->index(1);
        QCOMPARE(answer.data(MessageListModel::RoleRole).toString(), QStringLiteral("assistant"));
        QCOMPARE(answer.data(MessageListModel::StateRole).toInt(), int(MessageState::Complete));
        QVERIFY(!answer.data(MessageListModel::TextRole).toString().isEmpty());
        QCOMPARE(store.messages(controller.currentConversationId()).at(1).stats, std::optional(stats));
    }

    void promptTokensAreWhatTheGenerationReports()
    {
        EngineChatBackend backend;
        const ModelInfo info = backend.load(m_model, cpu(96), {});
        QCOMPARE(info.maxContext, 96);
        QVERIFY(info.hasVision);
        const QList<ChatTurnInput> conversation = {{QStringLiteral("system"), QStringLiteral("Be brief."), {}},
                                                   {QStringLiteral("user"), QStringLiteral("Two of them?"), {m_image, m_image}}};
        vora::core::GenerationSettings settings;
        settings.stop.maxNewTokens = 1;
        std::atomic<bool> stop{false};
        const qint64 counted = backend.promptTokens(conversation);
        const vora::core::GenerationStats stats = backend.generate(conversation, settings, [](const QString&) {}, stop);
        QCOMPARE(counted, stats.promptTokens);
        QCOMPARE(stats.imageTokens, 32);
    }

    void theWorkerClampsTheRealModelsBudget()
    {
        // A 64-token context and the built-in 512 new tokens, through ModelHost's worker and the real engine.
        QTemporaryDir data;
        ConversationStore store(data.filePath(QStringLiteral("store")));
        ModelHost host(std::make_unique<EngineChatBackend>());
        host.setLoadOptions(cpu(64));
        ConversationController controller(&store, &host);
        QSignalSpy loaded(&host, &ModelHost::loaded);
        QSignalSpy budgets(&host, &ModelHost::budgetReady);
        QSignalSpy finished(&controller, &ConversationController::generationFinished);
        host.loadModel(m_model);
        QVERIFY(loaded.wait(60000));
        ConversationSettings settings = controller.inheritedSettings();
        settings.generation.sampling.temperature = 0;
        settings.generation.stop.maxNewTokens = 512;
        settings.generation.stop.minNewTokens = 512; // no early end: the answer runs to the clamped budget
        controller.setChatOverrides(settingsOverrides(settings, controller.inheritedSettings()));
        QVERIFY(controller.send(QStringLiteral("Hello"), {}));
        QVERIFY(finished.wait(60000));
        const auto stats = finished.first().first().value<vora::core::GenerationStats>();
        QCOMPARE(budgets.count(), 1);
        const auto budget = budgets.first().at(1).value<vora::core::TokenBudget>();
        QCOMPARE(budget.contextTokens, 64);
        QCOMPARE(budget.promptTokens, stats.promptTokens);
        QCOMPARE(budget.requestedNewTokens, 512);
        QCOMPARE(qint64(budget.newTokens), 64 - stats.promptTokens);
        QCOMPARE(qint64(stats.generatedTokens), 64 - stats.promptTokens);
        QVERIFY(!controller.messages()->at(1).notice.isEmpty());
    }

    void capturesTheAnswersAttentionAsCoreRecordsIt()
    {
        EngineChatBackend backend;
        backend.load(m_model, cpu(), {});
        const QList<ChatTurnInput> conversation = {{QStringLiteral("user"), QStringLiteral("Where?"), {m_image}}};
        vora::core::GenerationSettings settings;
        settings.sampling.temperature = 0;
        settings.stop.maxNewTokens = 4;
        settings.stop.minNewTokens = 4;
        std::atomic<bool> stop{false};
        backend.setAttentionCapture(AttentionDetailLevel::Heads);
        const vora::core::GenerationStats stats = backend.generate(conversation, settings, [](const QString&) {}, stop);
        const AnswerAttention map = backend.takeAttention();
        QVERIFY(backend.takeAttention().isEmpty()); // taken once
        QCOMPARE(map.tokens.size(), qsizetype(stats.generatedTokens));
        QCOMPARE(map.images.size(), 1);

        // The same prompt straight through core's engine and recorder: every stored value is core's
        // float rounded to float16, bit for bit.
        vora::core::EngineOptions options;
        const auto engine = vora::core::VoraEngine::load(m_model.toStdString(), options);
        const vora::core::PreparedImage image = engine->prepareImage(m_image.toStdString());
        vora::core::AttentionRecorder recorder({}, vora::core::AttentionDetail::Heads);
        vora::core::TextCallbacks callbacks;
        callbacks.attention = &recorder;
        const auto result = engine->generate(engine->chatPrompt({{"user", "Where?", 1}}, {image}), settings, callbacks);
        const std::vector<vora::core::TokenAttention> tokens = recorder.tokens();
        QCOMPARE(qsizetype(tokens.size()), map.tokens.size());
        QCOMPARE(map.images[0].gridHeight, image.geometry.gridHeight);
        QCOMPARE(map.images[0].originalWidth, 90);
        QCOMPARE(map.layerNumbers.size(), qsizetype(recorder.recordedLayers().size()));
        QCOMPARE(map.heads, engine->summary().attentionHeads);
        QCOMPARE(map.kvHeads, engine->summary().keyValueHeads);
        int compared = 0;
        const auto sameHalf = [&](qfloat16 stored, float captured) {
            ++compared;
            const qfloat16 expected(captured);
            return std::memcmp(&stored, &expected, sizeof(qfloat16)) == 0;
        };
        for (qsizetype i = 0; i < map.tokens.size(); ++i) {
            const AttentionToken& token = map.tokens[i];
            QCOMPARE(token.text, QString::fromStdString(engine->tokenizer().decode({int32_t(result.tokenIds[size_t(i)])}, false)));
            QCOMPARE(token.imageShare, tokens[size_t(i)].imageShare);
            for (size_t p = 0; p < token.mean.size(); ++p) {
                QVERIFY(sameHalf(token.mean[p], tokens[size_t(i)].perImage[0][p]));
            }
            for (size_t l = 0; l < token.heads.size(); ++l) {
                for (size_t h = 0; h < token.heads[l].size(); ++h) {
                    for (size_t p = 0; p < token.heads[l][h].size(); ++p) {
                        QVERIFY(sameHalf(token.heads[l][h][p], tokens[size_t(i)].heads[l][h][0][p]));
                    }
                }
            }
        }
        const int patches = map.images[0].patches();
        QCOMPARE(compared, int(map.tokens.size()) * patches * (1 + map.heads * int(map.layerNumbers.size())));
        // The 90x60 image is padded top and bottom: the top row of patches lies partly on padding, and
        // the rectangles stay inside the original picture.
        const QRectF top = map.images[0].patchRectInOriginal(0, 0);
        QVERIFY(top.top() >= 0 && top.bottom() <= 60.0 + 1e-9);
    }

    void theControllerSavesTheMapAndRegeneratingDropsIt()
    {
        QTemporaryDir data;
        ConversationStore store(data.filePath(QStringLiteral("store")));
        ModelHost host(std::make_unique<EngineChatBackend>());
        host.setLoadOptions(cpu());
        ConversationController controller(&store, &host);
        controller.setAttentionCapture(AttentionDetailLevel::Layers, 0);
        QSignalSpy loaded(&host, &ModelHost::loaded);
        QSignalSpy finished(&controller, &ConversationController::generationFinished);
        host.loadModel(m_model);
        QVERIFY(loaded.wait(60000));
        ConversationSettings settings = controller.inheritedSettings();
        settings.generation.stop.maxNewTokens = 3;
        controller.setChatOverrides(settingsOverrides(settings, controller.inheritedSettings()));
        QFile png(m_image);
        QVERIFY(png.open(QIODevice::ReadOnly));
        QVERIFY(controller.send(QStringLiteral("Where?"), {png.readAll()}));
        QVERIFY(finished.wait(60000));
        const qint64 first = controller.messages()->at(1).id;
        QVERIFY(controller.messages()->at(1).hasAttention);
        const std::optional<AnswerAttention> saved = store.attention(first);
        QVERIFY(saved.has_value());
        QCOMPARE(saved->detail, AttentionDetailLevel::Layers);
        QVERIFY(QFileInfo::exists(saved->images[0].imagePath)); // the store's copy of the image
        QVERIFY(store.messages(controller.currentConversationId()).at(1).hasAttention);
        // Rollout's source stays in memory with the answer (its prompt and ids), never in the store.
        const std::shared_ptr<const RolloutSource> source = controller.rolloutSource(first);
        QVERIFY(source);
        QCOMPARE(source->answerIds.size(), size_t(saved->tokens.size()));
        QCOMPARE(source->modelPath, m_model);
        QVERIFY(!saved->rolloutSource);

        // SQLite may give the new answer the old one's id; the map must not outlive its answer anyway.
        controller.regenerate(1);
        QVERIFY(!store.attention(first).has_value());
        QVERIFY(!store.attention(controller.messages()->at(1).id).has_value());
        QVERIFY(!controller.messages()->at(1).hasAttention);
        QVERIFY(finished.wait(60000));
        QVERIFY(store.attention(controller.messages()->at(1).id).has_value());
        const std::shared_ptr<const RolloutSource> regenerated = controller.rolloutSource(controller.messages()->at(1).id);
        QVERIFY(regenerated && regenerated != source);
    }

private:
    QTemporaryDir m_dir;
    QString m_model;
    QString m_image;
};

QTEST_GUILESS_MAIN(TestEngineChatBackend)
#include "test_engine_chat_backend.moc"
