#pragma once

#include "models/predictor.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace digitdesk::models {

// A model as an endpoint serves it. The predictor is used by the batcher's thread only; the
// last request that holds a ServedModel frees it, so a swapped-out model lives exactly as
// long as the requests that started on it.
struct ServedModel
{
    // One instance per batcher worker (a Predictor is not thread-safe); the first is also
    // the one whose temperature and device are reported.
    std::vector<std::unique_ptr<Predictor>> instances;
    qint64 id = 0;
    std::string version; // what answers name: the registry id as text
    std::string device;  // "CPU (2 threads)", "CUDA device 0 (...)"
    // An answer whose Prediction::oodScore is above this is out of distribution; none: the
    // model's metrics hold no threshold, and nothing is flagged.
    std::optional<float> oodThreshold;
};

struct BatchAnswer
{
    std::vector<Prediction> predictions; // one per image; empty when `error` is set
    std::string error;
    std::shared_ptr<ServedModel> model;
    std::vector<float> input;              // given back, for whoever keeps what the model saw
    std::chrono::microseconds queued{0};   // from submit() to the start of its batch
    std::chrono::microseconds computed{0}; // its batch's inference
};

struct BatcherOptions
{
    int maxBatch = 64; // images per batch; a larger request runs alone
    std::chrono::microseconds maxDelay{1000};
    int maxQueue = 1024; // requests waiting; more are refused at once
    // Batches run at the same time, each on its own model instance (with fewer LibTorch
    // threads each: no OpenMP barrier between cores).
    int workers = 1;
    // Worker w uses the model's instance firstInstance + w: a second batcher (the shadow
    // traffic's) runs on instances of its own.
    int firstInstance = 0;
    // Workers run as idle-class threads (SCHED_IDLE), so their batches give the cores up to
    // the requests clients are waiting for.
    bool background = false;
};

// One queue, `workers` threads: requests wait until `maxBatch` images are queued or the oldest has
// waited `maxDelay`, then run together. Requests that started on different models never
// share a batch. Completions run on the batcher's thread and must return quickly.
class DynamicBatcher final
{
public:
    // Most images waiting, whatever maxQueue x maxBatch comes to: 3.3 GB of input.
    static constexpr qint64 MaxQueuedImages = qint64(1) << 20;

    using Completion = std::function<void(BatchAnswer)>;
    // Called after each batch with its size in images and its inference time.
    using BatchObserver = std::function<void(const ServedModel &model, int images,
                                             std::chrono::microseconds compute)>;

    explicit DynamicBatcher(BatcherOptions options, BatchObserver observer = {});
    ~DynamicBatcher();
    DynamicBatcher(const DynamicBatcher &) = delete;
    DynamicBatcher &operator=(const DynamicBatcher &) = delete;

    // `input` holds count x 784 floats in 0..1. Returns false, without calling `done`, when
    // the queue is full or the batcher is stopping.
    bool submit(std::shared_ptr<ServedModel> model, std::vector<float> input, int count,
                Completion done);
    int pending() const;
    // Whether submit() would refuse a request now for want of room, so a caller can answer
    // before it spends anything on the request.
    bool full() const;
    // Answers everything queued, then ends the thread.
    void stop();

private:
    struct Request
    {
        std::shared_ptr<ServedModel> model;
        std::vector<float> input;
        int count = 0;
        Completion done;
        std::chrono::steady_clock::time_point submitted;
    };

    void run(int worker);
    std::vector<Request> takeBatch(std::unique_lock<std::mutex> &lock);
    void execute(std::vector<Request> batch, int worker);

    const BatcherOptions m_options;
    const BatchObserver m_observer;
    const qint64 m_maxImages; // a batch per request slot, at most MaxQueuedImages
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<Request> m_queue;
    qint64 m_queuedImages = 0;
    bool m_stopping = false;
    std::vector<std::thread> m_threads;
};

} // namespace digitdesk::models
