#include "cli/train_options_cli.h"

#include "core/error.h"
#include "training/train_option_table.h"

#include <cstdio>
#include <fstream>
#include <sstream>

namespace vora::cli {
namespace {

using training::OptionKind;
using training::TrainOptionDecl;

std::string shown(const nlohmann::json& value)
{
    if (value.is_string()) {
        return value.get<std::string>();
    }
    if (value.is_array()) {
        std::string list;
        for (const auto& item : value) {
            list += (list.empty() ? "" : ",") + shown(item);
        }
        return list;
    }
    if (value.is_number_float()) {
        char text[32];
        std::snprintf(text, sizeof text, "%g", value.get<double>());
        return text;
    }
    return value.dump();
}

// The row's help with what a reader needs to pick a value: choices, range and default.
std::string helpText(const TrainOptionDecl& row)
{
    std::string help = row.help;
    std::vector<std::string> notes;
    if (row.kind == OptionKind::Choice) {
        std::string words;
        for (const std::string& c : row.choices) {
            words += (words.empty() ? "" : " | ") + c;
        }
        notes.push_back(words);
    }
    if (row.min && row.max) {
        notes.push_back(shown(row.kind == OptionKind::Integer ? nlohmann::json(static_cast<int64_t>(*row.min)) : nlohmann::json(*row.min))
                        + (row.minExclusive ? " < x <= " : " to ")
                        + shown(row.kind == OptionKind::Integer ? nlohmann::json(static_cast<int64_t>(*row.max)) : nlohmann::json(*row.max)));
    }
    const nlohmann::json byDefault = row.defaultValue();
    if (!shown(byDefault).empty() && byDefault != nullptr && row.kind != OptionKind::Switch) {
        notes.push_back("default " + shown(byDefault));
    }
    if (row.required) {
        notes.push_back("required");
    }
    for (size_t i = 0; i < notes.size(); ++i) {
        help += (i == 0 ? " (" : "; ") + notes[i] + (i + 1 == notes.size() ? ")" : "");
    }
    return help;
}

std::string readConfigFile(const std::string& path)
{
    std::ifstream in(path);
    if (!in.good()) {
        throw UsageError("--config: cannot read " + path);
    }
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

} // namespace

std::vector<OptionSpec> trainOptionSpecs()
{
    std::vector<OptionSpec> specs = {
        {"config", true, "JSON file with the flags as keys ('-' or '_'); flags given here override it", "FILE", "input"}};
    for (const TrainOptionDecl& row : training::trainOptionTable()) {
        specs.push_back({row.flag, row.takesValue(), helpText(row), row.valueName, row.group});
    }
    return specs;
}

training::TrainOptions readTrainOptions(const CommandLine& line)
{
    training::TrainOptions options;
    if (const auto config = line.value("config")) {
        training::applyTrainConfigJson(options, readConfigFile(*config), *config);
    }
    std::vector<std::pair<std::string, std::vector<std::string>>> given;
    for (const TrainOptionDecl& row : training::trainOptionTable()) {
        if (line.has(row.flag)) {
            given.emplace_back(row.flag, line.values(row.flag));
        }
    }
    try {
        training::applyTrainArguments(options, given);
    } catch (const core::Error& error) {
        throw UsageError(error.what(), line.usage());
    }
    return options;
}

} // namespace vora::cli
