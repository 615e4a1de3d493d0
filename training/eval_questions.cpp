#include "training/eval_questions.h"

#include "core/error.h"

namespace vora::training {
namespace {

std::string withoutPlaceholders(std::string text)
{
    constexpr std::string_view kPlaceholder = "<image>";
    for (size_t at = text.find(kPlaceholder); at != std::string::npos; at = text.find(kPlaceholder, at)) {
        text.erase(at, kPlaceholder.size());
    }
    const size_t first = text.find_first_not_of(" \t\r\n");
    const size_t last = text.find_last_not_of(" \t\r\n");
    return first == std::string::npos ? std::string() : text.substr(first, last - first + 1);
}

} // namespace

std::vector<EvalQuestion> collectEvalQuestions(const std::vector<DataRecord>& records, const ImageRootPolicy& imageRoot)
{
    std::vector<EvalQuestion> questions;
    for (size_t r = 0; r < records.size(); ++r) {
        const DataRecord& record = records[r];
        std::vector<std::string> images;
        for (const std::string& frame : record.frames) {
            const ResolvedFrame resolved = resolveFrame(frame, record.file, imageRoot);
            core::require(!resolved.refused(), core::ErrorCode::InvalidArgument,
                          record.file + ":" + std::to_string(record.line) + ": " + resolved.refusal);
            images.push_back(resolved.path);
        }
        const int rounds = static_cast<int>(record.turns.size() / 2);
        for (int round = 1; round <= rounds; ++round) {
            EvalQuestion q;
            q.id = rounds > 1 ? record.id + "#" + std::to_string(round) : record.id;
            q.file = record.file;
            q.line = record.line;
            q.round = round;
            q.question = withoutPlaceholders(record.turns[2 * (round - 1)].text);
            q.reference = record.turns[2 * (round - 1) + 1].text;
            q.type = classifyQuestion(q.question, !images.empty());
            q.imagePaths = images;
            q.system = record.system;
            q.record = r;
            questions.push_back(std::move(q));
        }
    }
    return questions;
}

void EvalTally::add(QuestionType type, bool correct)
{
    TypeTally& tally = m_byType[type];
    tally.total += 1;
    tally.correct += correct ? 1 : 0;
}

TypeTally EvalTally::of(QuestionType type) const
{
    const auto it = m_byType.find(type);
    return it == m_byType.end() ? TypeTally{} : it->second;
}

TypeTally EvalTally::overall() const
{
    TypeTally all;
    for (const auto& [type, tally] : m_byType) {
        all.correct += tally.correct;
        all.total += tally.total;
    }
    return all;
}

} // namespace vora::training
