#pragma once
// Byte counts as GiB for the CLI's human-readable output.
#include <cstdint>
#include <cstdio>
#include <string>

namespace vora::cli {

inline std::string formatGiB(int64_t bytes, int precision = 1, int width = 0)
{
    char text[48];
    std::snprintf(text, sizeof text, "%*.*f GiB", width, precision, static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0));
    return text;
}

} // namespace vora::cli
