#pragma once
// Conversation control on the GUI thread: the open conversation and its messages, the sidebar list,
// each conversation's settings, and the one answer in flight (send, regenerate, edit, stop, and its
// text streaming into the message list). Asks the ModelHost for answers and keeps only the results
// of the request it waits for. Persists every change through the store. GUI thread only.
// Errors never become message text: they arrive as errorOccurred and, for a failed answer, as the
// message's Error state.
#include "app/inference/model_host.h"
#include "app/values/chat_message.h"
#include "app/values/conversation_settings.h"

#include <QObject>

#include <functional>
#include <optional>

namespace vora::app {

class ConversationListModel;
class ConversationStore;
class MessageListModel;

class ConversationController : public QObject {
    Q_OBJECT
public:
    // store and host must outlive the controller.
    ConversationController(ConversationStore* store, ModelHost* host, QObject* parent = nullptr);
    // Stops the answer in flight, so the host can stop its worker.
    ~ConversationController() override;

    ConversationListModel* conversations() const { return m_conversations; }
    MessageListModel* messages() const { return m_messages; }
    ConversationStore* store() const { return m_store; }
    ModelHost* host() const { return m_host; }

    qint64 currentConversationId() const { return m_currentConversation; }
    bool isGenerating() const { return m_active.requestId != 0; }
    bool canSend() const { return m_host->isReady() && !isGenerating(); }

    // The settings the next answer of the open conversation uses, and whether it overrides the
    // model's defaults (no system prompt of its own, the model's generation settings).
    ConversationSettings effectiveSettings() const;
    ConversationSettings defaultSettings() const;
    bool hasCustomSettings() const;
    void setConversationSettings(const std::optional<ConversationSettings>& settings);

public Q_SLOTS:
    void newConversation();
    void openConversation(qint64 conversationId);
    void deleteConversation(qint64 conversationId);
    void setSearchFilter(const QString& filter);
    // images: encoded image files (PNG, JPEG, ...). Returns false (and says why) when it cannot send.
    bool send(const QString& text, const QList<QByteArray>& images);
    void stop();
    void regenerate(int assistantRow);
    bool editAndResend(int userRow, const QString& text);

Q_SIGNALS:
    void currentConversationChanged(qint64 conversationId);
    void generatingChanged(bool generating);
    void generationFinished(const vora::core::GenerationStats& stats);
    void errorOccurred(const QString& title, const QString& details);

private:
    struct ActiveGeneration {
        quint64 requestId = 0;
        StopToken stop;
        qint64 messageId = 0;
    };

    void onModelStateChanged(ModelHost::ModelState state);
    void onTextReady(quint64 requestId, const QString& text);
    void onGenerationFinished(quint64 requestId, const core::GenerationStats& stats);
    void onGenerationFailed(quint64 requestId, const QString& message);

    void startGeneration();
    void finishActive(MessageState state, const QString& error, const std::optional<core::GenerationStats>& stats);
    void abandonActive();
    QList<ChatTurnInput> turnsBefore(int row, const ConversationSettings& settings) const;
    void setCurrentConversation(qint64 conversationId);
    bool persist(const std::function<void()>& write, const QString& what);

    ConversationStore* m_store;
    ModelHost* m_host;
    ConversationListModel* m_conversations;
    MessageListModel* m_messages;
    qint64 m_currentConversation = 0;
    ActiveGeneration m_active;
};

} // namespace vora::app
