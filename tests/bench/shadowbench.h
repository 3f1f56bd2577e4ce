#pragma once

#include "annotation/principal.h"

namespace digitdesk::testing {
struct TempWorkspace;
}

namespace digitdesk::bench {

// p99 latency at 100 requests per second (open loop, one real MNIST digit per KServe v2
// request) with `production` serving and `candidate` shadowing 0% and 100% of the requests,
// interleaved over `rounds` runs of `seconds` each on one endpoint (capture on, so every
// disagreement is also queued). Prints the figures; false when the endpoint did not start.
bool compareShadowLatency(const testing::TempWorkspace &temp, const annotation::Principal &engineer,
                          qint64 production, qint64 candidate, int rounds, int seconds);

} // namespace digitdesk::bench
