#include "cli/command_line.h"
#include "cli/commands.h"
#include "core/error.h"
#include "core/tokenizer/tokenizer.h"

#include <nlohmann/json.hpp>

#include <iostream>
#include <iterator>

namespace vora::cli {
namespace {

std::vector<int32_t> parseIds(const std::string& text)
{
    nlohmann::json value;
    try {
        value = nlohmann::json::parse(text);
        return value.get<std::vector<int32_t>>();
    } catch (const nlohmann::json::exception&) {
        throw core::Error(core::ErrorCode::InvalidArgument, "--decode expects a JSON array of token ids, got: " + text);
    }
}

std::string parseLine(const std::string& line)
{
    try {
        return nlohmann::json::parse(line).get<std::string>();
    } catch (const nlohmann::json::exception&) {
        throw core::Error(core::ErrorCode::InvalidArgument, "--jsonl expects one JSON string per line, got: " + line);
    }
}

std::string process(const core::Tokenizer& tokenizer, const std::string& input, bool decode,
                    const core::EncodeOptions& options)
{
    if (decode) {
        return nlohmann::json(tokenizer.decode(parseIds(input))).dump(-1, ' ', false,
                                                                         nlohmann::json::error_handler_t::replace);
    }
    return nlohmann::json(tokenizer.encode(input, options)).dump();
}

} // namespace

int runTokenize(const Arguments& args)
{
    const std::vector<OptionSpec> specs = {
        {"tokenizer", true, "tokenizer.json, .model, or a folder with tokenizer files", "PATH"},
        {"parse-special", false, "special-token strings in the text become their ids"},
        {"add-special", false, "add BOS/EOS as the tokenizer configures"},
        {"decode", false, "input is a JSON array of ids; print the text as a JSON string"},
        {"jsonl", false, "one JSON input per stdin line, one JSON output per line"},
    };
    const std::string synopsis =
        "vora tokenize --tokenizer PATH [--parse-special] [--add-special] [--decode] [--jsonl] [TEXT]";
    const CommandLine line(synopsis, specs, args);
    if (line.positionals().size() > 1) {
        throw UsageError("at most one TEXT argument (quote it)", formatUsage(synopsis, specs));
    }
    if (line.has("jsonl") && !line.positionals().empty()) {
        throw UsageError("--jsonl reads stdin; TEXT is not allowed with it", formatUsage(synopsis, specs));
    }
    const auto tokenizer = core::Tokenizer::load(line.required("tokenizer"));
    core::EncodeOptions options;
    options.parseSpecial = line.has("parse-special");
    options.addSpecial = line.has("add-special");
    const bool decode = line.has("decode");

    if (line.has("jsonl")) {
        std::string input;
        while (std::getline(std::cin, input)) {
            if (!input.empty() && input.back() == '\r') {
                input.pop_back();
            }
            if (input.empty()) {
                continue;
            }
            std::cout << process(*tokenizer, decode ? input : parseLine(input), decode, options) << "\n";
        }
        return 0;
    }
    const std::string input = line.positionals().empty()
                                  ? std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>())
                                  : line.positionals().front();
    std::cout << process(*tokenizer, input, decode, options) << "\n";
    return 0;
}

} // namespace vora::cli
