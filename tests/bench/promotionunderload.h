#pragma once

#include "tests/bench/loadgenerator.h"

#include <QDateTime>
#include <QString>

#include <chrono>
#include <string>
#include <vector>

namespace digitdesk::bench {

struct PromotionRequest
{
    QString workspace;
    qint64 model = 0;                       // the model to promote
    std::vector<std::string> requests;      // whole HTTP requests the load sends, round robin
    QByteArray probeImage;                  // a PNG the probe sends to /v1/predict
    double perSecond = 500;                 // open loop
    std::chrono::milliseconds before{3500}; // load before the promotion
    std::chrono::milliseconds after{4000};  // load kept once the endpoint names the new model
    std::chrono::seconds swapTimeout{60};
};

// One second of the load, in order.
struct LoadSecond
{
    double startSeconds = 0; // from the start of the load
    LoadResult result;
};

struct PromotionFigures
{
    QString error; // empty when every step happened
    LoadResult load;
    std::vector<LoadSecond> seconds;
    QString versionBefore; // what /v2/models/digits named before the promotion
    int promoteExitCode = -1;
    QString promoteOutput;
    QDateTime promoteStartedAt;       // UTC, when `digitdesk models promote` was started
    double promoteStartSeconds = 0;   // from the start of the load
    double promoteCommandSeconds = 0; // the command, start to exit
    // From the start of the promote command; negative when it never happened.
    double firstNewAnswerSeconds = -1; // a POST /v1/predict answered by the new model
    double metadataSeconds = -1;       // GET /v2/models/digits naming it
    double loadAfterSwapSeconds = 0;   // load that ran after the first new answer
    int probeAnswers = 0;
    int probeOldAfterNew = 0; // answers naming the old model after one named the new one
};

// Starts `digitdesk serve` on the workspace, drives an open-loop load at it, runs
// `digitdesk models promote MODEL` meanwhile and keeps the load on until the endpoint has
// named the new model for `after`. A probe on its own connection asks every few milliseconds,
// so the swap's time is known to that resolution.
PromotionFigures promoteUnderLoad(const PromotionRequest &request);

} // namespace digitdesk::bench
