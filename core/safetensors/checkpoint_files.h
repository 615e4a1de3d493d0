#pragma once
// The weight files of a model folder: model.safetensors, or shards listed by
// model.safetensors.index.json (every shard validated, every indexed name present in its shard),
// or, failing both, every *.safetensors in the folder. Plain C++ (no torch).
#include "core/safetensors/safetensors_file.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace vora::core {

// model.safetensors.index.json's weight_map (tensor name -> shard file name). Throws
// Error(CorruptFile) naming pathForErrors for bad JSON, a missing map, or a shard name that would
// leave the model folder.
std::map<std::string, std::string> parseCheckpointIndex(const std::string& text, const std::string& pathForErrors);

struct TensorLocation {
    const SafetensorsFile* file = nullptr;
    const TensorInfo* info = nullptr;
};

class CheckpointFiles {
public:
    // Throws Error(FileNotFound | CorruptFile | InvalidConfig).
    static CheckpointFiles open(const std::string& modelDir);

    bool contains(const std::string& name) const { return m_locations.count(name) > 0; }
    const TensorLocation* find(const std::string& name) const;
    std::vector<std::string> names() const;
    int64_t totalBytes() const;
    const std::vector<std::shared_ptr<SafetensorsFile>>& files() const { return m_files; }

private:
    void add(std::shared_ptr<SafetensorsFile> file);

    std::vector<std::shared_ptr<SafetensorsFile>> m_files;
    std::map<std::string, TensorLocation> m_locations;
};

} // namespace vora::core
