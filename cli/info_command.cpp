#include "cli/byte_format.h"
#include "cli/command_line.h"
#include "cli/commands.h"
#include "core/device/runtime_info.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

namespace vora::cli {
int runInfo(const Arguments& args)
{
    const std::vector<OptionSpec> specs = {{"json", false, "print one JSON object"}};
    const CommandLine line("vora info [--json]", specs, args);
    const core::RuntimeInfo info = core::runtimeInfo();

    if (line.has("json")) {
        nlohmann::json devices = nlohmann::json::array();
        for (const auto& d : info.devices) {
            devices.push_back({{"id", d.id}, {"name", d.name}, {"total_memory_bytes", d.totalMemoryBytes},
                               {"free_memory_bytes", d.freeMemoryBytes}});
        }
        const nlohmann::json out = {
            {"vora", info.voraVersion},
            {"torch", info.torchVersion},
            {"torch_cuda", info.torchHasCuda},
            {"opencv", info.opencvVersion.empty() ? nlohmann::json(nullptr) : nlohmann::json(info.opencvVersion)},
            {"qt", nullptr}, // the CLI never links Qt (docs/architecture.md); vora-studio reports its Qt version
            {"cpu_threads", info.cpuThreads},
            {"devices", devices},
            {"sentencepiece", {{"available", info.sentencePieceAvailable}, {"detail", info.sentencePieceDetail}}},
        };
        std::cout << out.dump() << "\n";
        return 0;
    }

    std::cout << "VoRA Studio runtime " << info.voraVersion << "\n"
              << "  LibTorch       " << info.torchVersion << (info.torchHasCuda ? " (CUDA)" : " (CPU only)") << "\n"
              << "  OpenCV         "
              << (info.opencvVersion.empty() ? "not built in: images must be binary PPM/PGM or pre-decoded"
                                             : info.opencvVersion)
              << "\n"
              << "  Qt             not linked by the CLI (see vora-studio --version)\n"
              << "  sentencepiece  " << (info.sentencePieceAvailable ? "available: " : "unavailable: ")
              << info.sentencePieceDetail << "\n"
              << "  CPU threads    " << info.cpuThreads << "\n"
              << "Devices:\n";
    for (const auto& d : info.devices) {
        std::cout << "  " << d.id << "  " << d.name << "  " << formatGiB(d.totalMemoryBytes) << " total, "
                  << formatGiB(d.freeMemoryBytes) << " free\n";
    }
    return 0;
}

} // namespace vora::cli
