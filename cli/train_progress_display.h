#pragma once
// `vora train` at a terminal: the progress lines (training/progress_log.h) rendered for a person. Step
// lines rewrite one status line in place (step/total, loss, tokens/s, ETA); validation, checkpoints and
// the start get a line of their own. Scripts and the app read the JSON lines instead (--json, or any
// stdout that is not a terminal, and always RUN/progress.jsonl).
#include <ostream>
#include <string>

namespace vora::cli {

class TrainProgressDisplay {
public:
    explicit TrainProgressDisplay(std::ostream& out) : m_out(out) {}
    ~TrainProgressDisplay() { endStatusLine(); }

    void show(const std::string& jsonLine);
    // Ends a pending status line so that later output starts on a fresh line.
    void endStatusLine();

private:
    std::ostream& m_out;
    bool m_statusLineOpen = false;
};

// 3725 -> "1h 02m", 192 -> "3m 12s", 45.2 -> "45s".
std::string formatDuration(double seconds);

} // namespace vora::cli
