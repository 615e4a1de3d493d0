#pragma once
// Owns the ChatBackend and serialises all model work on its own thread. Lives on the QThread the
// ModelHost moves it to: its slots run there, one request at a time, in arrival order. It never
// touches an item model: results leave as value-type signals tagged with the request id, and the
// receiver drops ids it no longer waits for.
#include "app/inference/chat_backend.h"
#include "app/inference/stop_token.h"

#include <QObject>

#include <memory>

namespace vora::app {

class InferenceWorker : public QObject {
    Q_OBJECT
public:
    static constexpr int kBatchIntervalMs = 40;

    explicit InferenceWorker(std::unique_ptr<ChatBackend> backend, QObject* parent = nullptr);
    ~InferenceWorker() override;

public Q_SLOTS:
    void load(quint64 requestId, const QString& modelDir, const vora::app::ModelLoadOptions& options);
    void unload(quint64 requestId);
    // Fits settings' new-token budget into what the context has left (budgetReady says what was used),
    // then generates. stop may be set from any thread at any time; a request whose token is already set
    // is answered at once with StopReason::Cancelled without touching the backend.
    // attention: what the answer's attention capture keeps (attentionReady carries it, before
    // generationFinished, when the prompt had an image).
    void generate(quint64 requestId, const QList<vora::app::ChatTurnInput>& conversation,
                  const vora::core::GenerationSettings& settings, const vora::app::StopToken& stop,
                  vora::app::AttentionDetailLevel attention = vora::app::AttentionDetailLevel::Off);
    // The context positions the conversation takes (for the composer's context meter).
    void countPromptTokens(quint64 requestId, const QList<vora::app::ChatTurnInput>& conversation);
    // An answer's rollout by re-prefill (ChatBackend::rollout): rolloutReady or rolloutFailed.
    void computeRollout(quint64 requestId, const vora::app::RolloutSource& source);

Q_SIGNALS:
    void loadProgress(quint64 requestId, double fraction, const QString& stage);
    void loaded(quint64 requestId, const vora::app::ModelInfo& info);
    void loadFailed(quint64 requestId, const QString& message);
    void unloaded(quint64 requestId);
    // Text produced since the previous batch; at most one batch every kBatchIntervalMs (the first piece
    // goes out at once so time to first token stays visible).
    void textReady(quint64 requestId, const QString& text);
    // The answer's new-token budget, before its first text.
    void budgetReady(quint64 requestId, const vora::core::TokenBudget& budget);
    void attentionReady(quint64 requestId, const vora::app::AnswerAttention& attention);
    void generationFinished(quint64 requestId, const vora::core::GenerationStats& stats);
    void generationFailed(quint64 requestId, const QString& message);
    void promptTokensCounted(quint64 requestId, qint64 tokens);
    void rolloutReady(quint64 requestId, const vora::app::AnswerRollout& rollout);
    void rolloutFailed(quint64 requestId, const QString& message);

private:
    // The budget settings leave in the context; throws with what to change when the prompt fills it.
    core::TokenBudget fitBudget(qint64 promptTokens, const core::GenerationSettings& settings) const;

    std::unique_ptr<ChatBackend> m_backend;
    qint64 m_maxContext = 0; // of the loaded model
};

} // namespace vora::app
