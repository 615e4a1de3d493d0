#pragma once
// Validation loss of a model folder on a data set: the teacher-forced cross-entropy of the gpt turns,
// with the labels training uses (buildTrainingSample) and the same forward (computeLosses), averaged
// over every supervised token of every sample (a token-weighted mean, so long answers weigh as much
// as their tokens). For `vora eval --loss`.
#include "training/training_data.h"

#include <cstdint>
#include <string>
#include <vector>

namespace vora::training {

struct ReferenceLossOptions {
    ImageRootPolicy images;
    std::string device = "cpu";
    std::string dtype = "auto";
    int64_t maxTextLen = 2048;
};

struct ReferenceLoss {
    double meanLoss = 0;   // nats per supervised token
    int64_t tokens = 0;    // supervised tokens
    int64_t samples = 0;
};

// Loads the model (and its tokenizer) from modelDir; throws core::Error naming the file or sample.
ReferenceLoss computeReferenceLoss(const std::string& modelDir, const std::vector<DataRecord>& records,
                                   const ReferenceLossOptions& options);

} // namespace vora::training
