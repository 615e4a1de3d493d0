#include "cli/command_line.h"
#include "cli/commands.h"
#include "core/tokenizer/tokenizer.h"
#include "training/training_data.h"

#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>

namespace vora::cli {

// `vora data check`: exit 0 when every line is usable, 1 when some are not (each listed).
int runData(const Arguments& args)
{
    if (args.empty() || args.front() != "check") {
        throw UsageError("usage: vora data check --data FILE [--image-root DIR] [--model DIR] [--max-text-len T] [--json]");
    }
    const std::vector<OptionSpec> specs = {
        {"data", true, "VoRA JSON-lines file (repeatable)", "FILE"},
        {"image-root", true, "folder that frame paths are resolved against and confined to (default: the data file's folder)", "DIR"},
        {"allow-images-outside-root", false, "let frames lead outside the image root (.., absolute paths, symlinks)"},
        {"model", true, "model folder whose tokenizer measures lengths", "DIR"},
        {"tokenizer", true, "tokenizer file or folder (default: the model folder)", "PATH"},
        {"max-text-len", true, "text tokens per sample (default 2048)", "T"},
        {"json", false, "print one JSON object"},
    };
    const CommandLine line("vora data check --data FILE [--image-root DIR] [--model DIR]", specs,
                           Arguments(args.begin() + 1, args.end()));
    const std::vector<std::string> files = line.values("data");
    if (files.empty()) {
        throw UsageError("--data is required");
    }
    const training::DataSet data = training::readDataFiles(files);
    std::unique_ptr<core::Tokenizer> tokenizer;
    if (line.has("tokenizer") || line.has("model")) {
        tokenizer = core::Tokenizer::load(line.has("tokenizer") ? line.required("tokenizer") : line.required("model"));
    }
    training::DataCheckOptions options;
    options.images = {line.valueOr("image-root", ""), line.has("allow-images-outside-root")};
    options.tokenizer = tokenizer.get();
    options.maxTextLen = line.integerIn("max-text-len", 1, 1 << 30).value_or(2048);
    const training::DataCheckReport report = training::checkDataSet(data, options);
    int64_t refused = 0;
    for (const auto& p : report.problems) {
        refused += p.kind != training::DataProblemKind::OverLength;
    }
    if (line.has("json")) {
        nlohmann::json problems = nlohmann::json::array();
        for (const auto& p : report.problems) {
            problems.push_back({{"file", p.file}, {"line", p.line}, {"kind", training::dataProblemKindName(p.kind)},
                                {"message", p.message}});
        }
        nlohmann::json histogram = nlohmann::json::object();
        for (const auto& [bucket, count] : report.lengthHistogram) {
            histogram[std::to_string(bucket)] = count;
        }
        std::cout << nlohmann::json{{"lines", report.lines}, {"good", report.goodSamples}, {"image_samples", report.imageSamples},
                                    {"text_only_samples", report.textOnlySamples}, {"problems", problems},
                                    {"length_histogram", histogram}, {"max_text_tokens", report.maxTextTokens}}
                         .dump()
                  << "\n";
        return refused > 0 ? 1 : 0;
    }
    for (const auto& p : report.problems) {
        std::cout << p.describe() << "\n";
    }
    std::cout << report.lines << " line(s): " << report.goodSamples << " usable (" << report.imageSamples << " with images, "
              << report.textOnlySamples << " text-only), " << refused << " bad\n";
    if (!report.lengthHistogram.empty()) {
        std::cout << "text tokens per sample (max " << report.maxTextTokens << "):\n";
        for (const auto& [bucket, count] : report.lengthHistogram) {
            std::cout << "  >= " << bucket << ": " << count << "\n";
        }
    }
    return refused > 0 ? 1 : 0;
}

} // namespace vora::cli
