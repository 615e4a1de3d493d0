#include "core/attention/reprefill_cache.h"

namespace vora::core {

std::shared_ptr<const ReprefillAttention> ReprefillCache::get(const ReprefillRequest& request,
                                                              const std::function<ReprefillAttention()>& compute)
{
    for (auto entry = m_entries.begin(); entry != m_entries.end(); ++entry) {
        if (entry->first == request) {
            m_entries.splice(m_entries.begin(), m_entries, entry);
            return m_entries.front().second;
        }
    }
    auto result = std::make_shared<const ReprefillAttention>(compute());
    m_entries.emplace_front(request, result);
    if (m_entries.size() > m_capacity) {
        m_entries.pop_back();
    }
    return result;
}

} // namespace vora::core
