#pragma once
// Finds stop strings in streamed text and holds back any tail that could still become one, so a
// stop string is never shown to the user even when it arrives split across tokens.
#include <string>
#include <string_view>
#include <vector>

namespace vora::core {

class StopStringMatcher {
public:
    explicit StopStringMatcher(std::vector<std::string> stopStrings);

    // Adds a piece of text; returns what can be shown now. After a match, returns the text up to
    // (not including) the stop string, and matched() turns true.
    std::string push(std::string_view piece);
    // The held-back tail once generation ends without a match.
    std::string flush();
    bool matched() const { return m_matched; }

private:
    std::vector<std::string> m_stops;
    std::string m_pending;
    bool m_matched = false;
};

} // namespace vora::core
