#include "tests/support/testfiles.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>

namespace digitdesk::testing {

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

bool runPython(const QString &script, const QStringList &arguments)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::ForwardedChannels);
    process.start(QStringLiteral("/usr/bin/python3"), QStringList{script} + arguments);
    return process.waitForFinished(120000) && process.exitStatus() == QProcess::NormalExit &&
           process.exitCode() == 0;
}

QString peerScript(const QString &name)
{
    return QStringLiteral(DIGITDESK_SOURCE_DIR "/../shared/peers/") + name;
}

QString fixtureScript(const QString &name)
{
    return QStringLiteral(DIGITDESK_SOURCE_DIR "/tests/fixtures/") + name;
}

QString demoDataFile(const QString &name)
{
    return QDir(QStringLiteral(DIGITDESK_DATA_DIR)).filePath(name);
}

} // namespace digitdesk::testing
