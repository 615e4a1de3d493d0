#pragma once
// The training position a checkpoint's state.json records, read back with every field typed and
// range-checked: a damaged or hand-edited file is refused naming the file and the field, instead
// of crashing the resumed run (a negative position indexed the sample order). Plain C++ (no torch).
#include <cstdint>
#include <string>

namespace vora::training {

struct CheckpointState {
    int64_t step = 0;           // optimizer steps done by the run (the step counter)
    int64_t optimizerSteps = 0; // AdamW's own step count (its bias correction)
    int64_t epoch = 0;
    int64_t position = 0;       // next sample of the epoch's order, 0..dataSamples
    int64_t samplesSeen = 0;
    int64_t dataSamples = 0;    // size of the data set the run trained on
};

// Throws core::Error(CorruptFile) naming path and the field: not JSON, a field missing, of the
// wrong kind or out of its range.
CheckpointState parseCheckpointState(const std::string& text, const std::string& path);
// The LoRA scale the checkpoint's deltas were trained with ("lora_scale", 1 when absent): what a merge
// multiplies B.A by and what a warm start must match. Throws core::Error(CorruptFile) naming path.
double parseCheckpointLoraScale(const std::string& text, const std::string& path);

} // namespace vora::training
