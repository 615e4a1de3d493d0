#include "core/runtime/stop_string_matcher.h"

#include <algorithm>

namespace vora::core {

StopStringMatcher::StopStringMatcher(std::vector<std::string> stopStrings)
{
    for (auto& stop : stopStrings) {
        if (!stop.empty()) {
            m_stops.push_back(std::move(stop));
        }
    }
}

std::string StopStringMatcher::push(std::string_view piece)
{
    if (m_matched) {
        return {};
    }
    m_pending.append(piece);
    size_t earliest = std::string::npos;
    for (const std::string& stop : m_stops) {
        earliest = std::min(earliest, m_pending.find(stop));
    }
    if (earliest != std::string::npos) {
        m_matched = true;
        std::string out = m_pending.substr(0, earliest);
        m_pending.clear();
        return out;
    }
    // Hold back the longest tail that is a proper prefix of some stop string.
    size_t hold = 0;
    for (const std::string& stop : m_stops) {
        const size_t limit = std::min(stop.size() - 1, m_pending.size());
        for (size_t length = limit; length > hold; --length) {
            if (std::string_view(m_pending).substr(m_pending.size() - length) == std::string_view(stop).substr(0, length)) {
                hold = length;
                break;
            }
        }
    }
    std::string out = m_pending.substr(0, m_pending.size() - hold);
    m_pending.erase(0, m_pending.size() - hold);
    return out;
}

std::string StopStringMatcher::flush()
{
    std::string out = m_matched ? std::string() : m_pending;
    m_pending.clear();
    return out;
}

} // namespace vora::core
