#pragma once

#include "models/torchscriptprobe.h"

#include <QByteArray>
#include <QString>

namespace digitdesk::annotation {

// The largest model file DigitDesk reads into memory (PyTorch's MNIST example is 4.6 MB, a
// ResNet-50 about 100 MB).
constexpr qint64 MaxModelFileBytes = 512LL * 1024 * 1024;

// What the child that runs an imported model's code may use.
struct ModelCheckLimits
{
    // Address space (RLIMIT_AS). The child needs about 770 MB of it before it reads a byte,
    // mostly mapped libraries (measured with `prlimit --as`: 768 MB runs a small model, 740 MB
    // does not; under too low a limit LibTorch may hang rather than fail, and the wall clock
    // then stops it).
    qint64 memoryBytes = 4LL * 1024 * 1024 * 1024;
    // Wall-clock time from start to report; the child is killed then. Its CPU time is limited
    // to twice this (RLIMIT_CPU), for code that spins on several threads.
    int seconds = 60;
};

// What the child reported of a model that passed the check.
struct ModelCheckReport
{
    models::TorchScriptProbe probe;
    bool landlock = false;
    QString sandbox; // how the child confined itself, in words
    double seconds = 0;
};

// Runs an imported model's code where it can do no harm before anything is registered:
// `PROGRAM model-check` in a child process that gets the file's bytes on stdin (never a path,
// never the workspace), with limits on its address space, CPU time, file size and core files, a
// wall-clock timeout, an empty temporary working folder, and every inherited descriptor but
// stdin, stdout and stderr closed. The child forbids itself every filesystem write with Landlock
// before it reads the bytes, or says in its report why it could not (then the empty folder and
// the file size limit are what is left).
class ModelImportCheck final
{
public:
    // `program` is a digitdesk binary; empty means this process's own, which is digitdesk on the
    // command line and in the GUI (a test names DIGITDESK_BINARY).
    explicit ModelImportCheck(QString program = {}, ModelCheckLimits limits = {});

    // Throws ModelRefused naming `name` and the reason: the model does not load, answers values
    // that are not finite, or answers other than [N, 10] float logits for a batch of N; or the
    // child crashed (the signal named), ran out of memory or time, or reported nothing.
    ModelCheckReport check(const QByteArray &bytes, const QString &name) const;

    // Why the model that gave this probe is refused, or an empty string when it is not.
    static QString refusal(const models::TorchScriptProbe &probe, const QString &name);

    const ModelCheckLimits &limits() const { return m_limits; }

private:
    QString m_program;
    ModelCheckLimits m_limits;
};

} // namespace digitdesk::annotation
