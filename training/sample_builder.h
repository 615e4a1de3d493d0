#pragma once
// Turns a DataRecord into token ids and labels with the Qwen2 ChatML template, as the VoRA reference
// masks them: system and user prompt tokens, the template markers around them and image tokens get
// -100; the answer tokens and the closing <|im_end|> of each assistant turn are supervised. The "\n"
// after an assistant's <|im_end|> belongs to the next prompt (the reference builds prompts as
// "\n<|im_start|>user\n...") and is masked; nothing follows the last <|im_end|>. Plain C++ (no torch).
#include "training/training_data.h"

#include <cstdint>
#include <string>
#include <vector>

namespace vora::core {
class Tokenizer;
}

namespace vora::training {

constexpr int64_t kIgnoreLabel = -100;

struct TrainingSample {
    std::vector<int64_t> ids;    // text ids, core::kImageSentinelId where an image goes
    std::vector<int64_t> labels; // same length; kIgnoreLabel where not supervised
    std::vector<std::string> imagePaths; // resolved, one per sentinel
    int64_t textTokens = 0;      // ids that are not sentinels
    bool truncated = false;
    int64_t supervisedTokens() const;
};

struct SampleBuilderOptions {
    ImageRootPolicy images;
    int64_t maxTextLen = 2048;
    std::string defaultSystemPrompt = "You are a helpful assistant.";
};

// Truncation keeps whole question/answer rounds while the next would overflow maxTextLen; when even the
// first round is too long it is cut to maxTextLen - 1 tokens and a supervised <|im_end|> closes it
// (never cutting inside the image placeholders of the first prompt). Throws core::Error(InvalidConfig)
// when the tokenizer has no <|im_start|> / <|im_end|>, InvalidArgument when the images alone overflow
// or a frame leads outside the image root.
TrainingSample buildTrainingSample(const DataRecord& record, const core::Tokenizer& tokenizer,
                                   const SampleBuilderOptions& options);

} // namespace vora::training
