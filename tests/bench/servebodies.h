#pragma once

// The requests serve_bench sends: MNIST digits as PNGs and as KServe v2 tensors, one by one
// and as 1,000-image batches.

#include <QByteArray>

#include <string>
#include <vector>

namespace digitdesk::bench {

constexpr int SampleCount = 256;

struct Bodies
{
    std::vector<std::string> pngs;    // 28x28 MNIST digits
    std::vector<std::string> tensors; // the same digits as KServe v2 UINT8 [1,784]
    std::string pngBatch;             // {"images": [1,000 base64 PNGs]}
    std::string tensorBatch;          // KServe v2 UINT8 [1000,784]
    QByteArray pixels;                // SampleCount x 784
};

Bodies makeBodies();

// A request as given to the load generator, split again for wrk.
struct Post
{
    std::string path;
    std::string contentType;
    std::string body;
};

Post splitRequest(const std::string &request);

} // namespace digitdesk::bench
