#pragma once
// The questions of an evaluation set: every human/gpt round of every sample becomes one question,
// asked on its own with the sample's images (earlier rounds are not shown, so a "Describe" answer in
// round 1 cannot give away the colour asked in round 2), plus the per-type tally `vora eval` prints.
// Plain C++ (no torch).
#include "training/answer_scoring.h"
#include "training/training_data.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace vora::training {

struct EvalQuestion {
    std::string id;    // the sample's id, with "#<round>" when it has several rounds
    std::string file;
    int line = 0;
    int round = 1;     // 1-based
    QuestionType type = QuestionType::Other;
    std::string question;  // the user turn with its <image> placeholders removed
    std::string reference; // the gpt turn
    std::vector<std::string> imagePaths; // resolved against the image root
    std::optional<std::string> system;
    size_t record = 0; // index into the records it came from
};

std::vector<EvalQuestion> collectEvalQuestions(const std::vector<DataRecord>& records, const ImageRootPolicy& images);

struct TypeTally {
    int64_t correct = 0;
    int64_t total = 0;
    double accuracy() const { return total > 0 ? static_cast<double>(correct) / static_cast<double>(total) : 0.0; }
};

class EvalTally {
public:
    void add(QuestionType type, bool correct);
    TypeTally of(QuestionType type) const;
    TypeTally overall() const;

private:
    std::map<QuestionType, TypeTally> m_byType;
};

} // namespace vora::training
