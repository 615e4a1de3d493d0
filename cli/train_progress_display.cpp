#include "cli/train_progress_display.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace vora::cli {
namespace {

std::string fixed(double value, int decimals)
{
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    return text;
}

std::string stepStatus(const nlohmann::json& line)
{
    const int64_t step = line.value("step", int64_t(0));
    const int64_t total = line.value("total_steps", int64_t(0));
    std::string status = "step " + std::to_string(step) + "/" + std::to_string(total) + "  loss "
                         + fixed(line.value("loss", 0.0), 4) + "  " + fixed(line.value("tokens_per_s", 0.0), 0) + " tok/s";
    if (step < total) {
        status += "  ETA " + formatDuration(line.value("eta_s", 0.0));
    }
    return status;
}

} // namespace

std::string formatDuration(double seconds)
{
    const auto total = static_cast<long long>(std::llround(std::max(0.0, seconds)));
    char text[64];
    if (total >= 3600) {
        std::snprintf(text, sizeof text, "%lldh %02lldm", total / 3600, (total % 3600) / 60);
    } else if (total >= 60) {
        std::snprintf(text, sizeof text, "%lldm %02llds", total / 60, total % 60);
    } else {
        std::snprintf(text, sizeof text, "%llds", total);
    }
    return text;
}

void TrainProgressDisplay::endStatusLine()
{
    if (m_statusLineOpen) {
        m_out << "\n" << std::flush;
        m_statusLineOpen = false;
    }
}

void TrainProgressDisplay::show(const std::string& jsonLine)
{
    const nlohmann::json line = nlohmann::json::parse(jsonLine, nullptr, false);
    if (!line.is_object()) {
        return;
    }
    const std::string event = line.value("event", "");
    if (event == "step") {
        // "\r" and the erase-to-end-of-line code rewrite the status line in place.
        m_out << "\r" << stepStatus(line) << "\x1b[K" << std::flush;
        m_statusLineOpen = true;
        return;
    }
    std::string text;
    const std::string step = std::to_string(line.value("step", int64_t(0)));
    if (event == "start") {
        text = "training " + std::to_string(line.value("trainable_parameters", int64_t(0))) + " parameters on "
               + line.value("device", "") + ": " + std::to_string(line.value("samples", int64_t(0))) + " samples";
        if (line.value("val_samples", int64_t(0)) > 0) {
            text += " (+" + std::to_string(line.value("val_samples", int64_t(0))) + " for validation)";
        }
        text += ", steps " + step + " to " + std::to_string(line.value("total_steps", int64_t(0)))
                + ", image attention " + line.value("image_attention", "");
    } else if (event == "validation") {
        text = "step " + step + ": validation loss " + fixed(line.value("val_loss", 0.0), 4) + " over "
               + std::to_string(line.value("val_samples", int64_t(0))) + " samples";
    } else if (event == "checkpoint") {
        text = "step " + step + ": checkpoint " + line.value("path", "");
    } else if (event == "resumed") {
        text = "resumed at step " + step + " from " + line.value("path", "");
    } else {
        return; // stopped / done: the command prints its own summary
    }
    endStatusLine();
    m_out << text << "\n" << std::flush;
}

} // namespace vora::cli
