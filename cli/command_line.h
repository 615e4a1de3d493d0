#pragma once
// A small, strict command-line parser for the `vora` subcommands: every option is declared,
// unknown options and missing values are errors with the command's usage, options may repeat.
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace vora::cli {

struct OptionSpec {
    std::string name;        // without the leading "--"
    bool takesValue = true;  // false: a switch
    std::string help;
    std::string valueName = "VALUE";
    std::string group = ""; // --help prints a heading where the group changes ("" = none)
};

class CommandLine {
public:
    // Throws UsageError on unknown options or missing values, and on --help (helpRequested()).
    CommandLine(const std::string& synopsis, const std::vector<OptionSpec>& specs,
                const std::vector<std::string>& args);

    bool has(const std::string& name) const;
    std::optional<std::string> value(const std::string& name) const;
    std::string valueOr(const std::string& name, const std::string& fallback) const;
    std::string required(const std::string& name) const;
    std::vector<std::string> values(const std::string& name) const;
    const std::vector<std::string>& positionals() const { return m_positionals; }
    const std::string& usage() const { return m_usage; }

    // Typed accessors: throw UsageError naming the option when the value does not parse, lies
    // outside [low, high] (integers) or is not finite (numbers: "nan" and "inf" are refused).
    std::optional<long long> integer(const std::string& name) const;
    std::optional<long long> integerIn(const std::string& name, long long low, long long high) const;
    std::optional<double> number(const std::string& name) const;

private:
    std::string m_usage;
    std::map<std::string, std::vector<std::string>> m_values;
    std::vector<std::string> m_positionals;
};

class UsageError : public std::exception {
public:
    UsageError(std::string message, std::string usage = {}, bool helpRequested = false)
        : m_message(std::move(message)), m_usage(std::move(usage)), m_helpRequested(helpRequested) {}
    const char* what() const noexcept override { return m_message.c_str(); }
    const std::string& usage() const { return m_usage; }
    bool helpRequested() const { return m_helpRequested; }

private:
    std::string m_message;
    std::string m_usage;
    bool m_helpRequested = false;
};

std::string formatUsage(const std::string& synopsis, const std::vector<OptionSpec>& specs);

} // namespace vora::cli
