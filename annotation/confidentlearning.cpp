#include "annotation/confidentlearning.h"

#include <algorithm>
#include <cmath>

namespace digitdesk::annotation {

using models::ClassCount;

ConfidentLearning findLabelIssues(const std::vector<float> &probabilities,
                                  const std::vector<uint8_t> &labels)
{
    ConfidentLearning result;
    const size_t count = labels.size();
    const auto p = [&probabilities](size_t item, int label) {
        return static_cast<double>(probabilities[item * ClassCount + static_cast<size_t>(label)]);
    };
    std::array<double, ClassCount> sums{};
    std::array<int, ClassCount> perClass{};
    for (size_t i = 0; i < count; ++i) {
        sums[labels[i]] += p(i, labels[i]);
        ++perClass[labels[i]];
    }
    for (int label = 0; label < ClassCount; ++label) {
        result.thresholds[label] = perClass[label] > 0 ? sums[label] / perClass[label] : 1.0;
    }

    for (size_t i = 0; i < count; ++i) {
        int confident = -1;
        for (int label = 0; label < ClassCount; ++label) {
            if (perClass[label] > 0 && p(i, label) >= result.thresholds[label] &&
                (confident < 0 || p(i, label) > p(i, confident))) {
                confident = label;
            }
        }
        if (confident >= 0) {
            ++result.confidentJoint[labels[i]][confident];
        }
    }

    // How many errors each pair of classes holds: the confident joint, each row scaled to the
    // number of items that carry the row's label.
    std::vector<int> suspected(count, -1);
    for (int given = 0; given < ClassCount; ++given) {
        int rowTotal = 0;
        for (int label = 0; label < ClassCount; ++label) {
            rowTotal += result.confidentJoint[given][label];
        }
        std::vector<size_t> members;
        for (size_t i = 0; i < count; ++i) {
            if (labels[i] == given) {
                members.push_back(i);
            }
        }
        for (int label = 0; label < ClassCount && rowTotal > 0; ++label) {
            const auto expected = static_cast<size_t>(std::lround(
                double(result.confidentJoint[given][label]) * perClass[given] / rowTotal));
            if (label == given || expected == 0) {
                continue;
            }
            const size_t keep = std::min(members.size(), expected);
            const auto margin = [&](size_t i) {
                return p(i, label) - p(i, given);
            };
            std::partial_sort(members.begin(), members.begin() + std::ptrdiff_t(keep),
                              members.end(),
                              [&](size_t a, size_t b) { return margin(a) > margin(b); });
            for (size_t k = 0; k < keep; ++k) {
                const size_t i = members[k];
                if (p(i, given) < result.thresholds[given] &&
                    (suspected[i] < 0 || p(i, label) > p(i, suspected[i]))) {
                    suspected[i] = label;
                }
            }
        }
    }
    for (size_t i = 0; i < count; ++i) {
        if (suspected[i] >= 0) {
            result.issues.push_back(
                {i, labels[i], suspected[i], p(i, suspected[i]), p(i, labels[i])});
        }
    }
    std::stable_sort(
        result.issues.begin(), result.issues.end(),
        [](const LabelIssue &a, const LabelIssue &b) { return a.margin() > b.margin(); });
    return result;
}

} // namespace digitdesk::annotation
