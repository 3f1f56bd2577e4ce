#pragma once

// The dataset repository suites' fixture: small fake images, the system git beside libgit2, and
// a repository with two published versions (v1: a, b, c; v2: b deleted, d added).

#include "storage/datasetgit.h"
#include "storage/storageerror.h"
#include "tests/support/tempworkspace.h"
#include "tests/support/testfiles.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <functional>
#include <optional>

using RepositoryAction = std::function<void(digitdesk::storage::DatasetGit &)>;
Q_DECLARE_METATYPE(RepositoryAction)
Q_DECLARE_METATYPE(std::vector<digitdesk::storage::TreeChange>)

namespace digitdesk::testing::gitfixture {

using storage::DatasetGit;
using storage::TreeChange;

inline const QByteArray LabelsV1("id,label\na,1\nb,2\n");
inline const QByteArray LabelsV2("id,label\na,7\nc,3\n");

// A 28x28 PNG stand-in: the signature, then bytes as incompressible as a real PNG's.
inline QByteArray fakePng(quint32 seed)
{
    QByteArray bytes("\x89PNG\r\n\x1a\n", 8);
    QRandomGenerator random(seed);
    while (bytes.size() < 300) {
        bytes.append(char(random.bounded(256)));
    }
    return bytes;
}

inline QString imagePath(const QByteArray &png)
{
    const QString hex =
        QString::fromLatin1(QCryptographicHash::hash(png, QCryptographicHash::Sha256).toHex());
    return QStringLiteral("images/%1/%2.png").arg(hex.left(2), hex);
}

inline TreeChange put(const QString &path, const QByteArray &content)
{
    return {path, content};
}

inline storage::GitSignature someone(const QString &name = QStringLiteral("Ada"))
{
    return {name, name.toLower() + QStringLiteral("@example.org"),
            QDateTime(QDate(2024, 5, 17), QTime(9, 30), Qt::UTC)};
}

struct GitRun
{
    int exitCode = -1;
    QString output;
    QStringList lines() const { return output.split(QLatin1Char('\n'), Qt::SkipEmptyParts); }
};

// The system git in `repository` (none: the current folder), with no user or system
// configuration in the way; `arguments` are split at spaces.
inline GitRun git(const QString &repository, const QString &arguments, const QByteArray &input = {})
{
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("GIT_CONFIG_NOSYSTEM"), QStringLiteral("1"));
    environment.insert(QStringLiteral("GIT_CONFIG_GLOBAL"), QStringLiteral("/dev/null"));
    process.setProcessEnvironment(environment);
    process.setProcessChannelMode(QProcess::MergedChannels);
    QStringList all = arguments.split(QLatin1Char(' '));
    if (!repository.isEmpty()) {
        all = QStringList{QStringLiteral("-C"), repository} + all;
    }
    process.start(QStringLiteral("git"), all);
    process.write(input);
    process.closeWriteChannel();
    process.waitForFinished(120000);
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromUtf8(process.readAll())};
}

inline void verifyFsckClean(const QString &repository)
{
    const GitRun fsck = git(repository, QStringLiteral("fsck --strict --full --no-dangling"));
    // Notices are not findings: "HEAD points to an unborn branch" while nothing is published.
    QStringList findings = fsck.lines();
    findings.removeIf([](const QString &line) { return line.startsWith(u"notice:"); });
    QVERIFY2(fsck.exitCode == 0 && findings.isEmpty(), qPrintable(fsck.output));
}

inline QString errorOf(const std::function<void()> &action)
{
    try {
        action();
    } catch (const storage::StorageError &error) {
        return error.message();
    }
    return {};
}

inline QSet<QString> packBaseNames(const QString &repository)
{
    QSet<QString> names;
    QDirIterator it(repository + QStringLiteral("/objects/pack"), {QStringLiteral("*.idx")});
    while (it.hasNext()) {
        names.insert(it.next().chopped(4));
    }
    return names;
}

// How many objects each pack that appeared since `before` holds.
inline QList<int> newPackSizes(const QString &repository, const QSet<QString> &before)
{
    QList<int> sizes;
    for (const QString &pack : packBaseNames(repository) - before) {
        QFile index(pack + QStringLiteral(".idx"));
        sizes << (index.open(QIODevice::ReadOnly)
                      ? int(git({}, QStringLiteral("show-index"), index.readAll()).lines().size())
                      : -1);
    }
    return sizes;
}

inline void copyFolder(const QString &from, const QString &to)
{
    QDirIterator it(from, QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    QDir().mkpath(to);
    while (it.hasNext()) {
        const QString source = it.next();
        if (it.fileInfo().isDir()) {
            QDir().mkpath(to + source.mid(from.size()));
        } else {
            QFile::copy(source, to + source.mid(from.size()));
        }
    }
}

inline qint64 peakResidentMiB()
{
    QFile status(QStringLiteral("/proc/self/status"));
    const QList<QByteArray> lines =
        status.open(QIODevice::ReadOnly) ? status.readAll().split('\n') : QList<QByteArray>();
    for (const QByteArray &line : lines) {
        if (line.startsWith("VmHWM:")) {
            return line.mid(6).trimmed().split(' ').value(0).toLongLong() / 1024;
        }
    }
    return 0;
}

class DatasetGitFixture : public QObject
{
protected:
    // From initTestCase.
    void publishTwoVersions()
    {
        QVERIFY2(git({}, QStringLiteral("--version")).exitCode == 0, "the system git is needed");
        m_path = m_dir.filePath(QStringLiteral("dataset.git"));
        m_git.emplace(m_path, /*createIfMissing=*/true);
        QCOMPARE(m_git->head(), QString());
        m_v1 = m_git->writeCommit({},
                                  {put(QStringLiteral("labels.csv"), LabelsV1),
                                   put(QStringLiteral("dataset.json"), "{\"schema\":1}\n"),
                                   put(imagePath(m_pngA), m_pngA), put(imagePath(m_pngB), m_pngB),
                                   put(imagePath(m_pngC), m_pngC)},
                                  QStringLiteral("Version 1\n\nthree images"), someone());
        m_git->publish(m_v1, {}, QStringLiteral("v1"), QStringLiteral("first"), someone());
        verifyFsckClean(m_path);
        const QSet<QString> packsBefore = packBaseNames(m_path);
        m_v2 = m_git->writeCommit(m_v1,
                                  {put(QStringLiteral("labels.csv"), LabelsV2),
                                   {imagePath(m_pngB), std::nullopt},
                                   put(imagePath(m_pngD), m_pngD),
                                   {QStringLiteral("not/there.png"), std::nullopt}},
                                  QStringLiteral("Version 2"), someone(QStringLiteral("Grace")));
        const QSet<QString> packsOfV2 = packBaseNames(m_path) - packsBefore;
        QCOMPARE(packsOfV2.size(), 1);
        m_packOfV2 = *packsOfV2.begin();
        m_git->publish(m_v2, m_v1, QStringLiteral("v2"), QStringLiteral("second"), someone());
        verifyFsckClean(m_path);
    }

    QTemporaryDir m_dir;
    QString m_path;
    std::optional<DatasetGit> m_git;
    QString m_v1;
    QString m_v2;
    QString m_packOfV2; // objects/pack/pack-<id>, without .pack or .idx
    QByteArray m_pngA = fakePng(1), m_pngB = fakePng(2), m_pngC = fakePng(3), m_pngD = fakePng(4);
};

} // namespace digitdesk::testing::gitfixture
