#include "models/lazymodule.h"

#include <QFile>
#include <QFileInfo>
#include <QStringList>

#include <dlfcn.h>
#include <elf.h>
#include <link.h>

#include <stdexcept>

namespace digitdesk::models {
namespace {

// The executable's DT_RUNPATH (or DT_RPATH), as the linker wrote it; empty when it has none.
QString executableRunPath()
{
    QString found;
    dl_iterate_phdr(
        [](dl_phdr_info *info, size_t, void *data) {
            // The first object reported is the executable itself.
            for (ElfW(Half) i = 0; i < info->dlpi_phnum; ++i) {
                if (info->dlpi_phdr[i].p_type != PT_DYNAMIC) {
                    continue;
                }
                const auto *dynamic = reinterpret_cast<const ElfW(Dyn) *>(
                    info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
                const char *strings = nullptr;
                ElfW(Xword) path = 0;
                bool hasPath = false;
                for (const ElfW(Dyn) *entry = dynamic; entry->d_tag != DT_NULL; ++entry) {
                    if (entry->d_tag == DT_STRTAB) {
                        // ld.so has already relocated it for the executable.
                        strings = reinterpret_cast<const char *>(entry->d_un.d_ptr);
                    } else if (entry->d_tag == DT_RUNPATH ||
                               (entry->d_tag == DT_RPATH && !hasPath)) {
                        path = entry->d_un.d_val;
                        hasPath = true;
                    }
                }
                if (strings && hasPath) {
                    *static_cast<QString *>(data) = QString::fromLocal8Bit(strings + path);
                }
            }
            return 1;
        },
        &found);
    return found;
}

QString runPathForMessage()
{
    const QString runPath = executableRunPath();
    return runPath.isEmpty() ? QStringLiteral("none") : runPath;
}

// dlopen() of a bare file name searches the RUNPATH of the object that called it. Under a
// sanitizer the caller is the sanitizer's dlopen interceptor, which has none, so the module is
// also looked for in each RUNPATH folder by full path ($ORIGIN: the executable's folder).
void *openFromRunPath(const char *fileName)
{
    const QString origin = QFileInfo(QStringLiteral("/proc/self/exe")).canonicalPath();
    const QStringList folders = executableRunPath().split(QLatin1Char(':'), Qt::SkipEmptyParts);
    for (QString folder : folders) {
        folder.replace(QStringLiteral("${ORIGIN}"), origin)
            .replace(QStringLiteral("$ORIGIN"), origin);
        const QByteArray path =
            QFile::encodeName(folder + QLatin1Char('/') + QString::fromLocal8Bit(fileName));
        if (void *handle = dlopen(path.constData(), RTLD_NOW | RTLD_LOCAL)) {
            return handle;
        }
    }
    return nullptr;
}

} // namespace

LazyModule::LazyModule(const char *what, const char *fileName, const char *environmentVariable,
                       const char *entryPoint, int abi)
    : m_what(what), m_fileName(fileName), m_environmentVariable(environmentVariable),
      m_entryPoint(entryPoint), m_abi(abi)
{}

void *LazyModule::interface()
{
    if (void *ready = m_interface.load(std::memory_order_acquire)) {
        return ready;
    }
    const std::lock_guard lock(m_mutex);
    if (void *ready = m_interface.load(std::memory_order_acquire)) {
        return ready;
    }
    const QByteArray overridden = qgetenv(m_environmentVariable);
    // RTLD_NOW: a missing symbol fails here, with a message, not in the middle of a training
    // run. RTLD_LOCAL: the module's libraries stay out of the global scope. No RTLD_DEEPBIND,
    // which breaks the sanitizers' and libstdc++'s interposition.
    void *handle =
        dlopen(overridden.isEmpty() ? m_fileName : overridden.constData(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const QString reason = QString::fromLocal8Bit(dlerror());
        handle = overridden.isEmpty() ? openFromRunPath(m_fileName) : nullptr;
        if (!handle) {
            throw std::runtime_error(failure(reason).toStdString());
        }
    }
    using EntryPoint = void *(*)(int);
    const auto entry = reinterpret_cast<EntryPoint>(dlsym(handle, m_entryPoint));
    if (!entry) {
        throw std::runtime_error(
            failure(QStringLiteral("it has no %1").arg(QString::fromLatin1(m_entryPoint)))
                .toStdString());
    }
    void *answer = entry(m_abi);
    if (!answer) {
        throw std::runtime_error(
            failure(QStringLiteral("it was built from other sources than this program (interface "
                                   "version %1 expected)")
                        .arg(m_abi))
                .toStdString());
    }
    m_interface.store(answer, std::memory_order_release);
    return answer;
}

QString LazyModule::failure(const QString &reason) const
{
    const QByteArray overridden = qgetenv(m_environmentVariable);
    const QString where =
        overridden.isEmpty()
            ? QStringLiteral("in the program's library path (RUNPATH %1; %2 is not set)")
                  .arg(runPathForMessage(), QString::fromLatin1(m_environmentVariable))
            : QStringLiteral("at %1 (from %2; unset it to look in the program's library path, "
                             "RUNPATH %3)")
                  .arg(QFile::decodeName(overridden), QString::fromLatin1(m_environmentVariable),
                       runPathForMessage());
    return QStringLiteral("cannot load %1: the module %2 was looked for %3: %4")
        .arg(QString::fromLatin1(m_what), QString::fromLatin1(m_fileName), where, reason);
}

} // namespace digitdesk::models
