#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace digitdesk::testing {

// Memory bounds are measured without sanitizers; AddressSanitizer's shadow memory and quarantine
// (and ThreadSanitizer's shadow) multiply what any process holds, so the bounds scale under them.
// Waits for work scale the same way: instrumented code runs several times slower.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr qint64 SanitizerMemoryFactor = 4;
inline constexpr int SanitizerTimeFactor = 4;
#else
inline constexpr qint64 SanitizerMemoryFactor = 1;
inline constexpr int SanitizerTimeFactor = 1;
#endif

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

bool writeFile(const QString &path, const QByteArray &bytes);
// Runs Debian's python3 (which has python3-torch) on a script; true when it exits 0.
bool runPython(const QString &script, const QStringList &arguments);
QString peerScript(const QString &name);    // ../shared/peers/NAME
QString fixtureScript(const QString &name); // tests/fixtures/NAME
QString demoDataFile(const QString &name);  // in the folder `make data` fills

} // namespace digitdesk::testing
