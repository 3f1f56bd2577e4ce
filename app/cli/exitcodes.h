#pragma once

namespace digitdesk::app {

// Exit codes of every `digitdesk` subcommand (README.md lists them too).
enum ExitCode
{
    ExitOk = 0,
    ExitUsage = 1,            // wrong arguments; the usage is printed
    ExitFailed = 2,           // the operation failed; the reason is printed
    ExitPermissionDenied = 3, // the role may not do this
    ExitWorkspaceRefused = 4, // no workspace there, or a schema newer than this binary
    ExitWithProblems = 5,     // done, but some items were reported (bad files, check findings)
    ExitCancelled = 6,        // stopped by SIGINT or SIGTERM; nothing half-done is kept
};

} // namespace digitdesk::app
