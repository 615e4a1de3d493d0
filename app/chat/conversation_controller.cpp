#include "app/chat/conversation_controller.h"

#include "app/attention/attention_codec.h"

#include "app/chat/message_list_model.h"
#include "app/conversations/conversation_list_model.h"
#include "app/settings/app_settings.h"
#include "app/storage/conversation_store.h"
#include "app/storage/json_codec.h"

#include <exception>

namespace vora::app {
namespace {

QString titleFrom(const QString& text)
{
    const QString line = text.simplified();
    return line.size() <= 48 ? line : line.left(47) + QChar(0x2026);
}

ChatMessage streamingAnswer(qint64 conversationId)
{
    ChatMessage answer;
    answer.conversationId = conversationId;
    answer.role = QStringLiteral("assistant");
    answer.state = MessageState::Streaming;
    return answer;
}

} // namespace

ConversationController::ConversationController(ConversationStore* store, ModelHost* host, AppSettings* appSettings,
                                               QObject* parent)
    : QObject(parent)
    , m_store(store)
    , m_host(host)
    , m_appSettings(appSettings)
    , m_conversations(new ConversationListModel(store, this))
    , m_messages(new MessageListModel(this))
{
    connect(host, &ModelHost::stateChanged, this, &ConversationController::onModelStateChanged);
    connect(host, &ModelHost::budgetReady, this, &ConversationController::onBudgetReady);
    connect(host, &ModelHost::textReady, this, &ConversationController::onTextReady);
    connect(host, &ModelHost::attentionReady, this, &ConversationController::onAttentionReady);
    connect(host, &ModelHost::generationFinished, this, &ConversationController::onGenerationFinished);
    connect(host, &ModelHost::generationFailed, this, &ConversationController::onGenerationFailed);
    if (appSettings) {
        connect(appSettings, &AppSettings::chatDefaultsChanged, this, &ConversationController::settingsChanged);
        const auto applyAttention = [this, appSettings] {
            setAttentionCapture(appSettings->attentionDetail(), appSettings->attentionMaxBytes());
        };
        applyAttention();
        connect(appSettings, &AppSettings::attentionCaptureChanged, this, applyAttention);
    }
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
    Q_EMIT settingsChanged(); // the model's defaults are the bottom layer
}

QString ConversationController::currentTitle() const
{
    if (m_currentConversation == 0) {
        return tr("New chat");
    }
    try {
        if (const auto summary = m_store->conversation(m_currentConversation)) {
            return summary->title;
        }
    } catch (const std::exception&) {
    }
    return tr("Conversation");
}

ConversationSettings ConversationController::modelDefaults() const
{
    return {QString(), m_host->info().defaults};
}

ConversationSettings ConversationController::inheritedSettings() const
{
    return m_appSettings ? applySettingsOverrides(modelDefaults(), m_appSettings->chatDefaults()) : modelDefaults();
}

ConversationSettings ConversationController::effectiveSettings() const
{
    return applySettingsOverrides(inheritedSettings(), chatOverrides());
}

QJsonObject ConversationController::chatOverrides() const
{
    if (m_currentConversation == 0) {
        return m_draftOverrides;
    }
    try {
        return m_store->conversationOverrides(m_currentConversation);
    } catch (const std::exception&) {
        return {}; // unreadable settings follow the defaults; the next write reports the store problem
    }
}

void ConversationController::setChatOverrides(const QJsonObject& overrides)
{
    if (m_currentConversation == 0) {
        m_draftOverrides = overrides; // saved with the first message: a settings change saves no empty chat
    } else if (!persist([&] { m_store->setConversationOverrides(m_currentConversation, overrides); },
                        tr("Could not save the conversation settings"))) {
        return;
    }
    Q_EMIT settingsChanged();
}

QList<ChatTurnInput> ConversationController::turnsWithDraft(const QString& draft) const
{
    QList<ChatTurnInput> turns = turnsBefore(static_cast<int>(m_messages->rowCount()), effectiveSettings());
    if (!draft.trimmed().isEmpty()) {
        turns.append({QStringLiteral("user"), draft.trimmed(), {}});
    }
    return turns;
}

void ConversationController::newConversation()
{
    abandonActive();
    if (m_currentConversation == 0 && m_messages->rowCount() == 0) {
        return; // already a new chat
    }
    m_draftOverrides = {};
    setCurrentConversation(0);
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
        m_draftOverrides = {};
        setCurrentConversation(0);
    } else {
        m_conversations->refresh();
    }
}

void ConversationController::setSearchFilter(const QString& filter)
{
    m_conversations->setFilter(filter);
}

qint64 ConversationController::createConversation(const QString& firstText)
{
    const QString title = firstText.trimmed().isEmpty() ? tr("Image question") : titleFrom(firstText);
    const qint64 id = m_store->createConversation(title);
    m_store->setConversationOverrides(id, m_draftOverrides);
    return id;
}

bool ConversationController::send(const QString& text, const QList<QByteArray>& images)
{
    if (!canSend() || (text.trimmed().isEmpty() && images.isEmpty())) {
        return false;
    }
    ChatMessage user;
    user.role = QStringLiteral("user");
    user.text = text.trimmed();
    ChatMessage answer = streamingAnswer(0);
    qint64 conversation = m_currentConversation;
    const bool saved = persist(
        [&] {
            for (const QByteArray& image : images) {
                user.imageHashes.append(m_store->importImage(image));
            }
            m_store->transaction([&] {
                if (conversation == 0) {
                    conversation = createConversation(user.text);
                }
                user.conversationId = conversation;
                answer.conversationId = conversation;
                m_store->setConversationModel(conversation, m_host->info().name);
                m_store->addMessage(user);
                m_store->addMessage(answer);
            });
        },
        tr("Could not save the message"));
    if (!saved) {
        return false;
    }
    if (m_currentConversation != conversation) {
        m_currentConversation = conversation;
        m_draftOverrides = {};
        Q_EMIT currentConversationChanged(conversation);
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
    ChatMessage answer = streamingAnswer(m_currentConversation);
    const qint64 firstRemoved = m_messages->at(assistantRow).id;
    if (!persist(
            [&] {
                m_store->transaction([&] {
                    m_store->deleteMessagesFrom(m_currentConversation, firstRemoved);
                    m_store->setConversationModel(m_currentConversation, m_host->info().name);
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
    ChatMessage answer = streamingAnswer(m_currentConversation);
    const bool saved = persist(
        [&] {
            m_store->transaction([&] {
                m_store->updateMessage(user);
                if (userRow + 1 < m_messages->rowCount()) {
                    m_store->deleteMessagesFrom(m_currentConversation, m_messages->at(userRow + 1).id);
                }
                m_store->setConversationModel(m_currentConversation, m_host->info().name);
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
    m_active.requestId =
        m_host->generate(turnsBefore(row, settings), settings.generation, m_active.stop, m_attentionDetail);
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

void ConversationController::onBudgetReady(quint64 requestId, const core::TokenBudget& budget)
{
    if (requestId != m_active.requestId || !budget.clamped()) {
        return;
    }
    const QString notice = tr("This answer may use at most %1 new tokens instead of %2: the conversation takes %3 of "
                              "the model's %4-token context.")
                               .arg(budget.newTokens)
                               .arg(budget.requestedNewTokens)
                               .arg(budget.promptTokens)
                               .arg(budget.contextTokens);
    const int row = m_messages->rowOf(m_active.messageId);
    if (row >= 0) {
        ChatMessage message = m_messages->at(row);
        message.notice = notice;
        m_messages->replace(row, message);
    }
    Q_EMIT budgetClamped(notice);
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

void ConversationController::setAttentionCapture(AttentionDetailLevel detail, qint64 maxBytes)
{
    m_attentionDetail = detail;
    m_attentionMaxBytes = maxBytes;
}

void ConversationController::onAttentionReady(quint64 requestId, const AnswerAttention& attention)
{
    if (requestId == m_active.requestId) {
        m_active.attention = attention;
        boundAttention(m_active.attention, m_attentionMaxBytes);
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
    finishActive(MessageState::Error, message, std::nullopt); // shown in the message, and only there
}

void ConversationController::finishActive(MessageState state, const QString& error, const std::optional<core::GenerationStats>& stats)
{
    const int row = m_messages->rowOf(m_active.messageId);
    const AnswerAttention attention = std::exchange(m_active.attention, {});
    m_active = {};
    if (row >= 0) {
        ChatMessage message = m_messages->at(row);
        message.state = state;
        message.error = error;
        message.stats = stats;
        message.hasAttention = state != MessageState::Error && !attention.isEmpty();
        m_messages->replace(row, message);
        persist([&] {
            m_store->transaction([&] {
                m_store->updateMessage(message);
                if (message.hasAttention) {
                    m_store->saveAttention(message.id, attention);
                }
            });
        }, tr("Could not save the answer"));
        m_rolloutSources.removeIf([&](const auto& entry) { return entry.first == message.id; });
        if (message.hasAttention && attention.rolloutSource) {
            m_rolloutSources.append({message.id, attention.rolloutSource});
            if (m_rolloutSources.size() > kRolloutSourcesKept) {
                m_rolloutSources.removeFirst();
            }
        }
        m_conversations->refresh();
    }
    Q_EMIT generatingChanged(false);
}

std::shared_ptr<const RolloutSource> ConversationController::rolloutSource(qint64 messageId) const
{
    for (const auto& [id, source] : m_rolloutSources) {
        if (id == messageId) {
            return source;
        }
    }
    return nullptr;
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
    Q_EMIT settingsChanged();
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
