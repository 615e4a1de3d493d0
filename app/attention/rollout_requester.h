#pragma once
// One answer's rollout as the attention viewer asks for it: says whether the loaded model can compute
// it (ModelHost::rolloutUnavailableReason), asks the model's worker thread for it once per layer range,
// and keeps every result, so switching tokens, images or back to a range seen before never asks again
// (the backend's own cache makes reopening the viewer free too). GUI thread only.
#include "app/attention/answer_rollout.h"

#include <QObject>
#include <QPointer>

#include <map>
#include <memory>
#include <utility>

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
    const AnswerRollout& rollout() const; // the current range's, State::Ready
    QString error() const { return m_error; } // State::Failed

    // The decoder layers (inclusive) the state and rollout() are about: the source's default range (its
    // vision-LoRA layers, else every layer) until request(first, last) picks another.
    std::pair<int, int> range() const { return m_range; }
    // Idle or Failed and available: starts the computation of the current range (state Computing, then
    // Ready or Failed).
    void request();
    // Makes [firstLayer, lastLayer] the current range (clamped into the model's layers, ends in order):
    // Ready at once when it was computed before, Computing while it is (asked for now when needed).
    void request(int firstLayer, int lastLayer);

Q_SIGNALS:
    void stateChanged(vora::app::RolloutRequester::State state);
    void availabilityChanged(); // the model was loaded, ejected or replaced

private:
    void setState(State state);

    QPointer<ModelHost> m_host;
    std::shared_ptr<const RolloutSource> m_source;
    State m_state = State::Idle;
    std::pair<int, int> m_range;
    std::map<quint64, std::pair<int, int>> m_pending; // request id -> its range
    std::map<std::pair<int, int>, AnswerRollout> m_done;
    QString m_error;
};

} // namespace vora::app
