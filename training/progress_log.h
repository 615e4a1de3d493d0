#pragma once
// The progress lines of a training run: one JSON object per line, always appended to OUT/progress.jsonl
// and handed to a callback (`vora train` prints them on stdout with --json or when stdout is not a
// terminal). The schema (keys snake_case, units as suffixes; docs/architecture.md records the contract):
//   every line   "event": start | warm_start | step | validation | checkpoint | resumed | stopped | done,
//                "time": unix seconds (fractional)
//   start        step (where this call starts), total_steps, samples, val_samples, trainable_parameters,
//                device, image_attention ("bidirectional" | "causal"), distill_heads
//   warm_start   path (the checkpoint --init-from resolved to), loaded_tensors, fresh_tensors; right after
//                start, only on a run's first start (training/warm_start.h)
//   step         step (1-based, after the update), total_steps, epoch, loss, lm_loss, aux_loss, aux_losses
//                (per distillation head), lr, grad_norm, tokens, samples, tokens_per_s, samples_per_s,
//                memory_bytes (peak), eta_s
//   validation   step, val_loss (mean cross-entropy per supervised token over the whole validation set),
//                val_samples, val_tokens (supervised tokens)
//   checkpoint   step, path
//   resumed      step, path
//   stopped      step, checkpoint, reason ("signal": a stop request)
//   done         step, checkpoint
// `vora train` reports a failure on stderr with its exit code; no "error" line is written here.
#include <nlohmann/json.hpp>

#include <functional>
#include <string>

namespace vora::training {

class ProgressLog {
public:
    using Sink = std::function<void(const std::string& line)>;
    // outDir must exist before the first emit. sink may be empty.
    ProgressLog(std::string outDir, Sink sink);

    // Adds "event" and "time", appends the line to progress.jsonl, then hands it to the sink.
    // Throws core::Error(Io) when progress.jsonl cannot be written.
    void emit(const std::string& event, nlohmann::json fields);

private:
    std::string m_path;
    Sink m_sink;
};

} // namespace vora::training
