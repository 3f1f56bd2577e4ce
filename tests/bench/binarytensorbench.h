#pragma once

#include "annotation/principal.h"

#include <QString>
#include <QStringList>

namespace digitdesk::testing {
struct TempWorkspace;
}

namespace digitdesk::bench {

// One request of 1,000 MNIST digits to `digitdesk serve` on `workspace` (its production
// model), as KServe v2 JSON and with Triton's binary tensor data, side by side: each end to end
// (the client encodes the images, sends them, waits and decodes the labels and probabilities),
// and the round trip alone (the body built beforehand, the answer not decoded), medians of `rounds`
// interleaved runs. Prints the figures; false when the endpoint did not start or answered other
// than 200.
bool compareBinaryTensors(const QString &workspace, const QStringList &serveOptions, int rounds);

// compareBinaryTensors() with DigitNet (`digitNet`) in production, then with a constant
// TorchScript model whose inference costs next to nothing (sure7.pt from
// tests/fixtures/make_served_models.py), so the protocol's own share shows. Leaves DigitNet in
// production.
bool compareBinaryTensorsOnTwoModels(const testing::TempWorkspace &temp,
                                     const annotation::Principal &engineer, qint64 digitNet,
                                     const QStringList &serveOptions, int rounds);

} // namespace digitdesk::bench
