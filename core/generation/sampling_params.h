#pragma once
// Decoding parameters (plain C++). temperature <= 0 means greedy.
#include <cstdint>
#include <string>
#include <vector>

namespace vora::core {

struct SamplingParams {
    double temperature = 0.7;
    double topP = 0.8;       // 1.0 disables
    int topK = 20;           // 0 disables
    double minP = 0.0;       // 0 disables
    double repetitionPenalty = 1.0; // 1.0 disables; applied over prompt and generated text tokens
    int64_t seed = -1;       // -1: nondeterministic

    bool greedy() const { return temperature <= 0.0 || topK == 1; }
};

struct StopCriteria {
    int maxNewTokens = 512;
    int minNewTokens = 0;
    std::vector<int64_t> eosIds;
    std::vector<std::string> stopStrings; // checked on the decoded text by the text layer
};

enum class StopReason { Eos, Length, StopString, Cancelled };

const char* stopReasonName(StopReason reason);

struct GenerationStats {
    double prefillMs = 0;
    double timeToFirstTokenMs = 0;
    double decodeTokensPerSecond = 0;
    int64_t promptTokens = 0;   // after image expansion
    int64_t imageTokens = 0;
    int64_t generatedTokens = 0;
    int64_t peakMemoryBytes = 0;
};

} // namespace vora::core
