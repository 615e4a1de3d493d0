#include "cli/command_line.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <sstream>

namespace vora::cli {

CommandLine::CommandLine(const std::string& synopsis, const std::vector<OptionSpec>& specs,
                         const std::vector<std::string>& args)
    : m_usage(formatUsage(synopsis, specs))
{
    auto findSpec = [&](const std::string& name) -> const OptionSpec* {
        const auto it = std::find_if(specs.begin(), specs.end(), [&](const OptionSpec& s) { return s.name == name; });
        return it == specs.end() ? nullptr : &*it;
    };
    bool onlyPositionals = false;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (onlyPositionals || arg.size() < 3 || arg.rfind("--", 0) != 0) {
            if (arg == "--") {
                onlyPositionals = true;
                continue;
            }
            m_positionals.push_back(arg);
            continue;
        }
        if (arg == "--help") {
            throw UsageError("", m_usage, true);
        }
        std::string name = arg.substr(2);
        std::optional<std::string> inlineValue;
        if (const auto eq = name.find('='); eq != std::string::npos) {
            inlineValue = name.substr(eq + 1);
            name = name.substr(0, eq);
        }
        const OptionSpec* spec = findSpec(name);
        if (!spec) {
            throw UsageError("unknown option --" + name, m_usage);
        }
        if (!spec->takesValue) {
            if (inlineValue) {
                throw UsageError("--" + name + " takes no value", m_usage);
            }
            m_values[name].emplace_back();
            continue;
        }
        if (inlineValue) {
            m_values[name].push_back(*inlineValue);
        } else if (i + 1 < args.size()) {
            m_values[name].push_back(args[++i]);
        } else {
            throw UsageError("--" + name + " needs a value", m_usage);
        }
    }
}

bool CommandLine::has(const std::string& name) const { return m_values.count(name) > 0; }

std::optional<std::string> CommandLine::value(const std::string& name) const
{
    const auto it = m_values.find(name);
    if (it == m_values.end()) {
        return std::nullopt;
    }
    return it->second.back();
}

std::string CommandLine::valueOr(const std::string& name, const std::string& fallback) const
{
    return value(name).value_or(fallback);
}

std::string CommandLine::required(const std::string& name) const
{
    const auto v = value(name);
    if (!v) {
        throw UsageError("--" + name + " is required", m_usage);
    }
    return *v;
}

std::vector<std::string> CommandLine::values(const std::string& name) const
{
    const auto it = m_values.find(name);
    return it == m_values.end() ? std::vector<std::string>{} : it->second;
}

std::optional<long long> CommandLine::integer(const std::string& name) const
{
    const auto v = value(name);
    if (!v) {
        return std::nullopt;
    }
    long long out = 0;
    const auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
    if (ec != std::errc() || end != v->data() + v->size()) {
        throw UsageError("--" + name + " expects an integer, got '" + *v + "'", m_usage);
    }
    return out;
}

std::optional<long long> CommandLine::integerIn(const std::string& name, long long low, long long high) const
{
    const auto v = integer(name);
    if (v && (*v < low || *v > high)) {
        throw UsageError("--" + name + " must be between " + std::to_string(low) + " and " + std::to_string(high)
                             + ", got " + std::to_string(*v),
                         m_usage);
    }
    return v;
}

std::optional<double> CommandLine::number(const std::string& name) const
{
    const auto v = value(name);
    if (!v) {
        return std::nullopt;
    }
    try {
        size_t used = 0;
        const double out = std::stod(*v, &used);
        if (used == v->size() && std::isfinite(out)) {
            return out;
        }
    } catch (const std::exception&) {
    }
    throw UsageError("--" + name + " expects a finite number, got '" + *v + "'", m_usage);
}

std::string formatUsage(const std::string& synopsis, const std::vector<OptionSpec>& specs)
{
    std::ostringstream out;
    out << "usage: " << synopsis << "\n";
    std::string group;
    for (const OptionSpec& spec : specs) {
        if (spec.group != group && !spec.group.empty()) {
            out << spec.group << ":\n";
        }
        group = spec.group;
        std::string left = "  --" + spec.name + (spec.takesValue ? " " + spec.valueName : "");
        out << left << std::string(left.size() < 30 ? 30 - left.size() : 1, ' ') << spec.help << "\n";
    }
    return out.str();
}

} // namespace vora::cli
