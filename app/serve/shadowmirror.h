#pragma once

#include "models/dynamicbatcher.h"

#include <QByteArray>

#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_set>
#include <vector>

namespace digitdesk::app {

class ServingMetrics;
class ShadowTally;
class StorageWriter;

// Sends images production has answered to the candidate on a batcher of its own, at the
// lowest priority, after the client has its answer. The candidate's answers are compared with
// production's, never returned: counted per minute, and each image they disagree on is handed
// to the writer to be queued for annotation. A full shadow queue drops the mirror, not a
// request.
class ShadowMirror final
{
public:
    ShadowMirror(models::DynamicBatcher &batcher, ShadowTally &tally, ServingMetrics &metrics,
                 StorageWriter *writer);

    // `production` is production's answer, its input included; returns at once.
    void mirror(std::shared_ptr<models::ServedModel> candidate, models::BatchAnswer production,
                std::vector<QByteArray> originals);

private:
    struct Pending
    {
        std::shared_ptr<models::ServedModel> production;
        std::vector<models::Prediction> answers;
        std::vector<QByteArray> originals;
    };
    void compare(const Pending &pending, const models::BatchAnswer &shadow);
    // Whether this image was handed to the writer lately: an image clients send again and
    // again is queued once, without a database round trip each time.
    bool seenLately(const QByteArray &pixels);

    models::DynamicBatcher &m_batcher;
    ShadowTally &m_tally;
    ServingMetrics &m_metrics;
    StorageWriter *m_writer; // null: capture is off, disagreements are only counted
    static constexpr size_t MaxRemembered = 65536;
    std::mutex m_seenMutex;
    std::unordered_set<uint64_t> m_seen; // FNV-1a of the pixels; forgotten all at once when full
};

} // namespace digitdesk::app
