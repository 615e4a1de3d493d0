#include "cli/stop_signal.h"

#include <csignal>
#include <unistd.h>

namespace vora::cli {
namespace {

std::atomic<bool> g_stopRequested{false};
std::atomic<int> g_stopSignal{0};
static_assert(std::atomic<bool>::is_always_lock_free && std::atomic<int>::is_always_lock_free);

void onSignal(int signal)
{
    int none = 0;
    g_stopSignal.compare_exchange_strong(none, signal);
    if (g_stopRequested.exchange(true)) {
        _exit(128 + signal);
    }
}

} // namespace

const std::atomic<bool>* installStopSignalHandlers()
{
    struct sigaction action {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    return &g_stopRequested;
}

int stopSignalNumber()
{
    return g_stopSignal.load();
}

} // namespace vora::cli
