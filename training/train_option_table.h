#pragma once
// The one declaration of the training options: a table with one row per option (flag, member of
// TrainOptions, kind, default, help, range or choices, group). Adding an option is ONE edit: a member
// in TrainOptions with its default and a row in trainOptionTable() (train_option_table.cpp). The CLI
// flags and --help (cli/train_options_cli), --config JSON files and the run config saved in
// state.json (train_options.cpp), range checks (the row's setter) and the machine-readable
// `vora train --options-json` (trainOptionsSchema) are all derived from it. Plain C++ (no torch).
#include "training/train_options.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vora::training {

enum class OptionKind {
    Path,       // a file or folder
    Text,       // free text (e.g. a device name)
    Choice,     // one of `choices`
    Integer,    // whole number within [min, max] and the member's type; 1.5 and 2^32+1 for an int are refused
    Number,     // finite real within [min, max]
    Switch,     // a flag without value (JSON: true / false)
    PathList,   // repeatable flag; JSON: an array (or one string)
    ChoiceList, // comma-separated or repeated; JSON: an array or one comma-separated string
};
std::string_view optionKindName(OptionKind kind);

struct TrainOptionDecl {
    std::string flag;      // "lora-rank": `--lora-rank`; config keys may use '-' or '_'
    std::string group;     // the section in --help and in the fine-tune wizard's form
    std::string valueName; // "R" in "--lora-rank R"
    std::string help;
    OptionKind kind = OptionKind::Text;
    std::vector<std::string> choices;
    std::optional<double> min; // Integer / Number bounds (inclusive unless minExclusive)
    std::optional<double> max;
    bool minExclusive = false;
    bool required = false;
    bool saved = true; // part of the run config saved in state.json (false: how to run, not what)
    std::function<nlohmann::json(const TrainOptions&)> get;
    // value: JSON of the row's kind. Throws core::Error(InvalidArgument, "<where>: <problem>").
    std::function<void(TrainOptions&, const nlohmann::json& value, const std::string& where)> set;

    bool takesValue() const { return kind != OptionKind::Switch; }
    bool repeatable() const { return kind == OptionKind::PathList || kind == OptionKind::ChoiceList; }
    nlohmann::json defaultValue() const { return get(TrainOptions{}); }
};

const std::vector<TrainOptionDecl>& trainOptionTable();
// By flag or config key ("lora-rank" or "lora_rank"); null when unknown.
const TrainOptionDecl* findTrainOption(std::string_view flagOrKey);
// Command-line text -> the JSON value the row's setter takes (an integer's digits stay exact). Throws
// core::Error(InvalidArgument) naming --flag when the text is not of the row's kind.
nlohmann::json optionValueFromText(const TrainOptionDecl& option, const std::vector<std::string>& texts);
// Every option as {"flag", "type", "group", "value_name", "help", "default", "required", "repeatable",
// "saved", "choices"?, "min"?, "max"?, "min_exclusive"?}: what `vora train --options-json` prints.
nlohmann::json trainOptionsSchema();

} // namespace vora::training
