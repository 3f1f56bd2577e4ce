// Preloaded into the ThreadSanitizer test run only (the tsan test preset sets LD_PRELOAD).
//
// GCC 12's ThreadSanitizer runtime (and LLVM's up to 16) intercepts clone() and treats every
// call as a fork: the child runs the runtime's after-fork hook. With CLONE_VM the child shares
// the parent's memory and thread pointer, so that hook rewrites the parent's own state: the
// parent is marked as forked while multi-threaded (its next thread dies with "starting new
// threads after multi-threaded fork") and its calling thread stops recording memory accesses
// and locks (which then shows as false data races). Qt 6.4's QProcess starts every child with
// clone(CLONE_VM | CLONE_VFORK), so any suite that starts a process was unreadable under TSan.
//
// A CLONE_VM child is a thread of the parent until it calls execve, not a fork: this shim
// sends such calls straight to glibc and leaves every other clone to the runtime.
#include <dlfcn.h>
#include <sched.h>
#include <sys/types.h>

#include <cstdarg>

namespace {

using CloneFunction = int (*)(int (*)(void *), void *, int, void *, ...);

CloneFunction glibcClone = nullptr;
CloneFunction nextClone = nullptr;

__attribute__((constructor)) void resolveClones()
{
    if (void *libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD)) {
        glibcClone = reinterpret_cast<CloneFunction>(dlsym(libc, "clone"));
    }
    nextClone = reinterpret_cast<CloneFunction>(dlsym(RTLD_NEXT, "clone"));
}

} // namespace

extern "C" __attribute__((visibility("default"))) int clone(int (*entry)(void *), void *stack,
                                                            int flags, void *argument, ...)
{
    std::va_list rest;
    va_start(rest, argument);
    auto *parentTid = va_arg(rest, pid_t *);
    auto *tls = va_arg(rest, void *);
    auto *childTid = va_arg(rest, pid_t *);
    va_end(rest);
    const CloneFunction target = (flags & CLONE_VM) != 0 && glibcClone ? glibcClone : nextClone;
    return target(entry, stack, flags, argument, parentTid, tls, childTid);
}
