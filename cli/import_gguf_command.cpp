// `vora import-gguf`: a GGUF file (llama or qwen2) -> an HF model folder the runtime loads.
#include "cli/command_line.h"
#include "cli/commands.h"
#include "core/gguf/gguf_import.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>

namespace vora::cli {

int runImportGguf(const Arguments& args)
{
    const std::vector<OptionSpec> specs = {
        {"gguf", true, "the GGUF file (architecture llama or qwen2)", "FILE"},
        {"out", true, "the model folder to create (must not exist, or be empty)", "DIR"},
        {"dtype", true, "bfloat16 (default) or float32: the dtype of the written weights", "TYPE"},
    };
    const std::string synopsis = "vora import-gguf --gguf FILE --out DIR [--dtype bfloat16|float32]";
    const CommandLine line(synopsis, specs, args);
    if (!line.positionals().empty()) {
        throw UsageError("unexpected argument '" + line.positionals().front() + "'", formatUsage(synopsis, specs));
    }
    core::GgufImportOptions options;
    options.ggufPath = line.required("gguf");
    options.outDir = line.required("out");
    options.dtype = line.valueOr("dtype", "bfloat16");
    if (options.dtype != "bfloat16" && options.dtype != "float32") {
        throw UsageError("--dtype must be bfloat16 or float32, got '" + options.dtype + "'", formatUsage(synopsis, specs));
    }
    const bool interactive = ::isatty(STDERR_FILENO) != 0;
    if (interactive) {
        options.progress = [](size_t index, size_t count, const std::string& name) {
            std::cerr << "\r[" << index << "/" << count << "] " << name << "\x1b[K" << std::flush;
        };
    }
    const auto start = std::chrono::steady_clock::now();
    const core::GgufImportResult result = core::importGguf(options);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (interactive) {
        std::cerr << "\r\x1b[K";
    }
    for (const std::string& warning : result.warnings) {
        std::cerr << "vora import-gguf: warning: " << warning << "\n";
    }
    const core::GgufDecoderConfig& c = result.config;
    char sizes[64];
    std::snprintf(sizes, sizeof sizes, "%.1f MiB", static_cast<double>(result.weightBytes) / (1024.0 * 1024.0));
    char timing[32];
    std::snprintf(timing, sizeof timing, "%.1f s", seconds);
    std::cout << "imported " << c.architecture << " (" << c.numLayers << " layers, hidden " << c.hiddenSize
              << ", vocab " << c.vocabSize << (c.tieWordEmbeddings ? ", tied embeddings" : "") << "): "
              << result.tensorCount << " tensors, " << sizes << " of " << options.dtype
              << " in " << result.shardCount << " file(s), " << timing << "\n"
              << options.outDir << "\n";
    return 0;
}

} // namespace vora::cli
