#include "cli/commands.h"

namespace vora::cli {

const std::vector<Command>& commands()
{
    static const std::vector<Command> all = {
        {"info", "versions, compute devices and optional parts of this build", &runInfo},
        {"tokenize", "encode text to token ids or decode ids to text with a model's tokenizer", &runTokenize},
        {"run", "generate text from a prompt and images, streaming to stdout", &runRun},
        {"attention", "attention maps of a generation as PNG overlays on the images and JSON grids", &runAttention},
        {"chat", "a multi-turn chat on stdin/stdout that prefills only each turn's new tokens", &runChat},
        {"bench", "measure load, prefill and decode speed on a synthetic prompt", &runBench},
        {"preprocess", "image file -> pixel tensor (safetensors) + geometry JSON", &runPreprocess},
        {"train", "train LoRA + vision embedding (pretrain, distillation) or fine-tune a model", &runTrain},
        {"merge", "merge a training checkpoint's LoRA into a complete model folder", &runMerge},
        {"estimate", "predict (and with --measure, measure) the peak memory of a training run", &runEstimate},
        {"data", "data check: find bad lines, missing images and over-length samples", &runData},
        {"eval", "answer a data set's questions: accuracy per question type, validation loss", &runEval},
        {"import-gguf", "GGUF file (llama, qwen2) -> HF model folder: dequantised weights, config, tokenizer", &runImportGguf},
    };
    return all;
}

} // namespace vora::cli
