#pragma once
// SIGINT/SIGTERM set a stop flag instead of killing the process, so a long generation or a training
// run ends cleanly (partial output printed, checkpoint saved). A second signal exits at once.
#include <atomic>

namespace vora::cli {

const std::atomic<bool>* installStopSignalHandlers();
// The signal that asked to stop (SIGINT, SIGTERM), 0 when none did.
int stopSignalNumber();

} // namespace vora::cli
