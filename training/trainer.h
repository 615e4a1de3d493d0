#pragma once
// The training loop of `vora train`: data check and sample building, seeded data order, gradient
// accumulation, grad-norm clipping, AdamW with the HF-exact schedules, progress lines, periodic and
// final checkpoints, exact resume, and a stop request (SIGINT/SIGTERM) that saves before returning.
// Runs on the calling thread; one training run (runTraining) per process at a time.
#include "training/train_options.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace vora::training {

struct TrainResult {
    int64_t startStep = 0;
    int64_t finalStep = 0;
    int64_t totalSteps = 0;
    std::vector<double> losses; // per optimizer step run in this call
    bool stopped = false;
    std::string lastCheckpoint;
};

// Each progress line is one JSON object (also appended to OUT/progress.jsonl). stop may be null.
// Throws core::Error on bad options/data/model (before any step) and on I/O failures.
TrainResult runTraining(const TrainOptions& options, const std::atomic<bool>* stop,
                        const std::function<void(const std::string&)>& onProgressLine);

} // namespace vora::training
