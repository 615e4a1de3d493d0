// Reading VoRA JSON-lines data: one record per line, every structural problem kept with its file and
// line (training/training_data.h). Torch-free and image-free: the fuzz harness of a data line links it.
#include "core/error.h"
#include "core/io/bounded_read.h"
#include "training/training_data.h"

#include <nlohmann/json.hpp>

#include <fstream>

namespace vora::training {
namespace {

using nlohmann::json;
constexpr std::string_view kPlaceholder = "<image>";

int countPlaceholders(const std::string& text)
{
    int count = 0;
    for (size_t pos = text.find(kPlaceholder); pos != std::string::npos; pos = text.find(kPlaceholder, pos + 1)) {
        ++count;
    }
    return count;
}

std::string roleOf(const std::string& from)
{
    if (from == "human" || from == "user") {
        return "user";
    }
    if (from == "gpt" || from == "assistant") {
        return "assistant";
    }
    return from;
}

// Fills record from the parsed object; returns a message on the first structural fault.
std::optional<std::pair<DataProblemKind, std::string>> fillRecord(const json& root, DataRecord& record)
{
    using P = std::pair<DataProblemKind, std::string>;
    if (!root.is_object()) {
        return P{DataProblemKind::BadStructure, "line is not a JSON object"};
    }
    if (root.contains("id")) {
        record.id = root["id"].is_string() ? root["id"].get<std::string>() : root["id"].dump();
    }
    if (root.contains("frames") && !root["frames"].is_null()) {
        if (!root["frames"].is_array()) {
            return P{DataProblemKind::BadStructure, "\"frames\" is not an array"};
        }
        for (const json& frame : root["frames"]) {
            if (!frame.is_string() || frame.get<std::string>().empty()) {
                return P{DataProblemKind::BadStructure, "a frame is not a non-empty string"};
            }
            record.frames.push_back(frame.get<std::string>());
        }
    }
    if (!root.contains("conversations") || !root["conversations"].is_array() || root["conversations"].empty()) {
        return P{DataProblemKind::BadStructure, "no \"conversations\" array"};
    }
    std::vector<DataTurn> turns;
    for (const json& turn : root["conversations"]) {
        if (!turn.is_object() || !turn.contains("from") || !turn["from"].is_string() || !turn.contains("value")
            || !turn["value"].is_string()) {
            return P{DataProblemKind::BadStructure, "a turn lacks string \"from\" / \"value\""};
        }
        turns.push_back({roleOf(turn["from"].get<std::string>()), turn["value"].get<std::string>()});
    }
    if (turns.front().role == "system") {
        record.system = turns.front().text;
        turns.erase(turns.begin());
    }
    if (turns.empty() || turns.size() % 2 != 0) {
        return P{DataProblemKind::BadStructure, "turns must alternate human, gpt and end with gpt"};
    }
    for (size_t i = 0; i < turns.size(); ++i) {
        const std::string expected = i % 2 == 0 ? "user" : "assistant";
        if (turns[i].role != expected) {
            return P{DataProblemKind::BadStructure, "turn " + std::to_string(i + 1) + " is \"" + turns[i].role
                                                        + "\" where " + expected + " was expected"};
        }
        if (expected == "assistant" && turns[i].text.find_first_not_of(" \t\r\n") == std::string::npos) {
            return P{DataProblemKind::EmptyAnswer, "answer " + std::to_string(i / 2 + 1) + " is empty"};
        }
        if (expected == "assistant" && countPlaceholders(turns[i].text) > 0) {
            return P{DataProblemKind::PlaceholderMismatch, "an answer contains <image>"};
        }
    }
    int placeholders = 0;
    for (const DataTurn& turn : turns) {
        placeholders += countPlaceholders(turn.text);
    }
    const int frames = static_cast<int>(record.frames.size());
    if (placeholders == 0 && frames > 0) {
        std::string prefix;
        for (int i = 0; i < frames; ++i) {
            prefix += kPlaceholder;
        }
        turns.front().text = prefix + turns.front().text;
        placeholders = frames;
    }
    if (placeholders != frames) {
        return P{DataProblemKind::PlaceholderMismatch, std::to_string(placeholders) + " <image> placeholder(s) for "
                                                           + std::to_string(frames) + " frame(s)"};
    }
    record.turns = std::move(turns);
    return std::nullopt;
}

// std::getline without its unbounded growth: a "line" past kMaxDataLineBytes is refused.
bool readBoundedLine(std::istream& in, std::string& text, const std::string& file, int line)
{
    text.clear();
    char chunk[1 << 16];
    for (;;) {
        in.getline(chunk, sizeof chunk);
        const auto got = static_cast<std::size_t>(in.gcount());
        const bool ended = !in.fail() && !in.eof(); // the newline was read (gcount counts it)
        const bool filled = in.fail() && !in.eof() && got > 0; // the chunk filled before the line ended
        text.append(chunk, ended ? got - 1 : got);
        core::require(text.size() <= core::kMaxDataLineBytes, core::ErrorCode::CorruptFile,
                      file + ":" + std::to_string(line) + ": line longer than " + std::to_string(core::kMaxDataLineBytes)
                          + " bytes (is this a JSON-lines file?)");
        if (ended) {
            return true;
        }
        if (!filled) {
            return !text.empty(); // end of file
        }
        in.clear();
    }
}

} // namespace


std::string dataProblemKindName(DataProblemKind kind)
{
    switch (kind) {
    case DataProblemKind::BadJson: return "bad-json";
    case DataProblemKind::BadStructure: return "bad-structure";
    case DataProblemKind::EmptyAnswer: return "empty-answer";
    case DataProblemKind::PlaceholderMismatch: return "placeholder-mismatch";
    case DataProblemKind::MissingImage: return "missing-image";
    case DataProblemKind::CorruptImage: return "corrupt-image";
    case DataProblemKind::OverLength: return "over-length";
    case DataProblemKind::OutsideImageRoot: return "outside-image-root";
    }
    return "unknown";
}

std::string DataProblem::describe() const
{
    return file + ":" + std::to_string(line) + ": " + dataProblemKindName(kind) + ": " + message;
}

std::optional<DataRecord> parseDataLine(const std::string& text, const std::string& file, int line,
                                        std::vector<DataProblem>& problems)
{
    json root;
    try {
        root = json::parse(text);
    } catch (const json::exception& e) {
        problems.push_back({file, line, DataProblemKind::BadJson, e.what()});
        return std::nullopt;
    }
    DataRecord record;
    record.file = file;
    record.line = line;
    if (auto fault = fillRecord(root, record)) {
        problems.push_back({file, line, fault->first, fault->second});
        return std::nullopt;
    }
    return record;
}

DataSet readDataFiles(const std::vector<std::string>& files)
{
    DataSet data;
    for (const std::string& file : files) {
        (void)core::RegularFile(file); // missing, a FIFO or a device: refused before the stream opens it
        std::ifstream in(file);
        core::require(in.good(), core::ErrorCode::Io, file + ": cannot read the data file");
        std::string text;
        int line = 0;
        while (readBoundedLine(in, text, file, line + 1)) {
            ++line;
            if (text.find_first_not_of(" \t\r") == std::string::npos) {
                continue;
            }
            if (auto record = parseDataLine(text, file, line, data.problems)) {
                data.records.push_back(std::move(*record));
            }
        }
    }
    return data;
}

} // namespace vora::training
