#pragma once
// Hosts the model: loads and ejects it, owns the inference worker and its thread, and knows the
// model's state and info. Every request goes to the InferenceWorker on its QThread as a queued call;
// results come back as queued signals, tagged with the request id the caller got (a caller drops ids
// it no longer waits for). Knows nothing of conversations. GUI thread only.
#include "app/inference/chat_backend.h"
#include "app/inference/stop_token.h"

#include <QObject>
#include <QThread>

#include <memory>

namespace vora::app {

class InferenceWorker;

class ModelHost : public QObject {
    Q_OBJECT
public:
    enum class ModelState { None, Loading, Ready };
    Q_ENUM(ModelState)

    // backend moves to the worker thread and is used there only.
    explicit ModelHost(std::unique_ptr<ChatBackend> backend, QObject* parent = nullptr);
    // Waits for the request in flight to return: callers set its stop token first.
    ~ModelHost() override;

    ModelState state() const { return m_state; }
    bool isReady() const { return m_state == ModelState::Ready; }
    const ModelInfo& info() const { return m_info; } // empty unless Ready
    QString loadingPath() const { return m_loadingPath; } // the folder being loaded, while Loading
    // Applied at the next loadModel; a loaded model keeps the options it was loaded with.
    ModelLoadOptions loadOptions() const { return m_loadOptions; }
    void setLoadOptions(const ModelLoadOptions& options) { m_loadOptions = options; }
    // The thread all model work runs on (never the GUI thread).
    const QThread* workerThread() const { return &m_thread; }

    // Starts an answer on the worker and returns its request id; its results arrive as budgetReady,
    // textReady, then generationFinished or generationFailed, with that id. stop may be set at any time.
    // With attention above Off, attentionReady comes before generationFinished (prompts with images).
    quint64 generate(const QList<ChatTurnInput>& conversation, const core::GenerationSettings& settings,
                     const StopToken& stop, AttentionDetailLevel attention = AttentionDetailLevel::Off);
    // Counts the context positions of conversation on the worker; the answer is promptTokensCounted
    // with the returned id (none when no model is loaded or an image cannot be read).
    quint64 countPromptTokens(const QList<ChatTurnInput>& conversation);
    // Why the loaded model cannot roll out an answer with this source (none loaded, another model, no
    // source: the answer was reopened from the database); empty when it can.
    QString rolloutUnavailableReason(const RolloutSource* source) const;
    // Computes the answer's rollout on the worker (a re-prefill: seconds on a large model, free when the
    // backend still caches it); the answer is rolloutReady or rolloutFailed with the returned id.
    quint64 computeRollout(const RolloutSource& source);

public Q_SLOTS:
    // Checks the folder, then loads it on the worker, replacing any loaded model.
    void loadModel(const QString& modelDir);
    // Frees the model; the state turns None at once.
    void ejectModel();

Q_SIGNALS:
    void stateChanged(vora::app::ModelHost::ModelState state);
    void loadProgress(double fraction, const QString& stage);
    void loaded(const vora::app::ModelInfo& info);
    void loadFailed(const QString& message);
    void ejected(); // the user's eject, not a failed load
    void budgetReady(quint64 requestId, const vora::core::TokenBudget& budget);
    void textReady(quint64 requestId, const QString& text);
    void attentionReady(quint64 requestId, const vora::app::AnswerAttention& attention);
    void generationFinished(quint64 requestId, const vora::core::GenerationStats& stats);
    void generationFailed(quint64 requestId, const QString& message);
    void promptTokensCounted(quint64 requestId, qint64 tokens);
    void rolloutReady(quint64 requestId, const vora::app::AnswerRollout& rollout);
    void rolloutFailed(quint64 requestId, const QString& message);

private:
    void setState(ModelState state);
    void onLoadProgress(quint64 requestId, double fraction, const QString& stage);
    void onLoaded(quint64 requestId, const ModelInfo& info);
    void onLoadFailed(quint64 requestId, const QString& message);

    QThread m_thread;
    InferenceWorker* m_worker;
    quint64 m_lastRequestId = 0;
    quint64 m_loadRequestId = 0;
    ModelState m_state = ModelState::None;
    ModelInfo m_info;
    QString m_loadingPath;
    ModelLoadOptions m_loadOptions;
};

} // namespace vora::app
