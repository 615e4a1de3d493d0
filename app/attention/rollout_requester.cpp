#include "app/attention/rollout_requester.h"

#include "app/inference/model_host.h"

#include <algorithm>

namespace vora::app {

RolloutRequester::RolloutRequester(ModelHost* host, std::shared_ptr<const RolloutSource> source, QObject* parent)
    : QObject(parent)
    , m_host(host)
    , m_source(std::move(source))
{
    if (m_source) {
        m_range = {m_source->firstLayer, m_source->lastLayer};
    }
    if (!host) {
        return;
    }
    connect(host, &ModelHost::stateChanged, this, &RolloutRequester::availabilityChanged);
    connect(host, &ModelHost::rolloutReady, this, [this](quint64 id, const AnswerRollout& rollout) {
        const auto pending = m_pending.find(id);
        if (pending == m_pending.end()) {
            return;
        }
        const std::pair<int, int> range = pending->second;
        m_pending.erase(pending);
        m_done[range] = rollout;
        if (range == m_range) {
            setState(State::Ready);
        }
    });
    connect(host, &ModelHost::rolloutFailed, this, [this](quint64 id, const QString& message) {
        const auto pending = m_pending.find(id);
        if (pending == m_pending.end()) {
            return;
        }
        const std::pair<int, int> range = pending->second;
        m_pending.erase(pending);
        if (range == m_range) {
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

const AnswerRollout& RolloutRequester::rollout() const
{
    static const AnswerRollout none;
    const auto found = m_done.find(m_range);
    return found == m_done.end() ? none : found->second;
}

void RolloutRequester::request()
{
    request(m_range.first, m_range.second);
}

void RolloutRequester::request(int firstLayer, int lastLayer)
{
    const int top = m_source ? std::max(0, std::max(m_source->layers, m_source->lastLayer + 1) - 1) : 0;
    const int first = std::clamp(std::min(firstLayer, lastLayer), 0, top);
    const int last = std::clamp(std::max(firstLayer, lastLayer), 0, top);
    const bool changed = std::make_pair(first, last) != m_range;
    m_range = {first, last};
    if (m_done.count(m_range)) {
        setState(State::Ready);
        return;
    }
    for (const auto& [id, range] : m_pending) {
        if (range == m_range) {
            setState(State::Computing);
            return;
        }
    }
    if (m_state == State::Ready) {
        m_state = State::Idle; // the new range is not computed: availability is asked again
    }
    if (!unavailableReason().isEmpty()) {
        if (changed) {
            setState(State::Idle);
        }
        return;
    }
    m_error.clear();
    RolloutSource source = *m_source;
    source.firstLayer = first;
    source.lastLayer = last;
    m_pending[m_host->computeRollout(source)] = m_range;
    setState(State::Computing);
}

void RolloutRequester::setState(State state)
{
    m_state = state;
    Q_EMIT stateChanged(state);
}

} // namespace vora::app
