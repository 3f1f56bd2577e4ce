#include "app/cli/cancelsignal.h"

#include <csignal>

namespace digitdesk::app {
namespace {

std::atomic<bool> cancelled{false};

extern "C" void handleCancel(int)
{
    cancelled.store(true);
}

} // namespace

const std::atomic<bool> &installCancelSignals()
{
    struct sigaction action
    {
    };
    action.sa_handler = handleCancel;
    action.sa_flags = SA_RESETHAND; // the second signal gets the default action
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    // A process started by `digitdesk serve` inherits its mask, which blocks both for sigwait().
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_UNBLOCK, &signals, nullptr);
    return cancelled;
}

} // namespace digitdesk::app
