#include "models/torchscriptprobe.h"

#include "models/private/backend.h"

#include <QJsonArray>

namespace digitdesk::models {

const std::vector<int> &probeBatchSizes()
{
    static const std::vector<int> sizes = {1, 2, 7};
    return sizes;
}

const std::vector<QString> &probeInputs()
{
    static const std::vector<QString> inputs = {QStringLiteral("zeros"), QStringLiteral("noise"),
                                                QStringLiteral("digit")};
    return inputs;
}

TorchScriptProbe probeTorchScript(const QByteArray &bytes)
{
    return detail::backend().probeTorchScript(bytes, probeInputs(), probeBatchSizes());
}

QJsonObject TorchScriptProbe::toJson() const
{
    QJsonArray runList;
    for (const ProbeRun &run : runs) {
        QJsonArray shapeList;
        for (const int64_t size : run.shape) {
            shapeList.append(static_cast<qint64>(size));
        }
        runList.append(QJsonObject{{QStringLiteral("batch"), run.batch},
                                   {QStringLiteral("input"), run.input},
                                   {QStringLiteral("shape"), shapeList},
                                   {QStringLiteral("dtype"), run.dtype},
                                   {QStringLiteral("finite"), run.finite},
                                   {QStringLiteral("ms"), run.milliseconds}});
    }
    QJsonObject json{{QStringLiteral("load_ms"), loadMilliseconds},
                     {QStringLiteral("runs"), runList}};
    if (!error.isEmpty()) {
        json.insert(QStringLiteral("error"), error);
        json.insert(QStringLiteral("out_of_memory"), outOfMemory);
    }
    return json;
}

TorchScriptProbe TorchScriptProbe::fromJson(const QJsonObject &json)
{
    TorchScriptProbe probe;
    probe.error = json.value(QStringLiteral("error")).toString();
    probe.outOfMemory = json.value(QStringLiteral("out_of_memory")).toBool();
    probe.loadMilliseconds = json.value(QStringLiteral("load_ms")).toDouble();
    for (const QJsonValue &value : json.value(QStringLiteral("runs")).toArray()) {
        const QJsonObject object = value.toObject();
        ProbeRun run;
        run.batch = object.value(QStringLiteral("batch")).toInt();
        run.input = object.value(QStringLiteral("input")).toString();
        for (const QJsonValue &size : object.value(QStringLiteral("shape")).toArray()) {
            run.shape.push_back(size.toInteger());
        }
        run.dtype = object.value(QStringLiteral("dtype")).toString();
        run.finite = object.value(QStringLiteral("finite")).toBool();
        run.milliseconds = object.value(QStringLiteral("ms")).toDouble();
        probe.runs.push_back(std::move(run));
    }
    return probe;
}

} // namespace digitdesk::models
