#pragma once
// Keeps the last few re-prefill results (reprefill_attention.h), so looking at another token, another
// aggregation or the same answer again costs no second pass. Keyed by the whole request (prompt ids,
// the images' pixels, the answer, the positions and the layer range), compared exactly.
// Thread: one caller at a time (the engine's thread).
#include "core/attention/reprefill_attention.h"

#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <utility>

namespace vora::core {

class ReprefillCache {
public:
    explicit ReprefillCache(size_t capacity = 4) : m_capacity(capacity == 0 ? 1 : capacity) {}

    // The result for request: cached, or made by compute (whose errors pass through, caching nothing).
    // The least recently used entry goes when the cache is full.
    std::shared_ptr<const ReprefillAttention> get(const ReprefillRequest& request,
                                                  const std::function<ReprefillAttention()>& compute);
    size_t size() const { return m_entries.size(); }
    void clear() { m_entries.clear(); }

private:
    size_t m_capacity;
    std::list<std::pair<ReprefillRequest, std::shared_ptr<const ReprefillAttention>>> m_entries; // most recent first
};

} // namespace vora::core
