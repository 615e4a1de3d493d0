#include "app/chat/conversation_controller.h"
#include "app/chat/message_list_model.h"
#include "app/conversations/conversation_list_model.h"
#include "app/inference/fake_chat_backend.h"
#include "app/storage/conversation_store.h"
#include "app/storage/json_codec.h"
#include "model_folder_fixture.h"
#include "png_fixture.h"

#include <QAbstractItemModelTester>
#include <QBuffer>
#include <QImage>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace vora::app;

namespace {

QStringList numberedPieces(int count, const QString& prefix = QStringLiteral("w"))
{
    QStringList pieces;
    for (int i = 0; i < count; ++i) {
        pieces.append(QStringLiteral("%1%2 ").arg(prefix).arg(i));
    }
    return pieces;
}

} // namespace

class TestConversationController : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        m_store = std::make_unique<ConversationStore>(m_dir->filePath(QStringLiteral("data")));
        auto backend = std::make_unique<FakeChatBackend>();
        m_fake = backend.get();
        m_host = std::make_unique<ModelHost>(std::move(backend));
        m_controller = std::make_unique<ConversationController>(m_store.get(), m_host.get());
        connect(m_controller.get(), &ConversationController::errorOccurred, this,
                [](const QString& title, const QString& details) { qWarning() << title << details; });
        m_messageTester = std::make_unique<QAbstractItemModelTester>(
            m_controller->messages(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        m_listTester = std::make_unique<QAbstractItemModelTester>(
            m_controller->conversations(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    }

    void cleanup()
    {
        m_messageTester.reset();
        m_listTester.reset();
        m_controller.reset();
        m_host.reset();
        m_store.reset();
        m_dir.reset();
    }

    void loadsAValidFolderWithItsGenerationDefaults()
    {
        loadModel();
        QCOMPARE(m_host->state(), ModelHost::ModelState::Ready);
        QCOMPARE(m_host->info().name, QStringLiteral("VoRA-7B-Instruct"));
        // The fixture's generation_config.json, read by core's parser.
        const vora::core::SamplingParams defaults = m_controller->modelDefaults().generation.sampling;
        QCOMPARE(defaults.temperature, 0.3);
        QCOMPARE(defaults.topP, 0.9);
        QCOMPARE(defaults.topK, 40);
        QCOMPARE(defaults.repetitionPenalty, 1.1);
        QCOMPARE(defaults.minP, 0.0);
        QVERIFY(m_controller->modelDefaults().systemPrompt.isEmpty());
        QVERIFY(m_controller->chatOverrides().isEmpty());
    }

    void aFolderThatIsNoModelIsRefusedBeforeTheWorker()
    {
        QSignalSpy failed(m_host.get(), &ModelHost::loadFailed);
        m_host->loadModel(m_dir->path());
        QCOMPARE(failed.count(), 1);
        QVERIFY(failed.first().first().toString().contains(QStringLiteral("config.json")));
        QCOMPARE(m_host->state(), ModelHost::ModelState::None);
    }

    void aLoadErrorSurfacesAsASignalAndLeavesNoModel()
    {
        FakeChatScript script;
        script.loadError = QStringLiteral("weight llm.lm_head.weight has shape [3, 4], expected [151936, 3584]");
        m_fake->setScript(script);
        QSignalSpy failed(m_host.get(), &ModelHost::loadFailed);
        m_host->loadModel(vora::tests::makeModelFolder(m_dir->path()));
        QVERIFY(failed.wait());
        QVERIFY(failed.first().first().toString().contains(QStringLiteral("lm_head")));
        QCOMPARE(m_host->state(), ModelHost::ModelState::None);
        QVERIFY(!m_controller->send(QStringLiteral("hello"), {}));
    }

    void streamingArrivesInBatches()
    {
        FakeChatScript script;
        script.pieces = numberedPieces(80);
        script.pieceDelayMs = 2;
        loadModel(script);
        int textUpdates = 0;
        connect(m_controller->messages(), &QAbstractItemModel::dataChanged, this,
                [&](const QModelIndex&, const QModelIndex&, const QList<int>& roles) {
                    textUpdates += roles.contains(MessageListModel::TextRole) ? 1 : 0;
                });
        QVERIFY(m_controller->send(QStringLiteral("Describe"), {}));
        waitUntilIdle();
        const MessageListModel* messages = m_controller->messages();
        QCOMPARE(messages->rowCount(), 2);
        QCOMPARE(messages->at(1).text, script.pieces.join(QString()));
        QCOMPARE(messages->at(1).state, MessageState::Complete);
        qInfo("80 pieces arrived in %d text batches", textUpdates);
        QVERIFY2(textUpdates >= 1 && textUpdates < 40, qPrintable(QString::number(textUpdates)));
        // What the backend saw: the user turn only, with the conversation's settings.
        QCOMPARE(m_fake->lastConversation().size(), 1);
        QCOMPARE(m_fake->lastSettings().sampling.temperature, 0.3);
    }

    void stopInMidStreamKeepsThePartialText()
    {
        const FakeChatScript script = startLongAnswer();
        QSignalSpy finished(m_controller.get(), &ConversationController::generationFinished);
        m_controller->stop();
        waitUntilIdle();
        const ChatMessage answer = m_controller->messages()->at(1);
        QCOMPARE(answer.state, MessageState::Stopped);
        QVERIFY(!answer.text.isEmpty());
        QVERIFY(answer.text.size() < script.pieces.join(QString()).size());
        QVERIFY(script.pieces.join(QString()).startsWith(answer.text));
        QCOMPARE(finished.count(), 1);
        QCOMPARE(finished.first().first().value<vora::core::GenerationStats>().stopReason, vora::core::StopReason::Cancelled);
        const QList<ChatMessage> stored = m_store->messages(m_controller->currentConversationId());
        QCOMPARE(stored.at(1).state, MessageState::Stopped);
        QCOMPARE(stored.at(1).text, answer.text);
    }

    void ejectingTheModelStopsTheAnswerAndSending()
    {
        startLongAnswer();
        QSignalSpy states(m_host.get(), &ModelHost::stateChanged);
        m_host->ejectModel();
        QCOMPARE(m_host->state(), ModelHost::ModelState::None);
        QCOMPARE(states.count(), 1);
        QVERIFY(m_host->info().path.isEmpty());
        QVERIFY(!m_controller->isGenerating());
        QCOMPARE(m_controller->messages()->at(1).state, MessageState::Stopped);
        QVERIFY(!m_controller->canSend());
        QVERIFY(!m_controller->send(QStringLiteral("again"), {}));
        QVERIFY(QTest::qWaitFor([&] { return !m_fake->isLoaded(); }, 5000)); // the worker freed it
        QCOMPARE(m_store->messages(m_controller->currentConversationId()).at(1).state, MessageState::Stopped);
    }

    void resultsOfASupersededRequestAreDropped()
    {
        startLongAnswer(QStringLiteral("old"));
        FakeChatScript fresh;
        fresh.pieces = numberedPieces(30, QStringLiteral("new"));
        m_fake->setScript(fresh);
        m_controller->regenerate(1);
        waitUntilIdle();
        QCOMPARE(m_controller->messages()->rowCount(), 2);
        QCOMPARE(m_controller->messages()->at(1).text, fresh.pieces.join(QString()));
        QCOMPARE(m_controller->messages()->at(1).state, MessageState::Complete);
        QCOMPARE(m_fake->generateCalls(), 2);
    }

    void aGenerationErrorIsAStateNotModelText()
    {
        FakeChatScript script;
        script.pieces = numberedPieces(10);
        script.generateError = QStringLiteral("CUDA out of memory while allocating the KV cache");
        script.failAfterPieces = 3;
        loadModel(script);
        QSignalSpy errors(m_controller.get(), &ConversationController::errorOccurred);
        QVERIFY(m_controller->send(QStringLiteral("Describe"), {}));
        waitUntilIdle();
        QCOMPARE(errors.count(), 0); // shown once: in the message, not also as a window error
        const ChatMessage answer = m_controller->messages()->at(1);
        QCOMPARE(answer.state, MessageState::Error);
        QVERIFY(answer.error.contains(QStringLiteral("out of memory")));
        QVERIFY(!answer.text.contains(QStringLiteral("out of memory")));
        QCOMPARE(answer.text, QStringLiteral("w0 w1 w2 "));
        // The failed answer is not sent back to the model as history.
        FakeChatScript ok;
        ok.pieces = {QStringLiteral("fine")};
        m_fake->setScript(ok);
        QVERIFY(m_controller->send(QStringLiteral("again"), {}));
        waitUntilIdle();
        const QList<ChatTurnInput> seen = m_fake->lastConversation();
        QCOMPARE(seen.size(), 2);
        QCOMPARE(seen.at(1).text, QStringLiteral("again"));
    }

    void imagesTravelAsStoredFilesBeforeTheText()
    {
        FakeChatScript script;
        script.pieces = {QStringLiteral("a cat")};
        loadModel(script);
        const QByteArray red = pngBytes(Qt::red);
        QVERIFY(m_controller->send(QStringLiteral("What is this?"), {red, pngBytes(Qt::blue), red}));
        waitUntilIdle();
        const QList<ChatTurnInput> seen = m_fake->lastConversation();
        QCOMPARE(seen.size(), 1);
        QCOMPARE(seen.first().imagePaths.size(), 3);
        QCOMPARE(seen.first().imagePaths.at(0), seen.first().imagePaths.at(2)); // one file per content
        QVERIFY(QFileInfo(seen.first().imagePaths.at(1)).isAbsolute());
        QVERIFY(QFile::exists(seen.first().imagePaths.at(1)));
    }

    void editAndResendReplacesTheRestAndUsesTheSystemPrompt()
    {
        FakeChatScript script;
        script.pieces = {QStringLiteral("one")};
        loadModel(script);
        QVERIFY(m_controller->send(QStringLiteral("first"), {}));
        waitUntilIdle();
        QVERIFY(m_controller->send(QStringLiteral("second"), {}));
        waitUntilIdle();
        ConversationSettings custom = m_controller->effectiveSettings();
        custom.systemPrompt = QStringLiteral("Answer in French.");
        custom.generation.sampling.seed = 7;
        m_controller->setChatOverrides(settingsOverrides(custom, m_controller->inheritedSettings()));
        QCOMPARE(m_controller->chatOverrides().size(), 2);
        QVERIFY(m_controller->editAndResend(0, QStringLiteral("first, edited")));
        waitUntilIdle();
        QCOMPARE(m_controller->messages()->rowCount(), 2);
        QCOMPARE(m_controller->messages()->at(0).text, QStringLiteral("first, edited"));
        const QList<ChatTurnInput> seen = m_fake->lastConversation();
        QCOMPARE(seen.size(), 2);
        QCOMPARE(seen.at(0).role, QStringLiteral("system"));
        QCOMPARE(seen.at(0).text, QStringLiteral("Answer in French."));
        QCOMPARE(seen.at(1).text, QStringLiteral("first, edited"));
        QCOMPARE(m_fake->lastSettings().sampling.seed, 7);
        QCOMPARE(m_store->messages(m_controller->currentConversationId()).size(), 2);
    }

    void conversationsCanBeSearchedRenamedAndDeleted()
    {
        FakeChatScript script;
        script.pieces = {QStringLiteral("a tabby cat on a sofa")};
        loadModel(script);
        QVERIFY(m_controller->send(QStringLiteral("Describe the photo"), {}));
        waitUntilIdle();
        const qint64 first = m_controller->currentConversationId();
        m_controller->newConversation();
        QVERIFY(m_controller->send(QStringLiteral("Count the apples"), {}));
        waitUntilIdle();
        ConversationListModel* list = m_controller->conversations();
        QCOMPARE(list->rowCount(), 2);
        m_controller->setSearchFilter(QStringLiteral("TABBY"));
        QCOMPARE(list->rowCount(), 2); // both answers mention the tabby
        m_controller->setSearchFilter(QStringLiteral("apples"));
        QCOMPARE(list->rowCount(), 1);
        QVERIFY(list->setData(list->index(0), QStringLiteral("Fruit")));
        QCOMPARE(m_store->conversation(m_controller->currentConversationId())->title, QStringLiteral("Fruit"));
        m_controller->setSearchFilter({});
        m_controller->deleteConversation(first);
        QCOMPARE(list->rowCount(), 1);
        QVERIFY(m_store->messages(first).isEmpty());
    }

private:
    // Loads a model whose answer takes about two seconds and sends a question; returns once the first
    // text of the answer has arrived.
    FakeChatScript startLongAnswer(const QString& prefix = QStringLiteral("w"))
    {
        FakeChatScript script;
        script.pieces = numberedPieces(400, prefix);
        script.pieceDelayMs = 5;
        loadModel(script);
        [&] {
            QVERIFY(m_controller->send(QStringLiteral("Describe"), {}));
            QVERIFY(QTest::qWaitFor([&] { return !m_controller->messages()->at(1).text.isEmpty(); }, 5000));
        }();
        return script;
    }

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
    std::unique_ptr<ConversationStore> m_store;
    FakeChatBackend* m_fake = nullptr;
    std::unique_ptr<ModelHost> m_host;
    std::unique_ptr<ConversationController> m_controller;
    std::unique_ptr<QAbstractItemModelTester> m_messageTester;
    std::unique_ptr<QAbstractItemModelTester> m_listTester;
};

QTEST_GUILESS_MAIN(TestConversationController)
#include "test_conversation_controller.moc"
