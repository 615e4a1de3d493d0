#pragma once
// Conversation control on the GUI thread: the open conversation and its messages, the sidebar list,
// each conversation's settings, and the one answer in flight (send, regenerate, edit, stop, and its
// text streaming into the message list). Asks the ModelHost for answers and keeps only the results
// of the request it waits for. Persists every change through the store. GUI thread only.
//
// A new chat is a draft (currentConversationId() == 0) until its first message: only then is it
// saved, with the settings chosen for it meanwhile, so New Chat and settings changes leave no empty
// rows behind. Settings come in layers (json_codec.h): the model's defaults, the app-wide defaults
// (AppSettings::chatDefaults) and the chat's own overrides.
// Errors never become message text. A failed answer shows its error in that message (state Error)
// and nowhere else; errorOccurred is for everything else (the store).
#include "app/inference/model_host.h"
#include "app/values/chat_message.h"
#include "app/values/conversation_settings.h"

#include <QJsonObject>
#include <QObject>

#include <functional>
#include <optional>

namespace vora::app {

class AppSettings;
class ConversationListModel;
class ConversationStore;
class MessageListModel;

class ConversationController : public QObject {
    Q_OBJECT
public:
    // store, host and appSettings (may be null: no app-wide layer) must outlive the controller.
    ConversationController(ConversationStore* store, ModelHost* host, AppSettings* appSettings = nullptr,
                           QObject* parent = nullptr);
    // Stops the answer in flight, so the host can stop its worker.
    ~ConversationController() override;

    ConversationListModel* conversations() const { return m_conversations; }
    MessageListModel* messages() const { return m_messages; }
    ConversationStore* store() const { return m_store; }
    ModelHost* host() const { return m_host; }

    qint64 currentConversationId() const { return m_currentConversation; } // 0: a new chat, not saved yet
    QString currentTitle() const;
    bool isGenerating() const { return m_active.requestId != 0; }
    bool canSend() const { return m_host->isReady() && !isGenerating(); }

    // The layers: the model's defaults (no system prompt of its own), those with the app-wide defaults
    // applied (what a new chat starts from), and the settings the next answer of the open chat uses.
    ConversationSettings modelDefaults() const;
    ConversationSettings inheritedSettings() const;
    ConversationSettings effectiveSettings() const;
    QJsonObject chatOverrides() const; // the open chat's own keys; empty: it follows the defaults
    void setChatOverrides(const QJsonObject& overrides);

    // The turns the next answer would see (system prompt included) with draft as a new user turn when
    // it is not empty; for counting context use.
    QList<ChatTurnInput> turnsWithDraft(const QString& draft) const;

    // What the next answers record of their attention over the images in context, and the most bytes
    // one answer's map may keep (boundAttention lowers the detail to fit; 0: no bound). Saved with
    // the answer (ConversationStore::saveAttention) when it completes or is stopped.
    void setAttentionCapture(AttentionDetailLevel detail, qint64 maxBytes);
    AttentionDetailLevel attentionDetail() const { return m_attentionDetail; }
    // What a rollout of the answer messageId needs (answer_rollout.h), kept in memory for the last
    // kRolloutSourcesKept answers generated since the app started (each holds its prompt's pixels);
    // null for older answers and those reopened from the database.
    static constexpr int kRolloutSourcesKept = 16;
    std::shared_ptr<const RolloutSource> rolloutSource(qint64 messageId) const;

public Q_SLOTS:
    void newConversation();
    void openConversation(qint64 conversationId);
    void deleteConversation(qint64 conversationId);
    void setSearchFilter(const QString& filter);
    // images: encoded image files (PNG, JPEG, ...), in the order they are shown. Returns false when it
    // cannot send (no model, an answer in flight, nothing to send, or the store refused: errorOccurred).
    bool send(const QString& text, const QList<QByteArray>& images);
    void stop();
    void regenerate(int assistantRow);
    bool editAndResend(int userRow, const QString& text);

Q_SIGNALS:
    void currentConversationChanged(qint64 conversationId);
    void settingsChanged();
    void generatingChanged(bool generating);
    // The answer in flight was given fewer new tokens than its settings ask for (notice: one sentence).
    void budgetClamped(const QString& notice);
    void generationFinished(const vora::core::GenerationStats& stats);
    void errorOccurred(const QString& title, const QString& details);

private:
    struct ActiveGeneration {
        quint64 requestId = 0;
        StopToken stop;
        qint64 messageId = 0;
        AnswerAttention attention; // arrives just before generationFinished
    };

    void onModelStateChanged(ModelHost::ModelState state);
    void onBudgetReady(quint64 requestId, const core::TokenBudget& budget);
    void onTextReady(quint64 requestId, const QString& text);
    void onAttentionReady(quint64 requestId, const AnswerAttention& attention);
    void onGenerationFinished(quint64 requestId, const core::GenerationStats& stats);
    void onGenerationFailed(quint64 requestId, const QString& message);

    qint64 createConversation(const QString& firstText);
    void startGeneration();
    void finishActive(MessageState state, const QString& error, const std::optional<core::GenerationStats>& stats);
    void abandonActive();
    QList<ChatTurnInput> turnsBefore(int row, const ConversationSettings& settings) const;
    void setCurrentConversation(qint64 conversationId);
    bool persist(const std::function<void()>& write, const QString& what);

    ConversationStore* m_store;
    ModelHost* m_host;
    AppSettings* m_appSettings;
    ConversationListModel* m_conversations;
    MessageListModel* m_messages;
    qint64 m_currentConversation = 0;
    QJsonObject m_draftOverrides; // the settings chosen for the draft chat, saved with its first message
    AttentionDetailLevel m_attentionDetail = AttentionDetailLevel::Off;
    qint64 m_attentionMaxBytes = 0;
    ActiveGeneration m_active;
    QList<std::pair<qint64, std::shared_ptr<const RolloutSource>>> m_rolloutSources; // most recent last
};

} // namespace vora::app
