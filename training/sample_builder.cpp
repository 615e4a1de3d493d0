#include "training/sample_builder.h"

#include "core/chat/chat_template.h"
#include "core/error.h"
#include "core/tokenizer/tokenizer.h"

#include <algorithm>

namespace vora::training {
namespace {

constexpr std::string_view kPlaceholder = "<image>";

class SequenceWriter {
public:
    explicit SequenceWriter(const core::Tokenizer& tokenizer) : m_tokenizer(tokenizer)
    {
        m_imStart = special("<|im_start|>");
        m_imEnd = special("<|im_end|>");
    }

    int64_t imStart() const { return m_imStart; }
    int64_t imEnd() const { return m_imEnd; }

    void text(std::string_view piece, std::vector<int64_t>& ids) const
    {
        for (const int32_t id : m_tokenizer.encode(piece, {.parseSpecial = false, .addSpecial = false})) {
            ids.push_back(id);
        }
    }

    // Each chunk between placeholders is encoded on its own, as the reference does.
    void textWithImages(std::string_view piece, std::vector<int64_t>& ids) const
    {
        size_t pos = 0;
        while (true) {
            const size_t hit = piece.find(kPlaceholder, pos);
            text(piece.substr(pos, hit == std::string_view::npos ? hit : hit - pos), ids);
            if (hit == std::string_view::npos) {
                return;
            }
            ids.push_back(core::kImageSentinelId);
            pos = hit + kPlaceholder.size();
        }
    }

private:
    int64_t special(std::string_view name) const
    {
        const auto id = m_tokenizer.tokenToId(name);
        core::require(id.has_value(), core::ErrorCode::InvalidConfig,
                      "the tokenizer has no " + std::string(name) + " token, which the ChatML template needs");
        return *id;
    }

    const core::Tokenizer& m_tokenizer;
    int64_t m_imStart = 0;
    int64_t m_imEnd = 0;
};

int64_t countText(const std::vector<int64_t>& ids)
{
    return static_cast<int64_t>(std::count_if(ids.begin(), ids.end(), [](int64_t id) { return id != core::kImageSentinelId; }));
}

} // namespace

int64_t TrainingSample::supervisedTokens() const
{
    return static_cast<int64_t>(std::count_if(labels.begin(), labels.end(), [](int64_t l) { return l != kIgnoreLabel; }));
}

TrainingSample buildTrainingSample(const DataRecord& record, const core::Tokenizer& tokenizer,
                                   const SampleBuilderOptions& options)
{
    const SequenceWriter writer(tokenizer);
    TrainingSample sample;
    for (const std::string& frame : record.frames) {
        const ResolvedFrame resolved = resolveFrame(frame, record.file, options.images);
        core::require(!resolved.refused(), core::ErrorCode::InvalidArgument,
                      record.file + ":" + std::to_string(record.line) + ": " + resolved.refusal);
        sample.imagePaths.push_back(resolved.path);
    }
    const int64_t limit = options.maxTextLen;
    for (size_t round = 0; round + 1 < record.turns.size(); round += 2) {
        std::vector<int64_t> prompt;
        if (round == 0) {
            prompt.push_back(writer.imStart());
            writer.text("system\n" + record.system.value_or(options.defaultSystemPrompt), prompt);
            prompt.push_back(writer.imEnd());
        }
        writer.text("\n", prompt);
        prompt.push_back(writer.imStart());
        writer.textWithImages("user\n" + record.turns[round].text, prompt); // one chunk, as the reference
        prompt.push_back(writer.imEnd());
        writer.text("\n", prompt);
        prompt.push_back(writer.imStart());
        writer.text("assistant\n", prompt);
        std::vector<int64_t> answer;
        writer.text(record.turns[round + 1].text, answer);
        answer.push_back(writer.imEnd());

        const int64_t total = countText(sample.ids) + countText(prompt) + countText(answer);
        if (total > limit && round > 0) {
            sample.truncated = true; // whole rounds only, as the reference's "qa" mode
            break;
        }
        sample.ids.insert(sample.ids.end(), prompt.begin(), prompt.end());
        sample.labels.insert(sample.labels.end(), prompt.size(), kIgnoreLabel);
        sample.ids.insert(sample.ids.end(), answer.begin(), answer.end());
        sample.labels.insert(sample.labels.end(), answer.begin(), answer.end());
        if (total > limit) {
            sample.truncated = true;
            size_t keep = 0;
            for (int64_t text = 0; keep < sample.ids.size() && text < limit - 1; ++keep) {
                text += sample.ids[keep] != core::kImageSentinelId;
            }
            core::require(std::count(sample.ids.begin() + static_cast<std::ptrdiff_t>(keep), sample.ids.end(),
                                     core::kImageSentinelId) == 0,
                          core::ErrorCode::InvalidArgument,
                          record.file + ":" + std::to_string(record.line) + ": --max-text-len "
                              + std::to_string(limit) + " cuts into the image placeholders");
            sample.ids.resize(keep);
            sample.labels.resize(keep);
            sample.ids.push_back(writer.imEnd());
            sample.labels.push_back(writer.imEnd());
            break;
        }
    }
    for (size_t i = 0; i < sample.ids.size(); ++i) {
        if (sample.ids[i] == core::kImageSentinelId) {
            sample.labels[i] = kIgnoreLabel;
        }
    }
    sample.textTokens = countText(sample.ids);
    return sample;
}

} // namespace vora::training
