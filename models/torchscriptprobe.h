#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <cstdint>
#include <vector>

namespace digitdesk::models {

// One forward pass of a probe: `batch` images of one kind of input.
struct ProbeRun
{
    int batch = 0;
    QString input; // "zeros", "noise" or "digit"
    std::vector<int64_t> shape;
    QString dtype; // "float", "double", ...
    bool finite = true;
    double milliseconds = 0;
};

// What a TorchScript file does with known input, found by running it.
struct TorchScriptProbe
{
    QString error;            // why it could not be loaded or run; empty when every run ran
    bool outOfMemory = false; // the error was an allocation that failed
    double loadMilliseconds = 0;
    std::vector<ProbeRun> runs; // the runs before the error, if any

    QJsonObject toJson() const;
    static TorchScriptProbe fromJson(const QJsonObject &json);
};

// The batch sizes and inputs a probe runs: 1, 2 and 7 images each of zeros, a fixed noise and a
// digit-like ring with full-ink (1.0) pixels.
const std::vector<int> &probeBatchSizes();
const std::vector<QString> &probeInputs();

// Loads a module from `bytes` and runs it once on every batch size and input. This runs the
// file's code: only a sandboxed child process calls it (annotation/modelimportcheck.h).
TorchScriptProbe probeTorchScript(const QByteArray &bytes);

} // namespace digitdesk::models
