#pragma once

#include <QString>

#include <atomic>
#include <mutex>

namespace digitdesk::models {

// A shared library that DigitDesk opens at the first call that needs it (LibTorch's and
// OpenCV's code live in such modules, so a command that needs neither never pays their
// start-up). It is looked for at the path in `environmentVariable` when that is set, else by
// file name in the executable's RUNPATH; it is never closed. The module exports
// `extern "C" void *entryPoint(int abi)`, which answers its interface, or nullptr when it was
// built for another `abi`.
//
// Construct it as a function-local static in the static library that calls it, so that dlopen
// runs from code inside the executable: glibc searches the RUNPATH of the object that calls
// dlopen, which a loader inside libQt6Core (QLibrary) would not have.
class LazyModule final
{
public:
    LazyModule(const char *what, const char *fileName, const char *environmentVariable,
               const char *entryPoint, int abi);
    LazyModule(const LazyModule &) = delete;
    LazyModule &operator=(const LazyModule &) = delete;

    // Opens the module once (later calls answer the same pointer); thread-safe. Throws
    // std::runtime_error naming the module, where it was looked for and why it failed.
    void *interface();
    bool loaded() const { return m_interface.load(std::memory_order_acquire) != nullptr; }

private:
    QString failure(const QString &reason) const;

    const char *m_what;
    const char *m_fileName;
    const char *m_environmentVariable;
    const char *m_entryPoint;
    int m_abi;
    std::mutex m_mutex;
    std::atomic<void *> m_interface{nullptr};
};

} // namespace digitdesk::models
