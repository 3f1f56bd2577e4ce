#pragma once

// Outside tools (promtool, kubectl) run as a person would, and the YAML files they read
// (Prometheus's, Kubernetes's) as JSON, through Debian's python3-yaml: Qt has no YAML parser.

#include "tests/support/testfiles.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QProcess>
#include <QString>
#include <QStringList>

namespace digitdesk::testing {

struct ToolRun
{
    int exitCode = -1; // also when the tool did not start, crashed or did not finish
    QString out;
    QString err;
    QString said() const { return out + err; }
};

// `timeoutMs` scales with SanitizerTimeFactor; a run that does not end by then is killed and its
// err says so.
inline ToolRun runTool(const QString &program, const QStringList &arguments, int timeoutMs = 60000)
{
    QProcess process;
    process.start(program, arguments);
    const int patienceMs = timeoutMs * SanitizerTimeFactor;
    if (!process.waitForFinished(patienceMs)) {
        process.kill();
        process.waitForFinished();
        return {-1,
                {},
                QStringLiteral("%1 %2 did not finish in %3 ms: %4")
                    .arg(program, arguments.join(QLatin1Char(' ')))
                    .arg(patienceMs)
                    .arg(process.errorString())};
    }
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromUtf8(process.readAllStandardOutput()),
            QString::fromUtf8(process.readAllStandardError())};
}

// The documents of a YAML file, in order; empty (with a warning that says why) when the file
// cannot be read or python3-yaml is missing.
inline QJsonArray yamlDocuments(const QString &path)
{
    const ToolRun converted = runTool(QStringLiteral("/usr/bin/python3"),
                                      {fixtureScript(QStringLiteral("yamltojson.py")), path});
    if (converted.exitCode != 0) {
        qWarning("%s: %s", qPrintable(path), qPrintable(converted.err));
        return {};
    }
    return QJsonDocument::fromJson(converted.out.toUtf8()).array();
}

// The value at a path of object keys and array indexes ({"spec", "containers", "0", "image"});
// undefined when there is none.
inline QJsonValue jsonAt(QJsonValue value, const QStringList &path)
{
    for (const QString &step : path) {
        bool isIndex = false;
        const int index = step.toInt(&isIndex);
        value =
            isIndex && value.isArray() ? value.toArray().at(index) : value.toObject().value(step);
    }
    return value;
}

} // namespace digitdesk::testing
