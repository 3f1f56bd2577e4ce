#pragma once

// The command-line suites' helper: the real `digitdesk` binary run as a person at a terminal or
// a script would, with no DIGITDESK_WORKSPACE from the environment.

#include "storage/imagerepository.h"
#include "storage/sqlquery.h"
#include "storage/userrepository.h"
#include "storage/workspace.h"
#include "tests/support/testdata.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

namespace digitdesk::testing::cli {

struct Run
{
    int exitCode = -1;
    QString out;
    QString err;
};

// Runs the real `digitdesk` binary, as a person at a terminal or a script would.
inline Run runDigitdesk(const QStringList &arguments, const QByteArray &input = {})
{
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.remove(QStringLiteral("DIGITDESK_WORKSPACE"));
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral(DIGITDESK_BINARY), arguments);
    process.write(input);
    process.closeWriteChannel();
    const int patienceMs = 120000 * SanitizerTimeFactor;
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

} // namespace digitdesk::testing::cli
