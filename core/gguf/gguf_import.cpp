#include "core/gguf/gguf_import.h"

#include "core/error.h"
#include "core/gguf/gguf_dequantize.h"
#include "core/gguf/gguf_hf_config.h"
#include "core/gguf/gguf_tokenizer_export.h"
#include "core/io/durable_file.h"
#include "core/io/fault_injection.h"
#include "core/io/staging_folder.h"
#include "core/model/model_config.h"
#include "core/safetensors/safetensors_stream_writer.h"
#include "core/tokenizer/tokenizer.h"

#include <nlohmann/json.hpp>

#include <bit>
#include <cmath>
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace vora::core {
namespace {

namespace fs = std::filesystem;
static_assert(std::endian::native == std::endian::little, "safetensors bytes are written as the host stores them");

// The folder being built; removed unless release() was called (after the final rename).
// The target without a trailing separator; refused when it exists as anything but an empty folder.
fs::path checkedTarget(const std::string& outDir)
{
    require(!outDir.empty(), ErrorCode::InvalidArgument, "the output folder is empty");
    fs::path out = fs::path(outDir).lexically_normal();
    if (!out.has_filename()) {
        out = out.parent_path();
    }
    std::error_code ec;
    const fs::file_status status = fs::symlink_status(out, ec);
    if (fs::exists(status)) {
        require(fs::is_directory(status) && fs::is_empty(out, ec), ErrorCode::InvalidArgument,
                out.string() + " already exists; choose a new folder (an import never writes into an existing model)");
    }
    return out;
}

struct WeightSpec {
    const GgufTensorPlan* plan;
    SafetensorsTensorSpec spec;
};

std::vector<std::byte> encode(const std::vector<float>& values, bool bfloat16)
{
    std::vector<std::byte> bytes(values.size() * (bfloat16 ? 2 : 4));
    if (!bfloat16) {
        std::memcpy(bytes.data(), values.data(), bytes.size());
        return bytes;
    }
    for (size_t i = 0; i < values.size(); ++i) {
        const uint16_t bits = floatToBfloat16(values[i]);
        bytes[2 * i] = static_cast<std::byte>(bits & 0xFF);
        bytes[2 * i + 1] = static_cast<std::byte>(bits >> 8);
    }
    return bytes;
}

std::string shardName(size_t index, size_t count)
{
    if (count == 1) {
        return "model.safetensors";
    }
    char name[64];
    std::snprintf(name, sizeof(name), "model-%05zu-of-%05zu.safetensors", index + 1, count);
    return name;
}

void writeWeights(const GgufFile& file, const GgufModelPlan& plan, const GgufImportOptions& options,
                  const fs::path& folder, GgufImportResult& result)
{
    const bool bfloat16 = options.dtype == "bfloat16";
    std::vector<std::vector<WeightSpec>> shards(1);
    uint64_t shardBytes = 0;
    for (const GgufTensorPlan& tensor : plan.tensors) {
        WeightSpec weight{&tensor, {tensor.hfName, bfloat16 ? "BF16" : "F32", tensor.shape}};
        const uint64_t bytes = weight.spec.byteCount();
        if (!shards.back().empty() && shardBytes + bytes > options.maxShardBytes) {
            shards.emplace_back();
            shardBytes = 0;
        }
        shards.back().push_back(std::move(weight));
        shardBytes += bytes;
        result.weightBytes += bytes;
    }
    nlohmann::ordered_json weightMap = nlohmann::ordered_json::object();
    size_t written = 0;
    for (size_t s = 0; s < shards.size(); ++s) {
        std::vector<SafetensorsTensorSpec> specs;
        for (const WeightSpec& weight : shards[s]) {
            specs.push_back(weight.spec);
            weightMap[weight.spec.name] = shardName(s, shards.size());
        }
        SafetensorsStreamWriter writer((folder / shardName(s, shards.size())).string(), specs, {{"format", "pt"}});
        for (const WeightSpec& weight : shards[s]) {
            const GgufTensorPlan& tensor = *weight.plan;
            std::vector<float> values = dequantizeTensor(file, *tensor.source);
            if (tensor.rotaryHeads > 0) {
                unpermuteRotaryRows(values, tensor.shape[0], tensor.shape.size() > 1 ? tensor.shape[1] : 1,
                                    tensor.rotaryHeads);
            }
            const auto nonFinite = std::count_if(values.begin(), values.end(), [](float v) { return !std::isfinite(v); });
            if (nonFinite > 0) {
                result.warnings.push_back("tensor " + tensor.source->name + " holds " + std::to_string(nonFinite)
                                          + " non-finite values");
            }
            writer.writeNext(encode(values, bfloat16));
            if (options.progress) {
                options.progress(++written, plan.tensors.size(), tensor.hfName);
            }
        }
        writer.finish();
    }
    result.shardCount = shards.size();
    result.tensorCount = plan.tensors.size();
    if (shards.size() > 1) {
        const nlohmann::ordered_json index = {{"metadata", {{"total_size", result.weightBytes}}}, {"weight_map", weightMap}};
        writeFileDurably((folder / "model.safetensors.index.json").string(), index.dump(2) + "\n");
    }
}

void addTemplateWarnings(const GgufTokenizerExport& tokenizer, GgufImportResult& result)
{
    if (!tokenizer.chatTemplate) {
        result.warnings.push_back("the GGUF has no chat template (tokenizer.chat_template); chats use ChatML");
    } else if (tokenizer.chatTemplate->find("<|im_start|>") == std::string::npos) {
        result.warnings.push_back("the GGUF's chat template is not ChatML, the only chat format the runtime renders; "
                                  "use --raw-prompt with this model");
    }
}

} // namespace

GgufImportResult importGguf(const GgufImportOptions& options)
{
    require(options.dtype == "bfloat16" || options.dtype == "float32", ErrorCode::InvalidArgument,
            "dtype must be bfloat16 or float32, got \"" + options.dtype + "\"");
    const fs::path target = checkedTarget(options.outDir);
    const auto file = GgufFile::open(options.ggufPath);
    GgufImportResult result;
    const GgufModelPlan plan = planGgufModel(*file);
    result.config = plan.config;
    const GgufTokenizerExport tokenizer =
        exportGgufTokenizer(*file, plan.config.vocabSize, plan.config.maxPositionEmbeddings);
    addTemplateWarnings(tokenizer, result);

    StagingFolder temp(target);
    const auto write = [&](const char* name, const std::string& text) {
        writeFileDurably((temp.path() / name).string(), text);
    };
    write("config.json", hfModelConfigJson(plan.config, tokenizer, options.dtype));
    write("generation_config.json", hfGenerationConfigJson(tokenizer));
    write("tokenizer.json", tokenizer.tokenizerJson);
    write("tokenizer_config.json", tokenizer.tokenizerConfigJson + "\n");
    writeWeights(*file, plan, options, temp.path(), result);
    faultPoint("gguf.weights_written");

    // What the runtime will read must load before the folder is called a model.
    loadModelConfig(temp.path().string());
    const auto loaded = Tokenizer::load(temp.path().string());
    require(loaded->vocabSize() <= plan.config.vocabSize, ErrorCode::CorruptFile,
            options.ggufPath + ": the tokenizer has more ids than the embedding has rows");

    temp.commit();
    faultPoint("gguf.complete");
    return result;
}

} // namespace vora::core
