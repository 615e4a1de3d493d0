#include "core/gguf/gguf_sentencepiece_merges.h"

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <unordered_map>

namespace vora::core {
namespace {

struct Candidate {
    int32_t left;
    int32_t right;
    float score;          // of the merged piece
    uint32_t leftChars;   // lengths in code points
    uint32_t rightChars;
};

bool isContinuationByte(char c)
{
    return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

uint32_t codePoints(std::string_view text)
{
    return static_cast<uint32_t>(std::count_if(text.begin(), text.end(), [](char c) { return !isContinuationByte(c); }));
}

} // namespace

std::vector<std::pair<std::string, std::string>> sentencePieceMerges(const std::vector<std::string>& pieces,
                                                                     const std::vector<float>& scores)
{
    std::unordered_map<std::string_view, int32_t> ids;
    ids.reserve(pieces.size());
    for (size_t i = 0; i < pieces.size(); ++i) {
        ids.emplace(pieces[i], static_cast<int32_t>(i));
    }
    std::vector<Candidate> candidates;
    std::vector<Candidate> local;
    for (size_t i = 0; i < pieces.size(); ++i) {
        const std::string_view piece = pieces[i];
        local.clear();
        for (size_t cut = 1; cut < piece.size(); ++cut) {
            if (isContinuationByte(piece[cut])) {
                continue;
            }
            const auto left = ids.find(piece.substr(0, cut));
            const auto right = ids.find(piece.substr(cut));
            if (left != ids.end() && right != ids.end()) {
                local.push_back({left->second, right->second, scores[i], codePoints(piece.substr(0, cut)),
                                 codePoints(piece.substr(cut))});
            }
        }
        std::sort(local.begin(), local.end(), [](const Candidate& a, const Candidate& b) {
            return a.left != b.left ? a.left < b.left : a.right < b.right;
        });
        candidates.insert(candidates.end(), local.begin(), local.end());
    }
    // Python's sorted(..., reverse=True) is stable: equal keys keep the order above.
    std::stable_sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
        if (a.score != b.score) {
            return a.score > b.score;
        }
        if (a.leftChars != b.leftChars) {
            return a.leftChars > b.leftChars;
        }
        return a.rightChars > b.rightChars;
    });
    std::vector<std::pair<std::string, std::string>> merges;
    merges.reserve(candidates.size());
    for (const Candidate& c : candidates) {
        merges.emplace_back(pieces[static_cast<size_t>(c.left)], pieces[static_cast<size_t>(c.right)]);
    }
    return merges;
}

} // namespace vora::core
