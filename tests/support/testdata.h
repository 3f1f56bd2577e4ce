#pragma once

#include "annotation/principal.h"
#include "storage/workspace.h"

#include <QByteArray>
#include <QString>
#include <QTemporaryDir>

#include <memory>
#include <vector>

namespace digitdesk::testing {

// Memory bounds are measured without sanitizers; AddressSanitizer's shadow memory and quarantine
// (and ThreadSanitizer's shadow) multiply what any process holds, so the bounds scale under them.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr qint64 SanitizerMemoryFactor = 4;
#else
inline constexpr qint64 SanitizerMemoryFactor = 1;
#endif

// A fresh workspace in a temporary folder that is removed with it.
struct TempWorkspace
{
    TempWorkspace();
    QTemporaryDir dir;
    std::unique_ptr<storage::Workspace> workspace;
    QString folder() const { return dir.path() + QStringLiteral("/ws"); }
};

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

// True when f() throws E (and nothing else).
template <typename E, typename F> bool throws(F f)
{
    try {
        f();
    } catch (const E &) {
        return true;
    } catch (...) {
        return false;
    }
    return false;
}

// Incoming images with a production model's predictions: image i is predicted i % 10 with
// confidence confidences[i]. Returns the image ids.
std::vector<qint64> addPredictedImages(const storage::Workspace &workspace,
                                       const std::vector<double> &confidences);

// Registers an untrained DigitNet (as fast as a trained one, its answers meaningless) through
// the registry and returns its id; the file is written into `temp`'s folder first.
qint64 addUntrainedModel(const TempWorkspace &temp, const annotation::Principal &who);

bool writeFile(const QString &path, const QByteArray &bytes);
// Runs Debian's python3 (which has python3-torch) on a script; true when it exits 0.
bool runPython(const QString &script, const QStringList &arguments);
QString peerScript(const QString &name);    // ../shared/peers/NAME
QString fixtureScript(const QString &name); // tests/fixtures/NAME
QString demoDataFile(const QString &name);  // in the folder `make data` fills

} // namespace digitdesk::testing
