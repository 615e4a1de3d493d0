#pragma once
// VoRA training data (docs/vora-format.md, "Training"): JSON lines of {"id", "frames": [...], "conversations": [{"from", "value"}]}.
// Reading keeps every line's problems instead of stopping at the first, so `vora data check` and the
// trainer can list all of them. Plain C++ (no torch).
#include "training/image_root.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace vora::core {
class Tokenizer;
}

namespace vora::training {

struct DataTurn {
    std::string role; // user | assistant
    std::string text;
};

struct DataRecord {
    std::string file;
    int line = 0; // 1-based
    std::string id;
    std::vector<std::string> frames;   // as written in the file
    std::optional<std::string> system; // a leading {"from": "system"} turn
    std::vector<DataTurn> turns;       // alternating user, assistant; the placeholder already prepended
};

enum class DataProblemKind {
    BadJson,
    BadStructure,
    EmptyAnswer,
    PlaceholderMismatch,
    MissingImage,
    CorruptImage,
    OverLength,
    OutsideImageRoot, // a frame that leads out of the image root (training/image_root.h)
};
std::string dataProblemKindName(DataProblemKind kind);

struct DataProblem {
    std::string file;
    int line = 0;
    DataProblemKind kind = DataProblemKind::BadJson;
    std::string message;

    std::string describe() const; // "file:line: kind: message"
};

struct DataSet {
    std::vector<DataRecord> records; // structurally valid lines, in file order
    std::vector<DataProblem> problems;
};

// Parses one JSON line; structural problems (bad JSON, roles, empty answers, placeholder count vs
// frames) are appended to problems and nullopt returned.
std::optional<DataRecord> parseDataLine(const std::string& text, const std::string& file, int line,
                                        std::vector<DataProblem>& problems);
// Reads every file; throws core::Error(FileNotFound | Io | CorruptFile) only when a file cannot be
// read: missing, not a regular file (a FIFO would block), or with a line longer than
// core::kMaxDataLineBytes (a file without newlines is not JSON lines).
DataSet readDataFiles(const std::vector<std::string>& files);

struct DataCheckOptions {
    ImageRootPolicy images;
    const core::Tokenizer* tokenizer = nullptr; // null: no length check
    int64_t maxTextLen = 2048;
    bool decodeImages = true; // false: only check that files exist
};

struct DataCheckReport {
    int64_t lines = 0;
    int64_t goodSamples = 0;
    int64_t imageSamples = 0;
    int64_t textOnlySamples = 0;
    std::vector<DataProblem> problems;
    std::map<int64_t, int64_t> lengthHistogram; // bucket lower bound (powers of two) -> samples
    int64_t maxTextTokens = 0;
    std::vector<bool> bad; // per record of the DataSet: has a problem
};

// Adds image and length problems to the set's structural ones.
DataCheckReport checkDataSet(const DataSet& data, const DataCheckOptions& options);

} // namespace vora::training
