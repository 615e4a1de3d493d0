#include "core/safetensors/checkpoint_files.h"

#include "core/error.h"
#include "core/io/bounded_read.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace vora::core {
namespace {
namespace fs = std::filesystem;
}

std::map<std::string, std::string> parseCheckpointIndex(const std::string& text, const std::string& pathForErrors)
{
    nlohmann::json root;
    try {
        root = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        throw Error(ErrorCode::CorruptFile, pathForErrors + ": not valid JSON: " + e.what());
    }
    require(root.is_object() && root.contains("weight_map") && root["weight_map"].is_object(), ErrorCode::CorruptFile,
            pathForErrors + ": needs a \"weight_map\" object");
    std::map<std::string, std::string> weightMap;
    for (const auto& [name, file] : root["weight_map"].items()) {
        require(file.is_string(), ErrorCode::CorruptFile, pathForErrors + ": weight_map[" + name + "] is not a string");
        const std::string shard = file.get<std::string>();
        require(!shard.empty() && shard.find('/') == std::string::npos && shard != "." && shard != "..",
                ErrorCode::CorruptFile, pathForErrors + ": shard name \"" + shard + "\" leaves the model folder");
        weightMap[name] = shard;
    }
    return weightMap;
}

CheckpointFiles CheckpointFiles::open(const std::string& modelDir)
{
    CheckpointFiles checkpoint;
    const fs::path dir(modelDir);
    const fs::path single = dir / "model.safetensors";
    const fs::path index = dir / "model.safetensors.index.json";
    if (fs::exists(index)) {
        const std::map<std::string, std::string> weightMap
            = parseCheckpointIndex(readFileBounded(index.string(), kMaxIndexFileBytes), index.string());
        std::set<std::string> shards;
        for (const auto& [name, shard] : weightMap) {
            shards.insert(shard);
        }
        for (const std::string& shard : shards) {
            const fs::path shardPath = dir / shard;
            require(fs::exists(shardPath), ErrorCode::FileNotFound,
                    index.string() + " lists " + shard + ", which is missing");
            checkpoint.add(SafetensorsFile::open(shardPath.string()));
        }
        for (const auto& [name, shard] : weightMap) {
            const TensorLocation* location = checkpoint.find(name);
            require(location && fs::path(location->file->path()).filename() == shard, ErrorCode::CorruptFile,
                    index.string() + ": " + name + " is indexed in " + shard + " but not stored there");
        }
    } else if (fs::exists(single)) {
        checkpoint.add(SafetensorsFile::open(single.string()));
    } else {
        std::vector<fs::path> found;
        if (fs::is_directory(dir)) {
            for (const auto& entry : fs::directory_iterator(dir)) {
                if (entry.path().extension() == ".safetensors") {
                    found.push_back(entry.path());
                }
            }
        }
        require(!found.empty(), ErrorCode::FileNotFound,
                modelDir + ": no model.safetensors, model.safetensors.index.json or *.safetensors file");
        std::sort(found.begin(), found.end());
        for (const auto& path : found) {
            checkpoint.add(SafetensorsFile::open(path.string()));
        }
    }
    return checkpoint;
}

void CheckpointFiles::add(std::shared_ptr<SafetensorsFile> file)
{
    for (const auto& [name, info] : file->tensors()) {
        const auto [it, inserted] = m_locations.emplace(name, TensorLocation{file.get(), &info});
        require(inserted, ErrorCode::CorruptFile,
                "tensor " + name + " is stored twice: in " + it->second.file->path() + " and " + file->path());
    }
    m_files.push_back(std::move(file));
}

const TensorLocation* CheckpointFiles::find(const std::string& name) const
{
    const auto it = m_locations.find(name);
    return it == m_locations.end() ? nullptr : &it->second;
}

std::vector<std::string> CheckpointFiles::names() const
{
    std::vector<std::string> out;
    out.reserve(m_locations.size());
    for (const auto& [name, location] : m_locations) {
        out.push_back(name);
    }
    return out;
}

int64_t CheckpointFiles::totalBytes() const
{
    int64_t total = 0;
    for (const auto& [name, location] : m_locations) {
        total += location.info->end - location.info->begin;
    }
    return total;
}

} // namespace vora::core
