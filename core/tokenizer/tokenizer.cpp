#include "core/tokenizer/tokenizer.h"

#include "core/error.h"
#include "core/io/bounded_read.h"
#include "core/tokenizer/hf_tokenizer.h"
#include "core/tokenizer/sentencepiece_tokenizer.h"
#include "core/tokenizer/tokenizer_files.h"

#include <nlohmann/json.hpp>

#include <filesystem>

namespace vora::core {
namespace fs = std::filesystem;

bool fileExists(const std::string& path)
{
    // Anything but a folder counts: a FIFO or device named tokenizer.json is then refused by the
    // bounded reader with a message, instead of being skipped as if absent.
    std::error_code ec;
    return fs::exists(path, ec) && !fs::is_directory(path, ec);
}

std::string readTextFile(const std::string& path)
{
    return readFileBounded(path, kMaxTokenizerFileBytes);
}

nlohmann::json readJsonFile(const std::string& path)
{
    const std::string text = readTextFile(path);
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) { // parse_error, or out_of_range for a number like 1e400
        throw Error(ErrorCode::CorruptFile, path + ": invalid JSON: " + e.what());
    }
}

std::unique_ptr<Tokenizer> Tokenizer::load(const std::string& path)
{
    std::error_code ec;
    require(fs::exists(path, ec), ErrorCode::FileNotFound, "tokenizer not found: " + path);
    const fs::path location(path);
    if (fs::is_directory(location, ec)) {
        const TokenizerConfig config = readTokenizerConfig((location / "tokenizer_config.json").string());
        const fs::path json = location / "tokenizer.json";
        const fs::path model = location / "tokenizer.model";
        const fs::path vocab = location / "vocab.json";
        const fs::path merges = location / "merges.txt";
        if (fileExists(json.string())) {
            return HfTokenizer::fromTokenizerJson(json.string(), config);
        }
        if (fileExists(model.string())) {
            return SentencePieceTokenizer::load(model.string(), config);
        }
        if (fileExists(vocab.string()) && fileExists(merges.string())) {
            return HfTokenizer::fromVocabAndMerges(vocab.string(), merges.string(), config);
        }
        throw Error(ErrorCode::FileNotFound, "no tokenizer in " + path
                                                 + " (looked for tokenizer.json, tokenizer.model, vocab.json + merges.txt)");
    }
    const TokenizerConfig config = readTokenizerConfig((location.parent_path() / "tokenizer_config.json").string());
    if (location.extension() == ".json") {
        return HfTokenizer::fromTokenizerJson(path, config);
    }
    return SentencePieceTokenizer::load(path, config);
}

} // namespace vora::core
