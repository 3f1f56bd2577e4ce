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
    return cancelled;
}

} // namespace digitdesk::app
