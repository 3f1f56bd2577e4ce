#pragma once

#include <QString>

namespace digitdesk::app {

// How far this process confined itself.
struct SandboxStatus
{
    bool landlock = false;
    int landlockAbi = 0; // 0 when Landlock is not there
    QString description; // what is forbidden, or why Landlock is not used
};

// Forbids this process and its children, for the rest of their lives, every filesystem write
// (creating, writing, truncating, renaming or removing anything; reading stays allowed), and
// where the kernel's Landlock ABI has them, TCP bind and connect, and signals and abstract UNIX
// sockets outside the sandbox. Sets PR_SET_NO_NEW_PRIVS first. Without Landlock (Linux before
// 5.13, or disabled at boot) it says so and why; the caller then relies on the limits its parent
// set (an empty working folder, a file size limit) and goes on.
SandboxStatus forbidFilesystemWrites();

} // namespace digitdesk::app
