#include "tests/support/screenimages.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <unordered_map>

namespace digitdesk::testing {
namespace {

constexpr int Side = 28;
constexpr int KeyLength = 56; // pixels of one row looked up at every place of the screen

struct Pattern
{
    qint64 imageId = 0;
    int keyRow = -1;   // the first row with ink
    int keyColumn = 0; // where the looked-up stretch of that row starts (it holds ink)
    std::string grey;  // side x side values, row by row
};

Pattern scaled(qint64 imageId, const QByteArray &pixels, int factor)
{
    const int side = Side * factor;
    Pattern pattern{imageId, -1, 0,
                    std::string(static_cast<size_t>(side) * static_cast<size_t>(side), '\0')};
    for (int y = 0; y < side; ++y) {
        for (int x = 0; x < side; ++x) {
            const char value = pixels.at((y / factor) * Side + x / factor);
            pattern
                .grey[static_cast<size_t>(y) * static_cast<size_t>(side) + static_cast<size_t>(x)] =
                value;
            if (value != 0 && pattern.keyRow < 0) {
                pattern.keyRow = y;
                pattern.keyColumn = std::min(x, side - KeyLength);
            }
        }
    }
    return pattern;
}

bool matchesAt(const QImage &screen, const Pattern &pattern, int side, int left, int top)
{
    for (int y = 0; y < side; ++y) {
        const auto *line = reinterpret_cast<const QRgb *>(screen.constScanLine(top + y));
        for (int x = 0; x < side; ++x) {
            const int grey = static_cast<unsigned char>(
                pattern.grey[static_cast<size_t>(y) * static_cast<size_t>(side) +
                             static_cast<size_t>(x)]);
            if (line[left + x] != qRgb(grey, grey, grey)) {
                return false;
            }
        }
    }
    return true;
}

} // namespace

std::vector<ImageOnScreen> findImagesOnScreen(const QImage &screenshot,
                                              const QHash<qint64, QByteArray> &images, int factor)
{
    const QImage screen = screenshot.convertToFormat(QImage::Format_RGB32);
    const int side = Side * factor;
    if (side < KeyLength || side > screen.width() || side > screen.height()) {
        return {};
    }
    std::vector<Pattern> patterns;
    patterns.reserve(static_cast<size_t>(images.size()));
    for (auto it = images.cbegin(); it != images.cend(); ++it) {
        if (it.value().size() == static_cast<qsizetype>(Side) * Side) {
            patterns.push_back(scaled(it.key(), it.value(), factor));
        }
    }
    std::unordered_multimap<std::string_view, const Pattern *> byKey;
    for (const Pattern &pattern : patterns) {
        if (pattern.keyRow >= 0) {
            byKey.emplace(
                std::string_view(pattern.grey)
                    .substr(static_cast<size_t>(pattern.keyRow) * static_cast<size_t>(side) +
                                static_cast<size_t>(pattern.keyColumn),
                            static_cast<size_t>(KeyLength)),
                &pattern);
        }
    }
    std::vector<ImageOnScreen> found;
    std::string row(static_cast<size_t>(screen.width()), '\0');
    for (int y = 0; y < screen.height(); ++y) {
        const auto *line = reinterpret_cast<const QRgb *>(screen.constScanLine(y));
        for (int x = 0; x < screen.width(); ++x) {
            row[static_cast<size_t>(x)] = static_cast<char>(qRed(line[x]));
        }
        for (int x = 0; x + KeyLength <= screen.width(); ++x) {
            const auto [first, last] = byKey.equal_range(std::string_view(row).substr(
                static_cast<size_t>(x), static_cast<size_t>(KeyLength)));
            for (auto it = first; it != last; ++it) {
                const Pattern &pattern = *it->second;
                const int top = y - pattern.keyRow;
                const int left = x - pattern.keyColumn;
                if (top >= 0 && left >= 0 && top + side <= screen.height() &&
                    left + side <= screen.width() && matchesAt(screen, pattern, side, left, top)) {
                    found.push_back({pattern.imageId, QPoint(left, top)});
                }
            }
        }
    }
    std::sort(found.begin(), found.end(), [](const ImageOnScreen &a, const ImageOnScreen &b) {
        return std::pair(a.topLeft.y(), a.topLeft.x()) < std::pair(b.topLeft.y(), b.topLeft.x());
    });
    return found;
}

} // namespace digitdesk::testing
