#pragma once
// Builders of the option table's rows, one per kind: each binds a TrainOptions member to a getter and
// a checking setter, so a row in train_option_table.cpp is all an option needs. Internal to the table.
#include "training/train_option_table.h"

#include <limits>
#include <utility>

namespace vora::training::option_rows {

// The words of a row; designated initializers keep the table readable.
struct Text {
    std::string flag = "";
    std::string group = "";
    std::string valueName = "";
    std::string help = "";
    std::optional<double> min = std::nullopt;
    std::optional<double> max = std::nullopt;
    bool minExclusive = false;
    bool required = false;
    bool saved = true;
};

[[noreturn]] void fail(const std::string& where, const std::string& problem);
TrainOptionDecl declare(OptionKind kind, const Text& text);
// A JSON integer (or an integral float) as sign + magnitude; fails on anything else.
struct WholeNumber {
    bool negative = false;
    uint64_t magnitude = 0;
};
WholeNumber wholeNumber(const nlohmann::json& value, const std::string& where);
void checkBounds(const TrainOptionDecl& row, double value, const std::string& shown, const std::string& where);
std::string requireString(const nlohmann::json& value, const std::string& where);
std::vector<std::string> stringList(const nlohmann::json& value, bool splitCommas, const std::string& where);

template <class T>
TrainOptionDecl integer(T TrainOptions::*member, const Text& text)
{
    static_assert(std::numeric_limits<T>::is_integer);
    TrainOptionDecl row = declare(OptionKind::Integer, text);
    row.get = [member](const TrainOptions& o) { return nlohmann::json(o.*member); };
    row.set = [member, bounds = row](TrainOptions& o, const nlohmann::json& value, const std::string& where) {
        const WholeNumber n = wholeNumber(value, where);
        const std::string shown = (n.negative ? "-" : "") + std::to_string(n.magnitude);
        using Limits = std::numeric_limits<T>;
        const bool fits = n.negative ? Limits::is_signed && n.magnitude <= static_cast<uint64_t>(Limits::max()) + 1
                                     : n.magnitude <= static_cast<uint64_t>(Limits::max());
        // The declared range first (its message is the one a user needs), then what the member can hold.
        const double approximate = static_cast<double>(n.magnitude) * (n.negative ? -1.0 : 1.0);
        checkBounds(bounds, approximate, shown, where);
        if (!fits) {
            fail(where, "must be a whole number from " + std::to_string(Limits::min()) + " to "
                            + std::to_string(Limits::max()) + ", got " + shown);
        }
        o.*member = n.negative ? static_cast<T>(-static_cast<T>(n.magnitude - 1) - 1) : static_cast<T>(n.magnitude);
    };
    return row;
}

TrainOptionDecl number(double TrainOptions::*member, const Text& text);
// null (JSON) = unset; the command line cannot unset.
TrainOptionDecl optionalNumber(std::optional<double> TrainOptions::*member, const Text& text);
TrainOptionDecl path(std::string TrainOptions::*member, const Text& text);
TrainOptionDecl freeText(std::string TrainOptions::*member, const Text& text);
TrainOptionDecl onOff(bool TrainOptions::*member, const Text& text);
TrainOptionDecl pathList(std::vector<std::string> TrainOptions::*member, const Text& text);
TrainOptionDecl choiceList(std::vector<std::string> TrainOptions::*member, std::vector<std::string> choices, const Text& text);

// names: every accepted word with the value it stands for; the first of a value is the one saved.
template <class T>
TrainOptionDecl choice(T TrainOptions::*member, std::vector<std::pair<std::string, T>> names, const Text& text)
{
    TrainOptionDecl row = declare(OptionKind::Choice, text);
    for (const auto& [name, value] : names) {
        row.choices.push_back(name);
    }
    row.get = [member, names](const TrainOptions& o) {
        for (const auto& [name, value] : names) {
            if (value == o.*member) {
                return nlohmann::json(name);
            }
        }
        return nlohmann::json(); // unreachable for values set through the row
    };
    row.set = [member, names, list = row.choices](TrainOptions& o, const nlohmann::json& value, const std::string& where) {
        const std::string word = requireString(value, where);
        for (const auto& [name, v] : names) {
            if (name == word) {
                o.*member = v;
                return;
            }
        }
        std::string allowed;
        for (const std::string& name : list) {
            allowed += (allowed.empty() ? "" : ", ") + name;
        }
        fail(where, "must be one of " + allowed + " (got \"" + word + "\")");
    };
    return row;
}

// A choice stored as the word itself.
TrainOptionDecl choice(std::string TrainOptions::*member, const std::vector<std::string>& words, const Text& text);

} // namespace vora::training::option_rows
