#include "app/cli/processsandbox.h"

#include <linux/landlock.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

namespace digitdesk::app {
namespace {

// The kernel's struct landlock_ruleset_attr as of ABI 6; Debian's linux/landlock.h has only its
// first field. The kernel is told the size its ABI knows.
struct RulesetAttributes
{
    uint64_t handledAccessFs = 0;
    uint64_t handledAccessNet = 0;
    uint64_t scoped = 0;
};

// Every right that changes the filesystem, by the ABI that introduced it.
constexpr uint64_t WritesV1 = (1ULL << 1) /* WRITE_FILE */ | (1ULL << 4) /* REMOVE_DIR */ |
                              (1ULL << 5) /* REMOVE_FILE */ | (1ULL << 6) /* MAKE_CHAR */ |
                              (1ULL << 7) /* MAKE_DIR */ | (1ULL << 8) /* MAKE_REG */ |
                              (1ULL << 9) /* MAKE_SOCK */ | (1ULL << 10) /* MAKE_FIFO */ |
                              (1ULL << 11) /* MAKE_BLOCK */ | (1ULL << 12) /* MAKE_SYM */;
constexpr uint64_t ReferV2 = 1ULL << 13;
constexpr uint64_t TruncateV3 = 1ULL << 14;
constexpr uint64_t TcpBindAndConnectV4 = (1ULL << 0) | (1ULL << 1);
constexpr uint64_t AbstractSocketsAndSignalsV6 = (1ULL << 0) | (1ULL << 1);

QString errnoText(int error)
{
    return QString::fromLocal8Bit(strerror(error));
}

} // namespace

SandboxStatus forbidFilesystemWrites()
{
    SandboxStatus status;
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        status.description =
            QStringLiteral("no Landlock: PR_SET_NO_NEW_PRIVS failed: %1").arg(errnoText(errno));
        return status;
    }
    const long abi =
        syscall(SYS_landlock_create_ruleset, nullptr, 0, LANDLOCK_CREATE_RULESET_VERSION);
    if (abi < 0) {
        const int error = errno;
        status.description =
            error == ENOSYS       ? QStringLiteral("no Landlock: this kernel has none (Linux "
                                                         "5.13 or later has it)")
            : error == EOPNOTSUPP ? QStringLiteral("no Landlock: it is disabled at boot (lsm=)")
                                  : QStringLiteral("no Landlock: %1").arg(errnoText(error));
        return status;
    }
    RulesetAttributes attributes;
    attributes.handledAccessFs = WritesV1 | (abi >= 2 ? ReferV2 : 0) | (abi >= 3 ? TruncateV3 : 0);
    size_t size = sizeof(uint64_t);
    QString forbidden = QStringLiteral("no filesystem writes");
    if (abi >= 4) {
        attributes.handledAccessNet = TcpBindAndConnectV4;
        size = 2 * sizeof(uint64_t);
        forbidden += QStringLiteral(", no TCP bind or connect");
    }
    if (abi >= 6) {
        attributes.scoped = AbstractSocketsAndSignalsV6;
        size = sizeof(RulesetAttributes);
        forbidden += QStringLiteral(", no signals or abstract sockets outside");
    }
    // No rule is added: every handled right is denied everywhere.
    const long ruleset = syscall(SYS_landlock_create_ruleset, &attributes, size, 0);
    if (ruleset < 0) {
        status.description =
            QStringLiteral("no Landlock: creating the ruleset failed: %1").arg(errnoText(errno));
        return status;
    }
    const long restricted = syscall(SYS_landlock_restrict_self, ruleset, 0);
    const int error = errno;
    close(static_cast<int>(ruleset));
    if (restricted != 0) {
        status.description =
            QStringLiteral("no Landlock: restricting failed: %1").arg(errnoText(error));
        return status;
    }
    status.landlock = true;
    status.landlockAbi = static_cast<int>(abi);
    status.description = QStringLiteral("Landlock ABI %1: %2").arg(abi).arg(forbidden);
    return status;
}

} // namespace digitdesk::app
