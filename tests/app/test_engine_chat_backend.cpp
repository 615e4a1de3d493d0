// The real backend (vora_core's engine) under the app: a tiny random VoRA model with the real Qwen2
// tokenizer, driven directly and through ModelHost + ConversationController.
#include "app/chat/conversation_controller.h"
#include "app/chat/message_list_model.h"
#include "app/inference/engine_chat_backend.h"
#include "app/storage/conversation_store.h"
#include "app/storage/json_codec.h"
#include "tiny_model_writer.h"

#include <QBuffer>
#include <QImage>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

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

private:
    QTemporaryDir m_dir;
    QString m_model;
    QString m_image;
};

QTEST_GUILESS_MAIN(TestEngineChatBackend)
#include "test_engine_chat_backend.moc"
