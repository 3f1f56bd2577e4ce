#pragma once

// A container image (a docker archive) run the way this machine allows: podman, with a storage
// of the test's own and the limits and runtime the host accepts; or else a chroot of the image
// unpacked with skopeo and umoci (as root).

#include "tests/support/yamlfile.h"

#include <QString>
#include <QStringList>

#include <sys/resource.h>
#include <unistd.h>

namespace digitdesk::testing {

class ImageRunner final
{
public:
    // `folder` holds podman's storage or the unpacked image; `user` is the image's user.
    ImageRunner(const QString &archive, const QString &tag, const QString &folder, uint user)
        : m_archive(archive), m_tag(tag), m_folder(folder), m_user(user)
    {}
    ImageRunner(const ImageRunner &) = delete;
    ImageRunner &operator=(const ImageRunner &) = delete;
    // Containers and images go, and with them their overlay mounts below the folder.
    ~ImageRunner()
    {
        if (m_podman) {
            runTool(
                QStringLiteral("podman"),
                podman({QStringLiteral("rm"), QStringLiteral("--force"), QStringLiteral("--all")}));
            runTool(QStringLiteral("podman"),
                    podman({QStringLiteral("rmi"), QStringLiteral("--force"),
                            QStringLiteral("--all")}));
        }
    }

    // podman needs overlay mounts, cgroups and namespaces: they are tried rather than guessed.
    // False, with what podman said, when it cannot load the image or run `probe` in it.
    bool tryPodman(const QStringList &probe, QString *why)
    {
        const ToolRun loaded = runTool(QStringLiteral("podman"),
                                       podman({QStringLiteral("load"), QStringLiteral("--quiet"),
                                               QStringLiteral("--input"), m_archive}),
                                       300000);
        if (loaded.exitCode != 0) {
            *why = loaded.said();
            return false;
        }
        m_podman = true;
        // crun refuses a host whose cgroup2 has controllers beside cgroup v1's (this VM's);
        // runc takes it.
        for (const QString &runtime : {QString(), QStringLiteral("runc")}) {
            m_runtime = runtime;
            const ToolRun ran = inside(probe);
            if (ran.exitCode == 0) {
                return true;
            }
            *why += ran.said();
        }
        return false;
    }

    // The image unpacked for a chroot; false, with what went wrong, when it cannot be.
    bool unpack(QString *why)
    {
        if (::geteuid() != 0) {
            *why = QStringLiteral("a chroot needs root: run as root, or where podman can run");
            return false;
        }
        const QString layout = m_folder + QStringLiteral("/oci");
        const ToolRun copied = runTool(QStringLiteral("skopeo"),
                                       {QStringLiteral("copy"), QStringLiteral("--quiet"),
                                        QStringLiteral("docker-archive:") + m_archive,
                                        QStringLiteral("oci:%1:image").arg(layout)},
                                       300000);
        const QString bundle = m_folder + QStringLiteral("/bundle");
        const ToolRun unpacked = copied.exitCode != 0
                                     ? copied
                                     : runTool(QStringLiteral("umoci"),
                                               {QStringLiteral("unpack"), QStringLiteral("--image"),
                                                layout + QStringLiteral(":image"), bundle},
                                               300000);
        if (unpacked.exitCode != 0) {
            *why = unpacked.said();
            return false;
        }
        m_rootfs = bundle + QStringLiteral("/rootfs");
        return true;
    }

    bool inPodman() const { return m_rootfs.isEmpty(); }
    QString rootfs() const { return m_rootfs; }
    // `command` chrooted into the image as its user, with the /proc a runtime would mount (LibTorch
    // reads /proc/cpuinfo): in a mount namespace of its own, so the mount ends with the command,
    // which keeps the process (signals reach it, its exit code is the command's).
    QStringList chroot(const QStringList &command) const
    {
        return QStringList{QStringLiteral("--mount"),
                           QStringLiteral("--propagation=private"),
                           QStringLiteral("/bin/sh"),
                           QStringLiteral("-c"),
                           QStringLiteral("mount -t proc proc \"$0/proc\" && exec chroot "
                                          "--userspec=%1:%1 \"$0\" \"$@\"")
                               .arg(m_user),
                           m_rootfs} +
               command;
    }

    // `command` in the image as its user: in a container of its own, or in the chroot.
    ToolRun inside(const QStringList &command) const
    {
        if (!inPodman()) {
            return runTool(QStringLiteral("unshare"), chroot(command));
        }
        return runTool(QStringLiteral("podman"),
                       podman(QStringList{QStringLiteral("run"), QStringLiteral("--rm"),
                                          QStringLiteral("--network=none"),
                                          QStringLiteral("--entrypoint=") + command.value(0)} +
                              runOptions() + QStringList{m_tag} + command.mid(1)));
    }

    // podman's global options, then `arguments`.
    QStringList podman(const QStringList &arguments) const
    {
        QStringList global{QStringLiteral("--root"), m_folder + QStringLiteral("/storage"),
                           QStringLiteral("--runroot"), m_folder + QStringLiteral("/run")};
        if (!m_runtime.isEmpty()) {
            global << QStringLiteral("--runtime") << m_runtime;
        }
        return global + arguments;
    }

    // podman's default limits raise the open files and processes, which a host that withholds
    // CAP_SYS_RESOURCE (this VM) refuses: a container keeps the caller's open-file limit. The
    // health check's timer is a systemd unit, and a host without systemd has none: `podman
    // healthcheck run` runs the image's check all the same.
    static QStringList runOptions()
    {
        rlimit files{};
        ::getrlimit(RLIMIT_NOFILE, &files);
        return {QStringLiteral("--ulimit=nofile=%1:%2").arg(files.rlim_cur).arg(files.rlim_max),
                QStringLiteral("--ulimit=nproc=4096:4096"),
                QStringLiteral("--health-interval=disable")};
    }

private:
    QString m_archive;
    QString m_tag;
    QString m_folder;
    uint m_user;
    bool m_podman = false; // something was loaded into podman's storage
    QString m_runtime;     // podman's choice when empty
    QString m_rootfs;      // the unpacked image, when podman cannot run it
};

} // namespace digitdesk::testing
