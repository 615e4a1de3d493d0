#include "app/chat/chat_controller.h"

#include "app/chat/message_list_model.h"
#include "app/conversations/conversation_list_model.h"
#include "app/inference/inference_worker.h"
#include "app/models/model_folder_check.h"
#include "app/runtime_summary.h"
#include "app/storage/conversation_store.h"

#include <exception>

namespace vora::app {
namespace {

const char* const kNewChatTitle = QT_TRANSLATE_NOOP("vora::app::ChatController", "New chat");

QString titleFrom(const QString& text)
{
    const QString line = text.simplified();
    return line.size() <= 48 ? line : line.left(47) + QChar(0x2026);
}

} // namespace

ChatController::ChatController(ConversationStore* store, std::unique_ptr<ChatBackend> backend, QObject* parent)
    : QObject(parent)
    , m_store(store)
    , m_conversations(new ConversationListModel(store, this))
    , m_messages(new MessageListModel(this))
    , m_worker(new InferenceWorker(std::move(backend)))
{
    m_thread.setObjectName(QStringLiteral("inference"));
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connectWorker();
    m_thread.start();
}

ChatController::~ChatController()
{
    if (m_active.stop) {
        m_active.stop->store(true);
    }
    m_thread.quit();
    m_thread.wait();
}

void ChatController::connectWorker()
{
    connect(this, &ChatController::loadRequested, m_worker, &InferenceWorker::load, Qt::QueuedConnection);
    connect(this, &ChatController::generateRequested, m_worker, &InferenceWorker::generate, Qt::QueuedConnection);
    connect(m_worker, &InferenceWorker::loadProgress, this, &ChatController::onLoadProgress, Qt::QueuedConnection);
    connect(m_worker, &InferenceWorker::loaded, this, &ChatController::onLoaded, Qt::QueuedConnection);
    connect(m_worker, &InferenceWorker::loadFailed, this, &ChatController::onLoadFailed, Qt::QueuedConnection);
    connect(m_worker, &InferenceWorker::textReady, this, &ChatController::onTextReady, Qt::QueuedConnection);
    connect(m_worker, &InferenceWorker::generationFinished, this, &ChatController::onGenerationFinished,
            Qt::QueuedConnection);
    connect(m_worker, &InferenceWorker::generationFailed, this, &ChatController::onGenerationFailed,
            Qt::QueuedConnection);
}

GenerationSettings ChatController::effectiveSettings() const
{
    if (m_currentConversation != 0) {
        try {
            if (const auto custom = m_store->conversationSettings(m_currentConversation)) {
                return *custom;
            }
        } catch (const std::exception&) {
            // Unreadable settings fall back to the model's; the next write reports the store problem.
        }
    }
    return m_modelDefaults;
}

bool ChatController::hasCustomSettings() const
{
    try {
        return m_currentConversation != 0 && m_store->conversationSettings(m_currentConversation).has_value();
    } catch (const std::exception&) {
        return false;
    }
}

void ChatController::setConversationSettings(const std::optional<GenerationSettings>& settings)
{
    if (m_currentConversation == 0) {
        newConversation();
    }
    persist([&] { m_store->setConversationSettings(m_currentConversation, settings); },
            tr("Could not save the conversation settings"));
}

void ChatController::loadModel(const QString& modelDir)
{
    const ModelFolderCheck check = checkModelFolder(modelDir);
    if (!check.ok) {
        Q_EMIT modelLoadFailed(tr("%1 cannot be opened as a model. %2").arg(check.name, check.problem));
        return;
    }
    abandonActive();
    m_loadRequestId = ++m_lastRequestId;
    m_pendingModelDir = modelDir;
    m_pendingGenerationConfig = check.generationConfig;
    setModelState(ModelState::Loading);
    Q_EMIT loadRequested(m_loadRequestId, modelDir, runtimeSummary().bestDevice);
}

void ChatController::onLoadProgress(quint64 requestId, double fraction, const QString& stage)
{
    if (requestId == m_loadRequestId) {
        Q_EMIT modelLoadProgress(fraction, stage);
    }
}

void ChatController::onLoaded(quint64 requestId, const ModelInfo& info)
{
    if (requestId != m_loadRequestId) {
        return;
    }
    m_loadRequestId = 0;
    m_modelInfo = info;
    m_modelDefaults = overlayGenerationConfig(info.defaults, m_pendingGenerationConfig);
    setModelState(ModelState::Ready);
    Q_EMIT modelLoaded(info);
}

void ChatController::onLoadFailed(quint64 requestId, const QString& message)
{
    if (requestId != m_loadRequestId) {
        return;
    }
    m_loadRequestId = 0;
    m_modelInfo = {};
    setModelState(ModelState::None);
    Q_EMIT modelLoadFailed(message);
}

void ChatController::newConversation()
{
    abandonActive();
    if (m_currentConversation != 0 && m_messages->rowCount() == 0) {
        return; // the open conversation is still empty: reuse it
    }
    qint64 id = 0;
    if (!persist([&] { id = m_store->createConversation(tr(kNewChatTitle)); }, tr("Could not create a conversation"))) {
        return;
    }
    setCurrentConversation(id);
}

void ChatController::openConversation(qint64 conversationId)
{
    if (conversationId == m_currentConversation) {
        return;
    }
    abandonActive();
    setCurrentConversation(conversationId);
}

void ChatController::deleteConversation(qint64 conversationId)
{
    if (conversationId == m_currentConversation) {
        abandonActive();
    }
    if (!persist([&] { m_store->deleteConversation(conversationId); }, tr("Could not delete the conversation"))) {
        return;
    }
    if (conversationId == m_currentConversation) {
        setCurrentConversation(0);
    } else {
        m_conversations->refresh();
    }
}

void ChatController::setSearchFilter(const QString& filter)
{
    m_conversations->setFilter(filter);
}

bool ChatController::send(const QString& text, const QList<QByteArray>& images)
{
    if (!canSend() || (text.trimmed().isEmpty() && images.isEmpty())) {
        return false;
    }
    if (m_currentConversation == 0) {
        newConversation();
        if (m_currentConversation == 0) {
            return false;
        }
    }
    ChatMessage user;
    user.conversationId = m_currentConversation;
    user.role = QStringLiteral("user");
    user.text = text.trimmed();
    ChatMessage answer;
    answer.conversationId = m_currentConversation;
    answer.role = QStringLiteral("assistant");
    answer.state = MessageState::Streaming;
    const bool first = m_messages->rowCount() == 0;
    const bool saved = persist(
        [&] {
            for (const QByteArray& image : images) {
                user.imageHashes.append(m_store->importImage(image));
            }
            m_store->transaction([&] {
                m_store->addMessage(user);
                m_store->addMessage(answer);
                if (first && !user.text.isEmpty()) {
                    m_store->renameConversation(m_currentConversation, titleFrom(user.text));
                }
            });
        },
        tr("Could not save the message"));
    if (!saved) {
        return false;
    }
    m_messages->append(user);
    m_messages->append(answer);
    m_conversations->refresh();
    startGeneration();
    return true;
}

void ChatController::stop()
{
    if (m_active.stop) {
        m_active.stop->store(true);
    }
}

void ChatController::regenerate(int assistantRow)
{
    if (m_modelState != ModelState::Ready || assistantRow < 0 || assistantRow >= m_messages->rowCount()
        || m_messages->at(assistantRow).role != QLatin1String("assistant")) {
        return;
    }
    abandonActive();
    ChatMessage answer;
    answer.conversationId = m_currentConversation;
    answer.role = QStringLiteral("assistant");
    answer.state = MessageState::Streaming;
    const qint64 firstRemoved = m_messages->at(assistantRow).id;
    if (!persist(
            [&] {
                m_store->transaction([&] {
                    m_store->deleteMessagesFrom(m_currentConversation, firstRemoved);
                    m_store->addMessage(answer);
                });
            },
            tr("Could not save the conversation"))) {
        return;
    }
    m_messages->removeFrom(assistantRow);
    m_messages->append(answer);
    startGeneration();
}

bool ChatController::editAndResend(int userRow, const QString& text)
{
    if (m_modelState != ModelState::Ready || userRow < 0 || userRow >= m_messages->rowCount()
        || m_messages->at(userRow).role != QLatin1String("user") || text.trimmed().isEmpty()) {
        return false;
    }
    abandonActive();
    ChatMessage user = m_messages->at(userRow);
    user.text = text.trimmed();
    ChatMessage answer;
    answer.conversationId = m_currentConversation;
    answer.role = QStringLiteral("assistant");
    answer.state = MessageState::Streaming;
    const bool saved = persist(
        [&] {
            m_store->transaction([&] {
                m_store->updateMessage(user);
                if (userRow + 1 < m_messages->rowCount()) {
                    m_store->deleteMessagesFrom(m_currentConversation, m_messages->at(userRow + 1).id);
                }
                m_store->addMessage(answer);
            });
        },
        tr("Could not save the edited message"));
    if (!saved) {
        return false;
    }
    m_messages->removeFrom(userRow + 1);
    m_messages->replace(userRow, user);
    m_messages->append(answer);
    startGeneration();
    return true;
}

void ChatController::startGeneration()
{
    const int row = m_messages->rowCount() - 1;
    m_active.requestId = ++m_lastRequestId;
    m_active.stop = makeStopToken();
    m_active.messageId = m_messages->at(row).id;
    Q_EMIT generatingChanged(true);
    Q_EMIT generateRequested(m_active.requestId, turnsBefore(row), effectiveSettings(), m_active.stop);
}

QList<ChatTurnInput> ChatController::turnsBefore(int row) const
{
    QList<ChatTurnInput> turns;
    const GenerationSettings settings = effectiveSettings();
    if (!settings.systemPrompt.trimmed().isEmpty()) {
        turns.append({QStringLiteral("system"), settings.systemPrompt, {}});
    }
    for (int i = 0; i < row; ++i) {
        const ChatMessage& message = m_messages->at(i);
        // Failed answers and empty ones are not part of what the model said.
        if (message.state == MessageState::Error || (message.role == QLatin1String("assistant") && message.text.isEmpty())) {
            continue;
        }
        turns.append({message.role, message.text, message.imagePaths});
    }
    return turns;
}

void ChatController::onTextReady(quint64 requestId, const QString& text)
{
    if (requestId != m_active.requestId) {
        return;
    }
    const int row = m_messages->rowOf(m_active.messageId);
    if (row >= 0) {
        m_messages->appendText(row, text);
    }
}

void ChatController::onGenerationFinished(quint64 requestId, const GenerationStats& stats)
{
    if (requestId != m_active.requestId) {
        return;
    }
    const bool stopped = stats.stopReason == QLatin1String("cancelled");
    finishActive(stopped ? MessageState::Stopped : MessageState::Complete, {}, stats);
    Q_EMIT generationFinished(stats);
}

void ChatController::onGenerationFailed(quint64 requestId, const QString& message)
{
    if (requestId != m_active.requestId) {
        return;
    }
    finishActive(MessageState::Error, message, std::nullopt);
    Q_EMIT errorOccurred(tr("The answer could not be generated"), message);
}

void ChatController::finishActive(MessageState state, const QString& error, const std::optional<GenerationStats>& stats)
{
    const int row = m_messages->rowOf(m_active.messageId);
    m_active = {};
    if (row >= 0) {
        ChatMessage message = m_messages->at(row);
        message.state = state;
        message.error = error;
        message.stats = stats;
        m_messages->replace(row, message);
        persist([&] { m_store->updateMessage(message); }, tr("Could not save the answer"));
        m_conversations->refresh();
    }
    Q_EMIT generatingChanged(false);
}

void ChatController::abandonActive()
{
    if (m_active.requestId == 0) {
        return;
    }
    // The worker may still send text for this request; its id is no longer awaited, so it is dropped.
    m_active.stop->store(true);
    finishActive(MessageState::Stopped, {}, std::nullopt);
}

void ChatController::setModelState(ModelState state)
{
    if (state != m_modelState) {
        m_modelState = state;
        Q_EMIT modelStateChanged(state);
    }
}

void ChatController::setCurrentConversation(qint64 conversationId)
{
    QList<ChatMessage> loaded;
    if (conversationId != 0
        && !persist([&] { loaded = m_store->messages(conversationId); }, tr("Could not read the conversation"))) {
        conversationId = 0;
    }
    for (ChatMessage& message : loaded) {
        if (message.state == MessageState::Streaming) {
            message.state = MessageState::Stopped; // the app ended while this answer streamed
        }
    }
    m_currentConversation = conversationId;
    m_messages->setMessages(loaded);
    m_conversations->refresh();
    Q_EMIT currentConversationChanged(conversationId);
}

bool ChatController::persist(const std::function<void()>& write, const QString& what)
{
    try {
        write();
        return true;
    } catch (const std::exception& error) {
        Q_EMIT errorOccurred(what, QString::fromUtf8(error.what()));
        return false;
    }
}

} // namespace vora::app
