#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace digitdesk::annotation {

// Two images that show the same thing: identical pixels are already one image (images are
// named by their SHA-256), so these differ a little: shifted, re-scanned, touched up.
struct NearDuplicate
{
    size_t first = 0; // first < second
    size_t second = 0;
    double distance = 0; // 0: the same ink once aligned; see nearDuplicateDistance()
};

// The most two images may differ and still be near-duplicates. Distinct digits come closer than
// one would think: among the first 4,000 MNIST test digits two plain "1"s are 0.066 apart; at
// 0.05 the 10,000 test digits hold no pair, while a copy shifted by a pixel is 0 away.
inline constexpr double NearDuplicateDistance = 0.05;

// How far apart two 28x28 images are once each is moved so its ink's centre of mass is at the
// centre (a copy shifted by a pixel or two comes back onto the original): the smallest, over
// the nine offsets of at most one pixel left over by rounding, of sum |a - b| / (sum a + sum b).
// 0 for the same ink, 1 for ink that never overlaps.
double nearDuplicateDistance(const uint8_t *a, const uint8_t *b);

// Every pair of the `count` images (count x 784 bytes) at most `maxDistance` apart. Candidates
// come from a perceptual hash of the centred image (7x7 block means against their mean, 49
// bits) in four bands, a pair sharing a band being checked in full, so the work grows with the
// number of look-alikes rather than with count squared.
std::vector<NearDuplicate> findNearDuplicates(const uint8_t *pixels, size_t count,
                                              double maxDistance = NearDuplicateDistance);

} // namespace digitdesk::annotation
