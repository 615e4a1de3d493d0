#include "training/answer_scoring.h"

#include <algorithm>
#include <map>
#include <set>

namespace vora::training {
namespace {

using Words = std::vector<std::string>;
using Keys = std::set<std::string>;

// Spelling variants and plurals, folded before any matching.
const std::map<std::string_view, std::string_view> kFolds = {
    {"grey", "gray"},       {"colour", "color"},   {"colours", "color"},  {"colors", "color"},
    {"centre", "center"},   {"middle", "center"},  {"central", "center"}, {"centered", "center"},
    {"centred", "center"},  {"upper", "top"},      {"lower", "bottom"},   {"circles", "circle"},
    {"squares", "square"},  {"triangles", "triangle"}, {"rectangles", "rectangle"},
};

// Every colour a model might name, not only the six drawn: naming any other is naming a wrong one.
const std::set<std::string_view> kColours = {"red",   "green",  "blue",  "yellow", "purple", "orange", "gray",
                                             "white", "black",  "pink",  "brown",  "violet", "cyan",   "magenta",
                                             "beige", "gold",   "silver", "turquoise", "lime", "teal", "navy",
                                             "maroon", "indigo", "lavender", "olive"};
const std::set<std::string_view> kShapes = {"circle",  "square",  "triangle", "rectangle", "oval",    "ellipse", "star",
                                            "diamond", "pentagon", "hexagon", "heart",     "rhombus", "polygon"};
const std::set<std::string_view> kPositions = {"top", "bottom", "left", "right", "center"};
const std::map<std::string_view, std::string_view> kNumberWords = {
    {"zero", "0"}, {"one", "1"}, {"two", "2"},   {"three", "3"}, {"four", "4"},    {"five", "5"},   {"six", "6"},
    {"seven", "7"}, {"eight", "8"}, {"nine", "9"}, {"ten", "10"}, {"eleven", "11"}, {"twelve", "12"}};

bool isAsciiAlnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }

bool allDigits(std::string_view s)
{
    return !s.empty() && std::all_of(s.begin(), s.end(), isDigit);
}

// "4,071": a comma between a digit group and exactly three digits is a thousands separator.
bool isThousandsComma(std::string_view text, size_t at, const std::string& current)
{
    if (!allDigits(current) || text.size() - at < 4) {
        return false;
    }
    const bool threeDigits = isDigit(text[at + 1]) && isDigit(text[at + 2]) && isDigit(text[at + 3]);
    return threeDigits && (at + 4 == text.size() || !isDigit(text[at + 4]));
}

Keys vocabularyIn(const Words& words, const std::set<std::string_view>& vocabulary)
{
    Keys keys;
    for (const std::string& w : words) {
        if (vocabulary.count(w) > 0) {
            keys.insert(w);
        }
    }
    return keys;
}

Keys numbersIn(const Words& words, bool acceptNumberWords)
{
    Keys keys;
    for (const std::string& w : words) {
        if (allDigits(w)) {
            keys.insert(w);
        } else if (auto it = kNumberWords.find(w); acceptNumberWords && it != kNumberWords.end()) {
            keys.insert(std::string(it->second));
        }
    }
    return keys;
}

// "center left" and "top center" name the left and top thirds.
Keys positionsIn(const Words& words)
{
    Keys keys = vocabularyIn(words, kPositions);
    if (keys.size() > 1) {
        keys.erase("center");
    }
    return keys;
}

// Each shape word takes the colour words since the previous shape word; colours after the last
// shape (e.g. "on a white background") belong to no shape and are ignored.
Keys pairsIn(const Words& words)
{
    Keys pairs;
    Keys pendingColours;
    for (const std::string& w : words) {
        if (kColours.count(w) > 0) {
            pendingColours.insert(w);
        } else if (kShapes.count(w) > 0) {
            if (pendingColours.empty()) {
                pairs.insert("(no color) " + w);
            }
            for (const std::string& colour : pendingColours) {
                pairs.insert(colour + " " + w);
            }
            pendingColours.clear();
        }
    }
    return pairs;
}

std::string joined(const Keys& keys)
{
    std::string out;
    for (const std::string& key : keys) {
        out += (out.empty() ? "" : ", ") + key;
    }
    return out;
}

std::string normalisedText(std::string_view text)
{
    std::string out;
    for (const std::string& w : answerWords(text)) {
        out += (out.empty() ? "" : " ") + w;
    }
    return out;
}

Keys keysOf(QuestionType type, const Words& words)
{
    switch (type) {
    case QuestionType::Count: return numbersIn(words, true);
    case QuestionType::Color: return vocabularyIn(words, kColours);
    case QuestionType::Shape: return vocabularyIn(words, kShapes);
    case QuestionType::Position: return positionsIn(words);
    case QuestionType::Describe: return pairsIn(words);
    case QuestionType::Number: return numbersIn(words, false);
    case QuestionType::Other: return {};
    }
    return {};
}

bool contains(const Words& words, std::initializer_list<std::string_view> sequence)
{
    if (sequence.size() == 0 || words.size() < sequence.size()) {
        return false;
    }
    for (size_t i = 0; i + sequence.size() <= words.size(); ++i) {
        if (std::equal(sequence.begin(), sequence.end(), words.begin() + static_cast<std::ptrdiff_t>(i))) {
            return true;
        }
    }
    return false;
}

} // namespace

const char* questionTypeName(QuestionType type)
{
    switch (type) {
    case QuestionType::Count: return "count";
    case QuestionType::Color: return "color";
    case QuestionType::Shape: return "shape";
    case QuestionType::Position: return "position";
    case QuestionType::Describe: return "describe";
    case QuestionType::Number: return "number";
    case QuestionType::Other: return "other";
    }
    return "other";
}

std::vector<std::string> answerWords(std::string_view text)
{
    Words words;
    std::string current;
    auto flush = [&] {
        if (!current.empty()) {
            const auto fold = kFolds.find(current);
            words.push_back(fold == kFolds.end() ? current : std::string(fold->second));
            current.clear();
        }
    };
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (isAsciiAlnum(c)) {
            current += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        } else if (!(c == ',' && isThousandsComma(text, i, current))) {
            flush();
        }
    }
    flush();
    return words;
}

QuestionType classifyQuestion(std::string_view question, bool hasImage)
{
    if (!hasImage) {
        return QuestionType::Other;
    }
    const Words w = answerWords(question);
    if (contains(w, {"how", "many"}) || (!w.empty() && w.front() == "count")) {
        return QuestionType::Count;
    }
    if (contains(w, {"number"}) || contains(w, {"digits"})) {
        return QuestionType::Number;
    }
    if (contains(w, {"where"}) || contains(w, {"which", "part"}) || contains(w, {"what", "part"})
        || contains(w, {"located"})) {
        return QuestionType::Position;
    }
    if (contains(w, {"color"})) {
        return QuestionType::Color;
    }
    if (contains(w, {"shape"})) {
        return QuestionType::Shape;
    }
    if (contains(w, {"describe"}) || contains(w, {"what", "is", "in"}) || contains(w, {"what", "s", "in"})
        || contains(w, {"what", "do", "you", "see"})) {
        return QuestionType::Describe;
    }
    return QuestionType::Other;
}

AnswerScore scoreAnswer(QuestionType type, std::string_view reference, std::string_view answer)
{
    const Keys expected = keysOf(type, answerWords(reference));
    AnswerScore score;
    if (expected.empty()) {
        score.expected = normalisedText(reference);
        score.found = normalisedText(answer);
        score.correct = score.expected == score.found;
        return score;
    }
    const Keys found = keysOf(type, answerWords(answer));
    score.expected = joined(expected);
    score.found = joined(found);
    score.correct = found == expected;
    return score;
}

} // namespace vora::training
