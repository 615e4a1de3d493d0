// Chats that stick to what the user set and never fail on defaults, at the controller: new chats are
// drafts until their first message (New Chat and settings changes save no empty rows); settings come
// in layers (model defaults < app-wide defaults < the chat's own) and reach the backend so; a budget
// the context cannot hold is clamped with a notice, and a conversation that fills the context fails
// with what to change; the context meter counts what the next message would take.
#include "app/chat/context_meter.h"
#include "app/chat/conversation_controller.h"
#include "app/chat/message_list_model.h"
#include "app/inference/fake_chat_backend.h"
#include "app/settings/app_settings.h"
#include "app/storage/conversation_store.h"
#include "app/storage/json_codec.h"
#include "model_folder_fixture.h"

#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace vora::app;

class TestChatSettingsLayers : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        m_qsettings = std::make_unique<QSettings>(m_dir->filePath(QStringLiteral("settings.ini")), QSettings::IniFormat);
        m_settings = std::make_unique<AppSettings>(m_qsettings.get());
        m_store = std::make_unique<ConversationStore>(m_dir->filePath(QStringLiteral("data")));
        auto backend = std::make_unique<FakeChatBackend>();
        m_fake = backend.get();
        m_host = std::make_unique<ModelHost>(std::move(backend));
        m_controller = std::make_unique<ConversationController>(m_store.get(), m_host.get(), m_settings.get());
    }

    void cleanup()
    {
        m_controller.reset();
        m_host.reset();
        m_store.reset();
        m_settings.reset();
        m_qsettings.reset();
        m_dir.reset();
    }

    void newChatsAreSavedWithTheirFirstMessageOnly()
    {
        loadModel();
        QSignalSpy changed(m_controller.get(), &ConversationController::currentConversationChanged);
        for (int i = 0; i < 3; ++i) {
            m_controller->newConversation();
        }
        QJsonObject overrides{{QStringLiteral("temperature"), 0.9}};
        m_controller->setChatOverrides(overrides); // a settings change on the empty chat
        QCOMPARE(m_controller->currentConversationId(), 0);
        QCOMPARE(m_store->conversations().size(), 0);
        QCOMPARE(m_controller->chatOverrides(), overrides);
        QVERIFY(m_controller->send(QStringLiteral("Hello there, model"), {}));
        waitUntilIdle();
        QCOMPARE(m_store->conversations().size(), 1);
        const ConversationSummary saved = m_store->conversations().first();
        QCOMPARE(m_controller->currentConversationId(), saved.id);
        QCOMPARE(saved.title, QStringLiteral("Hello there, model"));
        QCOMPARE(saved.modelName, QStringLiteral("VoRA-7B-Instruct"));
        QCOMPARE(m_store->conversationOverrides(saved.id), overrides); // the draft's settings went with it
        QCOMPARE(m_fake->lastSettings().sampling.temperature, 0.9);
        QCOMPARE(changed.last().first().toLongLong(), saved.id);
        // Ctrl+N after a real chat: a fresh draft with no settings of its own, still nothing new saved.
        m_controller->newConversation();
        QCOMPARE(m_controller->currentConversationId(), 0);
        QVERIFY(m_controller->chatOverrides().isEmpty());
        QCOMPARE(m_store->conversations().size(), 1);
    }

    void newChatsInheritTheAppDefaultsAndChatsOverrideThem()
    {
        loadModel();
        // The fixture model's generation_config.json: temperature 0.3, top_k 40.
        m_settings->setChatDefaults({{QStringLiteral("temperature"), 0.1}, {QStringLiteral("system_prompt"), QStringLiteral("Be brief.")}});
        QCOMPARE(m_controller->inheritedSettings().generation.sampling.temperature, 0.1);
        QCOMPARE(m_controller->inheritedSettings().generation.sampling.topK, 40); // from the model: not set by the app
        QVERIFY(m_controller->send(QStringLiteral("first chat"), {}));
        waitUntilIdle();
        const qint64 first = m_controller->currentConversationId();
        QCOMPARE(m_fake->lastSettings().sampling.temperature, 0.1);
        QCOMPARE(m_fake->lastConversation().first().role, QStringLiteral("system"));
        QCOMPARE(m_fake->lastConversation().first().text, QStringLiteral("Be brief."));

        // A chat of its own: temperature 0.9, and the system prompt emptied (the model's default).
        m_controller->newConversation();
        m_controller->setChatOverrides({{QStringLiteral("temperature"), 0.9}, {QStringLiteral("system_prompt"), QString()}});
        QVERIFY(m_controller->send(QStringLiteral("second chat"), {}));
        waitUntilIdle();
        QCOMPARE(m_fake->lastSettings().sampling.temperature, 0.9);
        QCOMPARE(m_fake->lastConversation().size(), 1); // no system turn

        // The app's defaults move: the first chat follows for the keys it does not set; the second keeps 0.9.
        m_settings->setChatDefaults({{QStringLiteral("temperature"), 0.2}, {QStringLiteral("top_k"), 7}});
        QCOMPARE(m_controller->effectiveSettings().generation.sampling.temperature, 0.9);
        QCOMPARE(m_controller->effectiveSettings().generation.sampling.topK, 7);
        m_controller->openConversation(first);
        QCOMPARE(m_controller->effectiveSettings().generation.sampling.temperature, 0.2);
        QVERIFY(m_controller->effectiveSettings().systemPrompt.isEmpty());
        // And the settings persist: a new controller over the same store and settings sees the same.
        m_controller.reset();
        m_controller = std::make_unique<ConversationController>(m_store.get(), m_host.get(), m_settings.get());
        m_controller->openConversation(first);
        QCOMPARE(m_controller->effectiveSettings().generation.sampling.topK, 7);
    }

    void aBudgetTheContextCannotHoldIsClampedWithANotice()
    {
        FakeChatScript script;
        script.info.maxContext = 64;
        script.pieces = QStringList(200, QStringLiteral("w "));
        loadModel(script);
        QCOMPARE(m_controller->effectiveSettings().generation.stop.maxNewTokens, 512); // the built-in default
        QSignalSpy clamped(m_controller.get(), &ConversationController::budgetClamped);
        QVERIFY(m_controller->send(QStringLiteral("one two three"), {}));
        waitUntilIdle();
        // The fake's prompt: 8 + (4 + 3 words) = 15 positions; 64 - 15 = 49 new tokens.
        QCOMPARE(m_fake->lastSettings().stop.maxNewTokens, 49);
        const ChatMessage answer = m_controller->messages()->at(1);
        QCOMPARE(answer.state, MessageState::Complete);
        QCOMPARE(answer.stats->generatedTokens, 49);
        QCOMPARE(answer.stats->stopReason, vora::core::StopReason::Length);
        QCOMPARE(clamped.count(), 1);
        QCOMPARE(answer.notice, clamped.first().first().toString());
        QVERIFY2(answer.notice.contains(QStringLiteral("at most 49 new tokens instead of 512")), qPrintable(answer.notice));
        QVERIFY2(answer.notice.contains(QStringLiteral("takes 15 of the model's 64-token context")), qPrintable(answer.notice));
    }

    void aConversationThatFillsTheContextSaysWhatToChange()
    {
        FakeChatScript script;
        script.info.maxContext = 12;
        loadModel(script);
        QVERIFY(m_controller->send(QStringLiteral("a question far too long for a twelve token context"), {}));
        waitUntilIdle();
        const ChatMessage answer = m_controller->messages()->at(1);
        QCOMPARE(answer.state, MessageState::Error);
        QVERIFY2(answer.error.contains(QStringLiteral("takes 22 tokens, but the model's context holds 12")), qPrintable(answer.error));
        QVERIFY2(answer.error.contains(QStringLiteral("Start a new chat, remove images, or shorten your message")),
                 qPrintable(answer.error));
        QCOMPARE(m_fake->generateCalls(), 0); // refused before the backend ran
    }

    void theContextMeterCountsTheNextMessage()
    {
        FakeChatScript script;
        script.info.maxContext = 2048;
        script.info.imageSize = 224; // 16 x 16 patches: 256 tokens per image
        script.info.patchSize = 14;
        loadModel(script);
        ContextMeter meter(m_controller.get());
        QSignalSpy changed(&meter, &ContextMeter::usageChanged);
        meter.setDraft(QStringLiteral("how many shapes"), 2);
        QVERIFY(changed.wait(3000));
        // 8 + (4 + 3 words) + two draft images of 256.
        QCOMPARE(meter.usage().promptTokens, 15 + 512);
        QCOMPARE(meter.usage().contextTokens, 2048);
        QCOMPARE(meter.usage().maxNewTokens, 512);
        QVERIFY(!meter.usage().full());
        QVERIFY(!meter.usage().answerClamped()); // 527 + 512 fit in 2048
        meter.setDraft(QStringLiteral("how many shapes"), 6);
        QVERIFY(changed.wait(3000));
        QCOMPARE(meter.usage().promptTokens, 15 + 6 * 256);
        QVERIFY(meter.usage().answerClamped()); // 1551 + 512 > 2048: the answer would be cut to 497
        QCOMPARE(meter.usage().answerRoom(), 2048 - 1551);
        QVERIFY(!meter.usage().full());
        meter.setDraft(QStringLiteral("how many shapes"), 8);
        QVERIFY(changed.wait(3000));
        QVERIFY(meter.usage().full()); // 2063 tokens: nothing fits
        // Without a model there is nothing to count.
        m_host->ejectModel();
        QVERIFY(!meter.usage().known());
    }

private:
    void loadModel(const FakeChatScript& script = {})
    {
        m_fake->setScript(script);
        QSignalSpy loaded(m_host.get(), &ModelHost::loaded);
        m_host->loadModel(vora::tests::makeModelFolder(m_dir->path()));
        QVERIFY(loaded.wait());
    }

    void waitUntilIdle()
    {
        QVERIFY(QTest::qWaitFor([&] { return !m_controller->isGenerating(); }, 20000));
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<QSettings> m_qsettings;
    std::unique_ptr<AppSettings> m_settings;
    std::unique_ptr<ConversationStore> m_store;
    FakeChatBackend* m_fake = nullptr;
    std::unique_ptr<ModelHost> m_host;
    std::unique_ptr<ConversationController> m_controller;
};

QTEST_GUILESS_MAIN(TestChatSettingsLayers)
#include "test_chat_settings_layers.moc"
