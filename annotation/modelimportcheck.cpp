#include "annotation/modelimportcheck.h"

#include "annotation/modelrefused.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QStringList>
#include <QTemporaryDir>

#include <linux/close_range.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstring>

namespace digitdesk::annotation {
namespace {

// What the child may write to its stderr (the model's own prints go there too); past it the
// kernel stops it with SIGXFSZ. Without Landlock it also bounds any file it writes.
constexpr rlim_t MaxChildFileBytes = 16 * 1024 * 1024;

// AddressSanitizer and ThreadSanitizer reserve terabytes of address space for their shadow
// before main, so an address-space limit stops a sanitized child before it starts. There the
// sanitizer's allocator enforces the memory limit instead.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool SanitizedBuild = true;
#else
constexpr bool SanitizedBuild = false;
#endif

void limitSanitizedChild(QProcessEnvironment &environment, qint64 memoryBytes)
{
    if (!SanitizedBuild) {
        return;
    }
    const QString megabytes = QString::number(memoryBytes / (1024 * 1024));
    const QString limits = QStringLiteral("allocator_may_return_null=1:max_allocation_size_mb=%1:"
                                          "soft_rss_limit_mb=%1")
                               .arg(megabytes);
    for (const QString &variable :
         {QStringLiteral("ASAN_OPTIONS"), QStringLiteral("TSAN_OPTIONS")}) {
        const QString inherited = environment.value(variable);
        environment.insert(variable,
                           inherited.isEmpty() ? limits : inherited + QLatin1Char(':') + limits);
    }
}

QString describeShape(const std::vector<int64_t> &shape)
{
    QStringList sizes;
    for (const int64_t size : shape) {
        sizes << QString::number(size);
    }
    return QLatin1Char('[') + sizes.join(QStringLiteral(", ")) + QLatin1Char(']');
}

QString images(int count)
{
    return count == 1 ? QStringLiteral("1 image") : QStringLiteral("%1 images").arg(count);
}

QString signalName(int signal)
{
    const char *abbreviation = sigabbrev_np(signal);
    return abbreviation ? QStringLiteral("SIG%1 (%2)")
                              .arg(QString::fromLatin1(abbreviation),
                                   QString::fromLocal8Bit(strsignal(signal)))
                        : QStringLiteral("signal %1").arg(signal);
}

// The last lines the child wrote to stderr, for a message.
QStringList stderrTail(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return {};
    }
    file.seek(std::max<qint64>(0, file.size() - 4096));
    return QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

// std::bad_alloc unhandled, or, in a sanitized build, the sanitizer's allocator at its limit:
// there a throwing operator new cannot throw, it reports "out-of-memory" and aborts.
bool ranOutOfMemory(const QStringList &stderrLines)
{
    return std::any_of(stderrLines.begin(), stderrLines.end(), [](const QString &line) {
        return line.contains(QStringLiteral("bad_alloc")) ||
               (SanitizedBuild && line.contains(QStringLiteral("Sanitizer: out-of-memory")));
    });
}

} // namespace

ModelImportCheck::ModelImportCheck(QString program, ModelCheckLimits limits)
    : m_program(std::move(program)), m_limits(limits)
{}

QString ModelImportCheck::refusal(const models::TorchScriptProbe &probe, const QString &name)
{
    if (!probe.error.isEmpty()) {
        return QStringLiteral("refused %1: it fails %2").arg(name, probe.error);
    }
    const size_t expected = models::probeBatchSizes().size() * models::probeInputs().size();
    if (probe.runs.size() != expected) {
        return QStringLiteral("refused %1: the check reported %2 of %3 runs")
            .arg(name)
            .arg(probe.runs.size())
            .arg(expected);
    }
    for (const models::ProbeRun &run : probe.runs) {
        if (run.shape == std::vector<int64_t>{run.batch, 10}) {
            continue;
        }
        QString reason = QStringLiteral("it answers %1 for a batch of %2 (%3), not [%4, 10] logits")
                             .arg(describeShape(run.shape), images(run.batch), run.input)
                             .arg(run.batch);
        for (const models::ProbeRun &single : probe.runs) {
            if (single.batch == 1 && single.input == run.input &&
                single.shape == std::vector<int64_t>{1, 10}) {
                reason += QStringLiteral(": its output shape depends on the batch (%1 for 1 image)")
                              .arg(describeShape(single.shape));
            }
        }
        return QStringLiteral("refused %1: %2").arg(name, reason);
    }
    for (const models::ProbeRun &run : probe.runs) {
        if (run.dtype != QStringLiteral("Float")) {
            return QStringLiteral("refused %1: it answers %2, not float32 logits")
                .arg(name, run.dtype);
        }
    }
    for (const models::ProbeRun &run : probe.runs) {
        if (!run.finite) {
            return QStringLiteral("refused %1: the model answered NaN/inf for a batch of %2 (%3)")
                .arg(name, images(run.batch), run.input);
        }
    }
    return {};
}

ModelCheckReport ModelImportCheck::check(const QByteArray &bytes, const QString &name) const
{
    const QTemporaryDir workingFolder; // the child's: empty, and removed with what it holds
    const QTemporaryDir output;        // the parent's: the child's stderr
    if (!workingFolder.isValid() || !output.isValid()) {
        throw ModelRefused(QStringLiteral("cannot check model %1: no temporary folder (%2)")
                               .arg(name, workingFolder.errorString()));
    }
    const QString program =
        m_program.isEmpty() ? QCoreApplication::applicationFilePath() : m_program;
    const QString stderrPath = output.filePath(QStringLiteral("stderr.txt"));
    QProcess child;
    child.setProgram(program);
    child.setArguments({QStringLiteral("model-check")});
    child.setWorkingDirectory(workingFolder.path());
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.remove(QStringLiteral("DIGITDESK_WORKSPACE"));
    environment.insert(QStringLiteral("HOME"), workingFolder.path());
    environment.insert(QStringLiteral("TMPDIR"), workingFolder.path());
    // One thread: less address space for stacks and malloc arenas, and answers that do not
    // depend on the core count.
    environment.insert(QStringLiteral("DIGITDESK_THREADS"), QStringLiteral("1"));
    environment.insert(QStringLiteral("OMP_NUM_THREADS"), QStringLiteral("1"));
    environment.insert(QStringLiteral("MALLOC_ARENA_MAX"), QStringLiteral("2"));
    limitSanitizedChild(environment, m_limits.memoryBytes);
    child.setProcessEnvironment(environment);
    child.setStandardErrorFile(stderrPath);
    const auto memory = static_cast<rlim_t>(m_limits.memoryBytes);
    const auto cpu = static_cast<rlim_t>(m_limits.seconds) * 2;
    // Between fork and exec: only async-signal-safe calls.
    child.setChildProcessModifier([memory, cpu] {
        const rlimit addressSpace{memory, memory};
        const rlimit cpuTime{cpu, cpu + 1};
        const rlimit fileSize{MaxChildFileBytes, MaxChildFileBytes};
        const rlimit core{0, 0};
        if (!SanitizedBuild) {
            setrlimit(RLIMIT_AS, &addressSpace);
        }
        setrlimit(RLIMIT_CPU, &cpuTime);
        setrlimit(RLIMIT_FSIZE, &fileSize);
        setrlimit(RLIMIT_CORE, &core);
        // The workspace's database and any other descriptor this process holds stay here.
        syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
    });
    QElapsedTimer clock;
    clock.start();
    child.start();
    if (!child.waitForStarted(30000)) {
        throw ModelRefused(QStringLiteral("cannot check model %1: %2 does not start: %3")
                               .arg(name, program, child.errorString()));
    }
    child.write(bytes);
    child.closeWriteChannel();
    if (!child.waitForFinished(m_limits.seconds * 1000)) {
        child.kill();
        child.waitForFinished(-1);
        throw ModelRefused(QStringLiteral("refused %1: model check timed out after %2 s: the "
                                          "model was stopped")
                               .arg(name)
                               .arg(m_limits.seconds));
    }
    const QStringList stderrLines = stderrTail(stderrPath);
    const QString lastError = stderrLines.isEmpty() ? QString() : stderrLines.last().trimmed();
    const QString megabytes = QStringLiteral("%1 MB").arg(m_limits.memoryBytes >> 20);
    if (child.exitStatus() == QProcess::CrashExit) {
        const int signal = child.exitCode();
        QString why;
        if (signal == SIGXCPU) {
            why = QStringLiteral(": it used more than %1 s of CPU time").arg(cpu);
        } else if (signal == SIGXFSZ) {
            why = QStringLiteral(": it wrote more than %1 MB").arg(MaxChildFileBytes >> 20);
        } else if (ranOutOfMemory(stderrLines)) {
            why = QStringLiteral(": out of memory (the check allows %1)").arg(megabytes);
        } else if (!lastError.isEmpty()) {
            why = QStringLiteral(": %1").arg(lastError);
        }
        throw ModelRefused(QStringLiteral("refused %1: the model check crashed with %2%3")
                               .arg(name, signalName(signal), why));
    }
    const QJsonObject report = QJsonDocument::fromJson(child.readAllStandardOutput()).object();
    if (child.exitCode() != 0 || !report.contains(QStringLiteral("probe"))) {
        throw ModelRefused(
            QStringLiteral("refused %1: the model check (%2) reported nothing "
                           "(exit code %3)%4")
                .arg(name, program)
                .arg(child.exitCode())
                .arg(lastError.isEmpty() ? QString() : QStringLiteral(": ") + lastError));
    }
    ModelCheckReport result;
    result.probe =
        models::TorchScriptProbe::fromJson(report.value(QStringLiteral("probe")).toObject());
    const QJsonObject sandbox = report.value(QStringLiteral("sandbox")).toObject();
    result.landlock = sandbox.value(QStringLiteral("landlock")).toBool();
    result.sandbox = sandbox.value(QStringLiteral("description")).toString();
    result.seconds = static_cast<double>(clock.elapsed()) / 1000.0;
    if (result.probe.outOfMemory) {
        throw ModelRefused(QStringLiteral("refused %1: out of memory: it needs more than the "
                                          "check allows (%2): %3")
                               .arg(name, megabytes, result.probe.error));
    }
    if (const QString reason = refusal(result.probe, name); !reason.isEmpty()) {
        throw ModelRefused(reason);
    }
    return result;
}

} // namespace digitdesk::annotation
