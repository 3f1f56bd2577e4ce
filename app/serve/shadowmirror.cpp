#include "app/serve/shadowmirror.h"

#include "annotation/servingcapture.h"
#include "app/serve/capturedpixels.h"
#include "app/serve/servingmetrics.h"
#include "app/serve/shadowtally.h"
#include "app/serve/storagewriter.h"

namespace digitdesk::app {

ShadowMirror::ShadowMirror(models::DynamicBatcher &batcher, ShadowTally &tally,
                           ServingMetrics &metrics, StorageWriter *writer)
    : m_batcher(batcher), m_tally(tally), m_metrics(metrics), m_writer(writer)
{}

void ShadowMirror::mirror(std::shared_ptr<models::ServedModel> candidate,
                          models::BatchAnswer production, std::vector<QByteArray> originals)
{
    const int count = static_cast<int>(production.predictions.size());
    auto pending = std::make_shared<Pending>(
        Pending{production.model, std::move(production.predictions), std::move(originals)});
    const bool accepted = m_batcher.submit(
        std::move(candidate), std::move(production.input), count,
        [this, pending](models::BatchAnswer shadow) { compare(*pending, shadow); });
    if (!accepted) {
        m_metrics.recordShadowDropped(ShadowDrop::QueueFull);
    }
}

void ShadowMirror::compare(const Pending &pending, const models::BatchAnswer &shadow)
{
    if (!shadow.error.empty() || shadow.predictions.size() != pending.answers.size()) {
        m_metrics.recordShadowDropped(ShadowDrop::CandidateFailed);
        return;
    }
    const models::ServedModel &candidate = *shadow.model;
    m_tally.record(pending.production->id, pending.answers, candidate.id, shadow.predictions);
    int agreed = 0;
    for (size_t i = 0; i < shadow.predictions.size(); ++i) {
        const models::Prediction &ours = pending.answers[i];
        const models::Prediction &theirs = shadow.predictions[i];
        if (ours.label == theirs.label) {
            ++agreed;
            continue;
        }
        if (m_writer == nullptr) {
            continue;
        }
        annotation::ShadowDisagreement disagreement;
        disagreement.production.pixels =
            storedPixels(shadow.input.data() + i * static_cast<size_t>(models::PixelCount));
        if (seenLately(disagreement.production.pixels)) {
            continue;
        }
        if (i < pending.originals.size()) {
            disagreement.production.original = pending.originals[i];
        }
        disagreement.production.modelId = pending.production->id;
        disagreement.production.label = ours.label;
        disagreement.production.confidence = ours.confidence;
        disagreement.production.probabilities = ours.probabilities;
        disagreement.candidateModelId = candidate.id;
        disagreement.candidateLabel = theirs.label;
        disagreement.candidateConfidence = theirs.confidence;
        m_writer->disagree(std::move(disagreement));
    }
    m_metrics.recordShadow(pending.production->version, candidate.version,
                           static_cast<int>(shadow.predictions.size()), agreed);
}

bool ShadowMirror::seenLately(const QByteArray &pixels)
{
    uint64_t hash = 14695981039346656037ULL;
    for (const char byte : pixels) {
        hash = (hash ^ static_cast<unsigned char>(byte)) * 1099511628211ULL;
    }
    const std::lock_guard lock(m_seenMutex);
    if (m_seen.size() >= MaxRemembered) {
        m_seen.clear();
    }
    return !m_seen.insert(hash).second;
}

} // namespace digitdesk::app
