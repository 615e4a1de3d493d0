#include "training/train_option_kinds.h"

#include "core/error.h"

#include <cmath>
#include <sstream>

namespace vora::training::option_rows {
namespace {

using nlohmann::json;

std::string formatBound(double value)
{
    std::ostringstream out;
    out.precision(15);
    out << value;
    return out.str();
}

} // namespace

void fail(const std::string& where, const std::string& problem)
{
    throw core::Error(core::ErrorCode::InvalidArgument, where + ": " + problem);
}

TrainOptionDecl declare(OptionKind kind, const Text& text)
{
    TrainOptionDecl row;
    row.flag = text.flag;
    row.group = text.group;
    row.valueName = text.valueName;
    row.help = text.help;
    row.kind = kind;
    row.min = text.min;
    row.max = text.max;
    row.minExclusive = text.minExclusive;
    row.required = text.required;
    row.saved = text.saved;
    return row;
}

WholeNumber wholeNumber(const json& value, const std::string& where)
{
    if (value.is_number_unsigned()) {
        return {false, value.get<uint64_t>()};
    }
    if (value.is_number_integer()) {
        const int64_t v = value.get<int64_t>();
        return v < 0 ? WholeNumber{true, static_cast<uint64_t>(-(v + 1)) + 1} : WholeNumber{false, static_cast<uint64_t>(v)};
    }
    if (value.is_number_float()) {
        // 1e3 in a JSON file is a float to the parser but a whole number to its writer; 1.5 is refused.
        const double v = value.get<double>();
        if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 9007199254740992.0) {
            return {v < 0, static_cast<uint64_t>(std::fabs(v))};
        }
        fail(where, "expects a whole number, got " + value.dump());
    }
    fail(where, "expects a whole number, got " + value.dump());
}

void checkBounds(const TrainOptionDecl& row, double value, const std::string& shown, const std::string& where)
{
    const bool belowMin = row.min && (row.minExclusive ? value <= *row.min : value < *row.min);
    const bool aboveMax = row.max && value > *row.max;
    if (!belowMin && !aboveMax) {
        return;
    }
    std::string range;
    if (row.min && row.max) {
        range = (row.minExclusive ? "greater than " + formatBound(*row.min) + " and at most " : "from " + formatBound(*row.min) + " to ")
                + formatBound(*row.max);
    } else if (row.min) {
        range = (row.minExclusive ? "greater than " : "at least ") + formatBound(*row.min);
    } else {
        range = "at most " + formatBound(*row.max);
    }
    fail(where, "must be " + range + ", got " + shown);
}

std::string requireString(const json& value, const std::string& where)
{
    if (!value.is_string()) {
        fail(where, "expects a string, got " + value.dump());
    }
    return value.get<std::string>();
}

std::vector<std::string> stringList(const json& value, bool splitCommas, const std::string& where)
{
    std::vector<std::string> items;
    auto add = [&](const std::string& text) {
        if (!splitCommas) {
            items.push_back(text);
            return;
        }
        std::string item;
        for (const char c : text + ",") {
            if (c == ',') {
                if (!item.empty()) {
                    items.push_back(item);
                }
                item.clear();
            } else if (c != ' ') {
                item += c;
            }
        }
    };
    if (value.is_string()) {
        add(value.get<std::string>());
        return items;
    }
    if (!value.is_array()) {
        fail(where, "expects a list of strings, got " + value.dump());
    }
    for (const json& item : value) {
        add(requireString(item, where));
    }
    return items;
}

namespace {

double checkedNumber(const TrainOptionDecl& bounds, const json& value, const std::string& where)
{
    if (!value.is_number()) {
        fail(where, "expects a number, got " + value.dump());
    }
    const double v = value.get<double>();
    if (!std::isfinite(v)) {
        fail(where, "must be a finite number");
    }
    checkBounds(bounds, v, formatBound(v), where);
    return v;
}

} // namespace

TrainOptionDecl number(double TrainOptions::*member, const Text& text)
{
    TrainOptionDecl row = declare(OptionKind::Number, text);
    row.get = [member](const TrainOptions& o) { return json(o.*member); };
    row.set = [member, bounds = row](TrainOptions& o, const json& value, const std::string& where) {
        o.*member = checkedNumber(bounds, value, where);
    };
    return row;
}

TrainOptionDecl optionalNumber(std::optional<double> TrainOptions::*member, const Text& text)
{
    TrainOptionDecl row = declare(OptionKind::Number, text);
    row.get = [member](const TrainOptions& o) { return o.*member ? json(*(o.*member)) : json(); };
    row.set = [member, bounds = row](TrainOptions& o, const json& value, const std::string& where) {
        if (value.is_null()) {
            (o.*member).reset();
        } else {
            o.*member = checkedNumber(bounds, value, where);
        }
    };
    return row;
}

TrainOptionDecl path(std::string TrainOptions::*member, const Text& text)
{
    TrainOptionDecl row = freeText(member, text);
    row.kind = OptionKind::Path;
    return row;
}

TrainOptionDecl freeText(std::string TrainOptions::*member, const Text& text)
{
    TrainOptionDecl row = declare(OptionKind::Text, text);
    row.get = [member](const TrainOptions& o) { return json(o.*member); };
    row.set = [member](TrainOptions& o, const json& value, const std::string& where) { o.*member = requireString(value, where); };
    return row;
}

TrainOptionDecl onOff(bool TrainOptions::*member, const Text& text)
{
    TrainOptionDecl row = declare(OptionKind::Switch, text);
    row.get = [member](const TrainOptions& o) { return json(o.*member); };
    row.set = [member](TrainOptions& o, const json& value, const std::string& where) {
        if (!value.is_boolean()) {
            fail(where, "expects true or false, got " + value.dump());
        }
        o.*member = value.get<bool>();
    };
    return row;
}

TrainOptionDecl pathList(std::vector<std::string> TrainOptions::*member, const Text& text)
{
    TrainOptionDecl row = declare(OptionKind::PathList, text);
    row.get = [member](const TrainOptions& o) { return json(o.*member); };
    row.set = [member](TrainOptions& o, const json& value, const std::string& where) {
        o.*member = stringList(value, false, where);
    };
    return row;
}

TrainOptionDecl choiceList(std::vector<std::string> TrainOptions::*member, std::vector<std::string> choices, const Text& text)
{
    TrainOptionDecl row = declare(OptionKind::ChoiceList, text);
    row.choices = std::move(choices);
    row.get = [member](const TrainOptions& o) { return json(o.*member); };
    row.set = [member, allowed = row.choices](TrainOptions& o, const json& value, const std::string& where) {
        std::vector<std::string> items = stringList(value, true, where);
        for (const std::string& item : items) {
            if (std::find(allowed.begin(), allowed.end(), item) == allowed.end()) {
                std::string list;
                for (const std::string& a : allowed) {
                    list += (list.empty() ? "" : ",") + a;
                }
                fail(where, "unknown item \"" + item + "\" (use " + list + ")");
            }
        }
        o.*member = std::move(items);
    };
    return row;
}

TrainOptionDecl choice(std::string TrainOptions::*member, const std::vector<std::string>& words, const Text& text)
{
    std::vector<std::pair<std::string, std::string>> names;
    for (const std::string& word : words) {
        names.emplace_back(word, word);
    }
    return choice<std::string>(member, names, text);
}

} // namespace vora::training::option_rows
