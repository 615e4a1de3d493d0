#include "core/tokenizer/tokenizer.h"

#include "core/error.h"
#include "core/tokenizer/hf_tokenizer.h"
#include "core/tokenizer/sentencepiece_tokenizer.h"
#include "core/tokenizer/tokenizer_files.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace vora::core {
namespace fs = std::filesystem;

bool fileExists(const std::string& path)
{
    std::error_code ec;
    return fs::is_regular_file(path, ec);
}

std::string readTextFile(const std::string& path)
{
    require(fileExists(path), ErrorCode::FileNotFound, "file not found: " + path);
    std::ifstream in(path, std::ios::binary);
    require(in.good(), ErrorCode::Io, "cannot open " + path);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    require(!in.bad(), ErrorCode::Io, "cannot read " + path);
    return std::move(buffer).str();
}

nlohmann::json readJsonFile(const std::string& path)
{
    const std::string text = readTextFile(path);
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
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
