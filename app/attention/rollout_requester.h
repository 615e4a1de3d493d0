#pragma once
// One answer's rollout as the attention viewer asks for it: says whether the loaded model can compute
// it (ModelHost::rolloutUnavailableReason), asks the model's worker thread for it once, and keeps the
// result, so switching tokens or images never asks again (the backend's own cache makes reopening the
// viewer free too). GUI thread only.
#include "app/attention/answer_rollout.h"

#include <QObject>
#include <QPointer>

#include <memory>

namespace vora::app {

class ModelHost;

class RolloutRequester : public QObject {
    Q_OBJECT
public:
    enum class State { Idle, Computing, Ready, Failed };

    // host may be null (no model host: unavailable); source null: the answer has no prompt kept.
    RolloutRequester(ModelHost* host, std::shared_ptr<const RolloutSource> source, QObject* parent = nullptr);

    State state() const { return m_state; }
    // Why it cannot be computed now; empty when it can (or already was).
    QString unavailableReason() const;
    const RolloutSource* source() const { return m_source.get(); }
    const AnswerRollout& rollout() const { return m_rollout; } // State::Ready
    QString error() const { return m_error; }                  // State::Failed

    // Idle or Failed and available: starts the computation (state Computing, then Ready or Failed).
    void request();

Q_SIGNALS:
    void stateChanged(vora::app::RolloutRequester::State state);
    void availabilityChanged(); // the model was loaded, ejected or replaced

private:
    void setState(State state);

    QPointer<ModelHost> m_host;
    std::shared_ptr<const RolloutSource> m_source;
    State m_state = State::Idle;
    quint64 m_requestId = 0;
    AnswerRollout m_rollout;
    QString m_error;
};

} // namespace vora::app
