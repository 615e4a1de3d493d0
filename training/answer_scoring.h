#pragma once
// Scoring answers to the synthetic questions (docs/synthetic-data.md, "Scoring"): the question type
// is read from the question's wording, then the answer's key words are matched as whole words
// against the reference answer's: "2" does not match "12", "reddish" is not "red", an answer naming
// two colours for a colour question is wrong, and "Describe" compares the sets of (colour, shape)
// pairs. Plain C++ without torch, so it is unit-tested and fuzzed on its own; it lives in training/
// beside the data-set reader because it judges models against VoRA data sets, and both `vora eval`
// and the app's layer above can use it. Pure functions; thread-safe.
#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace vora::training {

enum class QuestionType { Count, Color, Shape, Position, Describe, Number, Other };
inline constexpr std::array<QuestionType, 7> kQuestionTypes = {
    QuestionType::Count, QuestionType::Color,  QuestionType::Shape, QuestionType::Position,
    QuestionType::Describe, QuestionType::Number, QuestionType::Other};

// "count", "color", "shape", "position", "describe", "number", "other".
const char* questionTypeName(QuestionType type);

// Questions without an image are Other whatever they ask ("How many sides does a triangle have?").
QuestionType classifyQuestion(std::string_view question, bool hasImage);

struct AnswerScore {
    bool correct = false;
    std::string expected; // the reference's key words, e.g. "red" or "blue square, red circle"
    std::string found;    // the answer's key words, read the same way
};

// A reference with no key words of its type (e.g. a colour question whose reference names no colour)
// is scored as Other: the normalised answer must equal the normalised reference.
AnswerScore scoreAnswer(QuestionType type, std::string_view reference, std::string_view answer);

// Lower-case ASCII words with spelling variants folded ("grey" -> "gray", "centre" -> "center",
// plurals of shape names -> singular); digit groups like "4,071" are joined. Exposed for tests.
std::vector<std::string> answerWords(std::string_view text);

} // namespace vora::training
