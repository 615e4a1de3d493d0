#include "app/attention/rollout_requester.h"

#include "app/inference/model_host.h"

namespace vora::app {

RolloutRequester::RolloutRequester(ModelHost* host, std::shared_ptr<const RolloutSource> source, QObject* parent)
    : QObject(parent)
    , m_host(host)
    , m_source(std::move(source))
{
    if (!host) {
        return;
    }
    connect(host, &ModelHost::stateChanged, this, &RolloutRequester::availabilityChanged);
    connect(host, &ModelHost::rolloutReady, this, [this](quint64 id, const AnswerRollout& rollout) {
        if (id == m_requestId) {
            m_requestId = 0;
            m_rollout = rollout;
            setState(State::Ready);
        }
    });
    connect(host, &ModelHost::rolloutFailed, this, [this](quint64 id, const QString& message) {
        if (id == m_requestId) {
            m_requestId = 0;
            m_error = message;
            setState(State::Failed);
        }
    });
}

QString RolloutRequester::unavailableReason() const
{
    if (m_state == State::Ready) {
        return {};
    }
    if (!m_host) {
        return tr("Rollout runs the model again, and no model host is available here.");
    }
    return m_host->rolloutUnavailableReason(m_source.get());
}

void RolloutRequester::request()
{
    if (m_state == State::Computing || m_state == State::Ready || !unavailableReason().isEmpty()) {
        return;
    }
    m_error.clear();
    m_requestId = m_host->computeRollout(*m_source);
    setState(State::Computing);
}

void RolloutRequester::setState(State state)
{
    m_state = state;
    Q_EMIT stateChanged(state);
}

} // namespace vora::app
