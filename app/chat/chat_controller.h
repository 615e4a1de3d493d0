#pragma once
// Owns the conversation state on the GUI thread: the open conversation, its messages, the sidebar list,
// the loaded model, and the one generation in flight. Talks to the InferenceWorker on its QThread only
// through queued calls and queued signals (this object is the context of every connection); results
// whose request id is no longer awaited are dropped. Persists every change through the store.
// GUI thread only. Errors never become message text: they arrive as errorOccurred / modelLoadFailed
// and, for a failed answer, as the message's Error state.
#include "app/chat/chat_message.h"
#include "app/inference/stop_token.h"

#include <QJsonObject>
#include <QObject>
#include <QThread>

#include <memory>

namespace vora::app {

class ChatBackend;
class ConversationListModel;
class ConversationStore;
class InferenceWorker;
class MessageListModel;

class ChatController : public QObject {
    Q_OBJECT
public:
    enum class ModelState { None, Loading, Ready };
    Q_ENUM(ModelState)

    // store must outlive the controller; backend moves to the worker thread.
    ChatController(ConversationStore* store, std::unique_ptr<ChatBackend> backend, QObject* parent = nullptr);
    ~ChatController() override;

    ConversationListModel* conversations() const { return m_conversations; }
    MessageListModel* messages() const { return m_messages; }
    ConversationStore* store() const { return m_store; }

    qint64 currentConversationId() const { return m_currentConversation; }
    ModelState modelState() const { return m_modelState; }
    const ModelInfo& modelInfo() const { return m_modelInfo; }
    bool isGenerating() const { return m_active.requestId != 0; }
    bool canSend() const { return m_modelState == ModelState::Ready && !isGenerating(); }

    // The settings the next answer of the open conversation uses, and whether it overrides the model's.
    GenerationSettings effectiveSettings() const;
    GenerationSettings modelDefaults() const { return m_modelDefaults; }
    bool hasCustomSettings() const;
    void setConversationSettings(const std::optional<GenerationSettings>& settings);

public Q_SLOTS:
    // Checks the folder, then loads it on the worker (replacing any loaded model).
    void loadModel(const QString& modelDir);
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
    void modelStateChanged(vora::app::ChatController::ModelState state);
    void modelLoadProgress(double fraction, const QString& stage);
    void modelLoaded(const vora::app::ModelInfo& info);
    void modelLoadFailed(const QString& message);
    void generatingChanged(bool generating);
    void generationFinished(const vora::app::GenerationStats& stats);
    void errorOccurred(const QString& title, const QString& details);

    // Requests to the worker (queued: they run on the worker thread).
    void loadRequested(quint64 requestId, const QString& modelDir, const QString& device);
    void generateRequested(quint64 requestId, const QList<vora::app::ChatTurnInput>& conversation,
                           const vora::app::GenerationSettings& settings, const vora::app::StopToken& stop);

private:
    struct ActiveGeneration {
        quint64 requestId = 0;
        StopToken stop;
        qint64 messageId = 0;
    };

    void connectWorker();
    void onLoadProgress(quint64 requestId, double fraction, const QString& stage);
    void onLoaded(quint64 requestId, const ModelInfo& info);
    void onLoadFailed(quint64 requestId, const QString& message);
    void onTextReady(quint64 requestId, const QString& text);
    void onGenerationFinished(quint64 requestId, const GenerationStats& stats);
    void onGenerationFailed(quint64 requestId, const QString& message);

    void startGeneration();
    void finishActive(MessageState state, const QString& error, const std::optional<GenerationStats>& stats);
    void abandonActive();
    QList<ChatTurnInput> turnsBefore(int row) const;
    void setModelState(ModelState state);
    void setCurrentConversation(qint64 conversationId);
    bool persist(const std::function<void()>& write, const QString& what);

    ConversationStore* m_store;
    ConversationListModel* m_conversations;
    MessageListModel* m_messages;
    QThread m_thread;
    InferenceWorker* m_worker;

    quint64 m_lastRequestId = 0;
    quint64 m_loadRequestId = 0;
    QString m_pendingModelDir;
    QJsonObject m_pendingGenerationConfig;
    ModelState m_modelState = ModelState::None;
    ModelInfo m_modelInfo;
    GenerationSettings m_modelDefaults;
    qint64 m_currentConversation = 0;
    ActiveGeneration m_active;
};

} // namespace vora::app
