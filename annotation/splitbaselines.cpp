#include "annotation/splitbaselines.h"

namespace digitdesk::annotation {

void gatherImages(const models::LabelledImages &data, const std::vector<size_t> &indices,
                  std::vector<uint8_t> *pixels, std::vector<uint8_t> *labels)
{
    pixels->reserve(pixels->size() + indices.size() * models::PixelCount);
    labels->reserve(labels->size() + indices.size());
    for (size_t index : indices) {
        pixels->insert(
            pixels->end(),
            data.pixels.begin() + static_cast<std::ptrdiff_t>(index * models::PixelCount),
            data.pixels.begin() + static_cast<std::ptrdiff_t>((index + 1) * models::PixelCount));
        labels->push_back(data.labels[index]);
    }
}

models::Baselines baselinesOnSplit(const models::LabelledImages &data, const HeldOutSplit &split,
                                   const std::vector<size_t> &testIndices)
{
    std::vector<uint8_t> trainPixels, trainLabels, testPixels, testLabels;
    gatherImages(data, split.train, &trainPixels, &trainLabels);
    gatherImages(data, testIndices, &testPixels, &testLabels);
    return models::computeBaselines(trainPixels, trainLabels, testPixels, testLabels);
}

} // namespace digitdesk::annotation
