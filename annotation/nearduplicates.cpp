#include "annotation/nearduplicates.h"

#include "models/evaluation.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <unordered_map>

namespace digitdesk::annotation {
namespace {

constexpr int Side = 28;
constexpr int Blocks = 7; // of 4 x 4 pixels
using Image = std::array<uint8_t, models::PixelCount>;

// The image moved (in whole pixels, ink pushed off the edge lost) so its centre of mass is at
// the centre.
Image centred(const uint8_t *pixels)
{
    double mass = 0;
    double x = 0;
    double y = 0;
    for (int row = 0; row < Side; ++row) {
        for (int column = 0; column < Side; ++column) {
            const double value = pixels[row * Side + column];
            mass += value;
            x += value * column;
            y += value * row;
        }
    }
    Image image{};
    if (mass <= 0) {
        return image;
    }
    const int dx = static_cast<int>(std::lround(13.5 - x / mass));
    const int dy = static_cast<int>(std::lround(13.5 - y / mass));
    for (int row = 0; row < Side; ++row) {
        for (int column = 0; column < Side; ++column) {
            const int toRow = row + dy;
            const int toColumn = column + dx;
            if (toRow >= 0 && toRow < Side && toColumn >= 0 && toColumn < Side) {
                image[toRow * Side + toColumn] = pixels[row * Side + column];
            }
        }
    }
    return image;
}

double alignedDistance(const Image &a, const Image &b)
{
    double total = 0;
    for (int i = 0; i < models::PixelCount; ++i) {
        total += a[i] + b[i];
    }
    if (total <= 0) {
        return 0;
    }
    double best = 1;
    for (int dy = -1; dy <= 1; ++dy) {
        for (int dx = -1; dx <= 1; ++dx) {
            double difference = 0;
            for (int row = 0; row < Side; ++row) {
                for (int column = 0; column < Side; ++column) {
                    const int fromRow = row + dy;
                    const int fromColumn = column + dx;
                    const int other =
                        fromRow >= 0 && fromRow < Side && fromColumn >= 0 && fromColumn < Side
                            ? b[fromRow * Side + fromColumn]
                            : 0;
                    difference += std::abs(int(a[row * Side + column]) - other);
                }
            }
            best = std::min(best, difference / total);
        }
    }
    return best;
}

std::array<float, Blocks * Blocks> blockMeans(const Image &image)
{
    std::array<float, Blocks * Blocks> means{};
    for (int row = 0; row < Side; ++row) {
        for (int column = 0; column < Side; ++column) {
            means[(row / 4) * Blocks + column / 4] += image[row * Side + column] / 16.0F;
        }
    }
    return means;
}

} // namespace

double nearDuplicateDistance(const uint8_t *a, const uint8_t *b)
{
    return alignedDistance(centred(a), centred(b));
}

std::vector<NearDuplicate> findNearDuplicates(const uint8_t *pixels, size_t count,
                                              double maxDistance)
{
    std::vector<Image> images(count);
    std::vector<std::array<float, Blocks * Blocks>> means(count);
    std::vector<uint64_t> hashes(count);
    std::vector<double> ink(count);
    for (size_t i = 0; i < count; ++i) {
        images[i] = centred(pixels + i * models::PixelCount);
        means[i] = blockMeans(images[i]);
        float average = 0;
        for (float value : means[i]) {
            average += value / (Blocks * Blocks);
            ink[i] += value * 16;
        }
        for (int bit = 0; bit < Blocks * Blocks; ++bit) {
            if (means[i][bit] > average) {
                hashes[i] |= uint64_t(1) << bit;
            }
        }
    }
    // Bands of 13, 12, 12 and 12 bits: a pair whose hashes differ in at most three bits shares
    // at least one band.
    constexpr std::array<std::pair<int, int>, 4> Bands{{{0, 13}, {13, 12}, {25, 12}, {37, 12}}};
    std::vector<std::pair<size_t, size_t>> candidates;
    for (const auto &[shift, bits] : Bands) {
        std::unordered_map<uint64_t, std::vector<size_t>> buckets;
        for (size_t i = 0; i < count; ++i) {
            buckets[(hashes[i] >> shift) & ((uint64_t(1) << bits) - 1)].push_back(i);
        }
        for (const auto &[key, members] : buckets) {
            for (size_t a = 0; a < members.size(); ++a) {
                for (size_t b = a + 1; b < members.size(); ++b) {
                    const size_t i = members[a];
                    const size_t j = members[b];
                    // Cheap checks first: the amount of ink, then the block means.
                    const double total = ink[i] + ink[j];
                    if (total <= 0 || std::abs(ink[i] - ink[j]) > maxDistance * total) {
                        continue;
                    }
                    double blockDifference = 0;
                    for (int k = 0; k < Blocks * Blocks; ++k) {
                        blockDifference += std::abs(means[i][k] - means[j][k]) * 16;
                    }
                    // A one-pixel misalignment moves at most the ink on block edges: allow
                    // three times the threshold here.
                    if (blockDifference > 3 * maxDistance * total) {
                        continue;
                    }
                    candidates.emplace_back(std::min(i, j), std::max(i, j));
                }
            }
        }
    }
    std::sort(candidates.begin(), candidates.end());
    candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
    std::vector<NearDuplicate> pairs;
    for (const auto &[i, j] : candidates) {
        const double distance = alignedDistance(images[i], images[j]);
        if (distance <= maxDistance) {
            pairs.push_back({i, j, distance});
        }
    }
    return pairs;
}

} // namespace digitdesk::annotation
