#include "app/chat/conversation_controller.h"

#include "app/chat/message_list_model.h"
#include "app/conversations/conversation_list_model.h"
#include "app/storage/conversation_store.h"

#include <exception>

namespace vora::app {
namespace {

const char* const kNewChatTitle = QT_TRANSLATE_NOOP("vora::app::ConversationController", "New chat");

QString titleFrom(const QString& text)
{
    const QString line = text.simplified();
    return line.size() <= 48 ? line : line.left(47) + QChar(0x2026);
}

} // namespace

ConversationController::ConversationController(ConversationStore* store, ModelHost* host, QObject* parent)
    : QObject(parent)
    , m_store(store)
    , m_host(host)
    , m_conversations(new ConversationListModel(store, this))
    , m_messages(new MessageListModel(this))
{
    connect(host, &ModelHost::stateChanged, this, &ConversationController::onModelStateChanged);
    connect(host, &ModelHost::textReady, this, &ConversationController::onTextReady);
    connect(host, &ModelHost::generationFinished, this, &ConversationController::onGenerationFinished);
    connect(host, &ModelHost::generationFailed, this, &ConversationController::onGenerationFailed);
}

ConversationController::~ConversationController()
{
    if (m_active.stop) {
        m_active.stop->store(true);
    }
}

void ConversationController::onModelStateChanged(ModelHost::ModelState state)
{
    if (state != ModelHost::ModelState::Ready) {
        abandonActive(); // the model that was answering is going away
    }
}

ConversationSettings ConversationController::defaultSettings() const
{
    return {QString(), m_host->info().defaults};
}

ConversationSettings ConversationController::effectiveSettings() const
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
    return defaultSettings();
}

bool ConversationController::hasCustomSettings() const
{
    try {
        return m_currentConversation != 0 && m_store->conversationSettings(m_currentConversation).has_value();
    } catch (const std::exception&) {
        return false;
    }
}

void ConversationController::setConversationSettings(const std::optional<ConversationSettings>& settings)
{
    if (m_currentConversation == 0) {
        newConversation();
    }
    persist([&] { m_store->setConversationSettings(m_currentConversation, settings); },
            tr("Could not save the conversation settings"));
}

void ConversationController::newConversation()
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

void ConversationController::openConversation(qint64 conversationId)
{
    if (conversationId == m_currentConversation) {
        return;
    }
    abandonActive();
    setCurrentConversation(conversationId);
}

void ConversationController::deleteConversation(qint64 conversationId)
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

void ConversationController::setSearchFilter(const QString& filter)
{
    m_conversations->setFilter(filter);
}

bool ConversationController::send(const QString& text, const QList<QByteArray>& images)
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

void ConversationController::stop()
{
    if (m_active.stop) {
        m_active.stop->store(true);
    }
}

void ConversationController::regenerate(int assistantRow)
{
    if (!m_host->isReady() || assistantRow < 0 || assistantRow >= m_messages->rowCount()
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

bool ConversationController::editAndResend(int userRow, const QString& text)
{
    if (!m_host->isReady() || userRow < 0 || userRow >= m_messages->rowCount()
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

void ConversationController::startGeneration()
{
    const int row = m_messages->rowCount() - 1;
    const ConversationSettings settings = effectiveSettings();
    m_active.stop = makeStopToken();
    m_active.messageId = m_messages->at(row).id;
    m_active.requestId = m_host->generate(turnsBefore(row, settings), settings.generation, m_active.stop);
    Q_EMIT generatingChanged(true);
}

QList<ChatTurnInput> ConversationController::turnsBefore(int row, const ConversationSettings& settings) const
{
    QList<ChatTurnInput> turns;
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

void ConversationController::onTextReady(quint64 requestId, const QString& text)
{
    if (requestId != m_active.requestId) {
        return;
    }
    const int row = m_messages->rowOf(m_active.messageId);
    if (row >= 0) {
        m_messages->appendText(row, text);
    }
}

void ConversationController::onGenerationFinished(quint64 requestId, const core::GenerationStats& stats)
{
    if (requestId != m_active.requestId) {
        return;
    }
    const bool stopped = stats.stopReason == core::StopReason::Cancelled;
    finishActive(stopped ? MessageState::Stopped : MessageState::Complete, {}, stats);
    Q_EMIT generationFinished(stats);
}

void ConversationController::onGenerationFailed(quint64 requestId, const QString& message)
{
    if (requestId != m_active.requestId) {
        return;
    }
    finishActive(MessageState::Error, message, std::nullopt);
    Q_EMIT errorOccurred(tr("The answer could not be generated"), message);
}

void ConversationController::finishActive(MessageState state, const QString& error, const std::optional<core::GenerationStats>& stats)
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

void ConversationController::abandonActive()
{
    if (m_active.requestId == 0) {
        return;
    }
    // The worker may still send text for this request; its id is no longer awaited, so it is dropped.
    m_active.stop->store(true);
    finishActive(MessageState::Stopped, {}, std::nullopt);
}

void ConversationController::setCurrentConversation(qint64 conversationId)
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

bool ConversationController::persist(const std::function<void()>& write, const QString& what)
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
