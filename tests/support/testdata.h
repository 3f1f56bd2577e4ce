#pragma once

// The annotation layer's fixtures; tempworkspace.h and testfiles.h are the layers below, for
// tests that link no more than storage.
#include "annotation/principal.h"
#include "storage/workspace.h"
#include "tests/support/tempworkspace.h"
#include "tests/support/testfiles.h"

#include <QByteArray>
#include <QString>

#include <vector>

namespace digitdesk::testing {

// Adds a user with the given role straight through the service, as the operator.
annotation::Principal addUser(const storage::Workspace &workspace, const QString &name,
                              annotation::Role role,
                              const QString &password = QStringLiteral("correct horse"));

// A digit-like stroke drawn with OpenCV: a thick ring ("0") of radius r at (cx, cy) on a
// width x height canvas. `darkOnLight` paints black ink on white paper, as a scanner does.
QByteArray encodeRing(const QString &extension, int width, int height, int cx, int cy, int radius,
                      bool darkOnLight);
// 28x28 pixels with one ring, for IDX and CSV fixtures; every seed gives a different image.
QByteArray ringPixels(int seed);

// Incoming images with a production model's predictions: image i is predicted i % 10 with
// confidence confidences[i]. Returns the image ids.
std::vector<qint64> addPredictedImages(const storage::Workspace &workspace,
                                       const std::vector<double> &confidences);

// A registry row with no file behind it, trained on `datasetCommit` when one is given, added as
// `test`: for tests that need a model's id, not a model. Returns the id.
qint64 addFixtureModel(const storage::Workspace &workspace, const QString &datasetCommit = {});

// Registers an untrained DigitNet (as fast as a trained one, its answers meaningless) through
// the registry and returns its id; the file is written into `temp`'s folder first.
qint64 addUntrainedModel(const TempWorkspace &temp, const annotation::Principal &who);

} // namespace digitdesk::testing
