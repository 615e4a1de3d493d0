#pragma once
// A per-request stop flag shared by the GUI thread (which sets it) and the inference worker (whose
// backend checks it every decode step). Thread-safe; not a queued signal, so Stop acts mid-generation.
#include <QMetaType>

#include <atomic>
#include <memory>

namespace vora::app {

using StopToken = std::shared_ptr<std::atomic<bool>>;

inline StopToken makeStopToken()
{
    return std::make_shared<std::atomic<bool>>(false);
}

} // namespace vora::app

Q_DECLARE_METATYPE(vora::app::StopToken)
