// `vora`: the command-line face of the runtime and trainer. Links vora_core and vora_training only
// (no Qt), so it builds on headless GPU servers; the desktop app starts it for training jobs.
#include "cli/command_line.h"
#include "core/build_config.h"
#include "cli/commands.h"
#include "core/error.h"

#include <iostream>

namespace {

void printHelp()
{
    std::cout << "usage: vora [--version] COMMAND [OPTIONS]\n\nCommands:\n";
    for (const auto& command : vora::cli::commands()) {
        std::cout << "  " << command.name << std::string(12 - std::string(command.name).size(), ' ')
                  << command.summary << "\n";
    }
    std::cout << "\nRun 'vora COMMAND --help' for a command's options.\n";
}

} // namespace

int main(int argc, char** argv)
{
    const std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        printHelp();
        return args.empty() ? 2 : 0;
    }
    if (args[0] == "--version") {
        std::cout << "vora " << VORA_VERSION << "\n";
        return 0;
    }
    for (const auto& command : vora::cli::commands()) {
        if (args[0] != command.name) {
            continue;
        }
        try {
            return command.run(vora::cli::Arguments(args.begin() + 1, args.end()));
        } catch (const vora::cli::UsageError& error) {
            if (error.helpRequested()) {
                std::cout << error.usage();
                return 0;
            }
            std::cerr << "vora " << command.name << ": " << error.what() << "\n" << error.usage();
            return 2;
        } catch (const vora::core::Error& error) {
            std::cerr << "vora " << command.name << ": " << vora::core::errorCodeName(error.code()) << ": "
                      << error.what() << "\n";
            return 1;
        } catch (const std::exception& error) {
            std::cerr << "vora " << command.name << ": " << vora::core::describeException(error) << "\n";
            return 1;
        }
    }
    std::cerr << "vora: unknown command '" << args[0] << "'\n";
    printHelp();
    return 2;
}
