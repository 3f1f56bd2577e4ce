#pragma once

// The real `digitdesk` binary run as a person at a terminal or a script would, with no
// DIGITDESK_WORKSPACE or DIGITDESK_DATABASE from the environment: the one way every suite and
// benchmark runs it.

#include "storage/imagerepository.h"
#include "storage/sqlquery.h"
#include "storage/userrepository.h"
#include "storage/workspace.h"
#include "tests/support/testdata.h"
#include "tests/support/testfiles.h"

#include <QByteArray>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

namespace digitdesk::testing {

struct CliRun
{
    int exitCode = -1;
    QString out;
    QString err;
};

// `input` is written to its stdin, which is then closed. `timeoutMs` scales with
// SanitizerTimeFactor; a run that does not end by then is killed and its err says so.
inline CliRun runDigitdesk(const QStringList &arguments, const QByteArray &input = {},
                           int timeoutMs = 300000)
{
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.remove(QStringLiteral("DIGITDESK_WORKSPACE"));
    environment.remove(QStringLiteral("DIGITDESK_DATABASE"));
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral(DIGITDESK_BINARY), arguments);
    process.write(input);
    process.closeWriteChannel();
    const int patienceMs = timeoutMs * SanitizerTimeFactor;
    if (!process.waitForFinished(patienceMs)) {
        process.kill();
        process.waitForFinished();
        return {-1, QString::fromUtf8(process.readAllStandardOutput()),
                QStringLiteral("digitdesk %1 did not finish in %2 ms")
                    .arg(arguments.join(QLatin1Char(' ')))
                    .arg(patienceMs)};
    }
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromUtf8(process.readAllStandardOutput()),
            QString::fromUtf8(process.readAllStandardError())};
}

// "dataset diff v1 v2" -> {"dataset", "diff", "v1", "v2"}
inline QStringList words(const char *text)
{
    return QString::fromUtf8(text).split(QLatin1Char(' '), Qt::SkipEmptyParts);
}

// `digitdesk COMMAND MORE... --workspace FOLDER`
inline CliRun runDigitdeskOn(const QString &folder, const char *command,
                             const QStringList &more = {})
{
    return runDigitdesk(words(command) + more + QStringList{QStringLiteral("--workspace"), folder});
}

} // namespace digitdesk::testing
