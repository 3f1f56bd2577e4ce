#include "models/dynamicbatcher.h"

#include "models/evaluation.h"

#include <algorithm>
#include <exception>

#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

namespace digitdesk::models {

namespace {

std::chrono::microseconds since(std::chrono::steady_clock::time_point start,
                                std::chrono::steady_clock::time_point end)
{
    return std::chrono::duration_cast<std::chrono::microseconds>(end - start);
}

qint64 maxImagesOf(const BatcherOptions &options)
{
    qint64 images = 0;
    if (__builtin_mul_overflow(static_cast<qint64>(std::max(1, options.maxQueue)),
                               static_cast<qint64>(std::max(1, options.maxBatch)), &images)) {
        return DynamicBatcher::MaxQueuedImages;
    }
    return std::min(images, DynamicBatcher::MaxQueuedImages);
}

} // namespace

DynamicBatcher::DynamicBatcher(BatcherOptions options, BatchObserver observer)
    : m_options(options), m_observer(std::move(observer)), m_maxImages(maxImagesOf(options))
{
    for (int worker = 0; worker < std::max(1, m_options.workers); ++worker) {
        m_threads.emplace_back([this, worker] { run(worker); });
    }
}

DynamicBatcher::~DynamicBatcher()
{
    stop();
}

namespace {

// The answers to the pieces of a request larger than a batch, put back together.
struct Gather
{
    std::mutex mutex;
    int remaining = 0;
    BatchAnswer answer;
    DynamicBatcher::Completion done;
};

} // namespace

bool DynamicBatcher::submit(std::shared_ptr<ServedModel> model, std::vector<float> input, int count,
                            Completion done)
{
    // A request larger than a batch runs as batch-sized pieces: workers share it, and small
    // requests may run between its pieces instead of waiting for all of it.
    const int pieceSize = std::max(1, m_options.maxBatch);
    const int pieces = count / pieceSize + (count % pieceSize != 0 ? 1 : 0);
    const auto now = std::chrono::steady_clock::now();
    {
        const std::lock_guard lock(m_mutex);
        // Bounded in requests and in images, so a few huge requests cannot queue unbounded work.
        if (m_stopping ||
            static_cast<qint64>(m_queue.size()) + std::max(0, pieces - 1) >= m_options.maxQueue ||
            (m_queuedImages > 0 && m_queuedImages + count > m_maxImages)) {
            return false;
        }
        if (pieces <= 1) {
            m_queue.push_back({std::move(model), std::move(input), count, std::move(done), now});
        } else {
            auto gather = std::make_shared<Gather>();
            gather->remaining = pieces;
            gather->done = std::move(done);
            gather->answer.model = model;
            gather->answer.predictions.resize(static_cast<size_t>(count));
            gather->answer.input = std::move(input);
            for (int piece = 0; piece < pieces; ++piece) {
                const int first = piece * pieceSize;
                const int n = std::min(pieceSize, count - first);
                const auto begin =
                    gather->answer.input.begin() + static_cast<std::ptrdiff_t>(first) * PixelCount;
                std::vector<float> part(begin, begin + static_cast<std::ptrdiff_t>(n) * PixelCount);
                m_queue.push_back({model, std::move(part), n,
                                   [gather, first](BatchAnswer answer) {
                                       std::unique_lock hold(gather->mutex);
                                       BatchAnswer &whole = gather->answer;
                                       if (!answer.error.empty()) {
                                           whole.error = answer.error;
                                       } else {
                                           std::copy(answer.predictions.begin(),
                                                     answer.predictions.end(),
                                                     whole.predictions.begin() + first);
                                       }
                                       whole.queued = std::max(whole.queued, answer.queued);
                                       whole.computed += answer.computed;
                                       if (--gather->remaining > 0) {
                                           return;
                                       }
                                       if (!whole.error.empty()) {
                                           whole.predictions.clear();
                                       }
                                       hold.unlock();
                                       gather->done(std::move(whole));
                                   },
                                   now});
            }
        }
        m_queuedImages += count;
    }
    m_wake.notify_all();
    return true;
}

int DynamicBatcher::pending() const
{
    const std::lock_guard lock(m_mutex);
    return static_cast<int>(m_queue.size());
}

bool DynamicBatcher::full() const
{
    const std::lock_guard lock(m_mutex);
    return m_stopping || static_cast<qint64>(m_queue.size()) >= m_options.maxQueue ||
           m_queuedImages >= m_maxImages;
}

void DynamicBatcher::stop()
{
    {
        const std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    for (std::thread &thread : m_threads) {
        if (thread.joinable()) {
            thread.join();
        }
    }
}

void DynamicBatcher::run(int worker)
{
    if (m_options.background) {
        // SCHED_IDLE: the thread runs only on a core nothing else wants, and any other thread
        // that wakes takes the core from it at once (nice 19 alone still shares by weight).
        // Linux schedules threads one by one; a failure leaves the thread at normal priority.
        const sched_param idle{};
        if (pthread_setschedparam(pthread_self(), SCHED_IDLE, &idle) != 0) {
            setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 19);
        }
    }
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_wake.wait(lock, [this] { return m_stopping || !m_queue.empty(); });
        if (m_queue.empty()) {
            return;
        }
        const auto deadline = m_queue.front().submitted + m_options.maxDelay;
        while (!m_stopping && m_queuedImages < m_options.maxBatch &&
               std::chrono::steady_clock::now() < deadline) {
            m_wake.wait_until(lock, deadline);
        }
        std::vector<Request> batch = takeBatch(lock);
        if (batch.empty()) {
            continue; // another worker took it
        }
        lock.unlock();
        execute(std::move(batch), worker);
        lock.lock();
    }
}

std::vector<DynamicBatcher::Request> DynamicBatcher::takeBatch(std::unique_lock<std::mutex> &lock)
{
    (void)lock; // held by the caller
    std::vector<Request> batch;
    int images = 0;
    while (!m_queue.empty()) {
        Request &next = m_queue.front();
        const bool fits = batch.empty() || (next.model == batch.front().model &&
                                            images + next.count <= m_options.maxBatch);
        if (!fits) {
            break;
        }
        images += next.count;
        m_queuedImages -= next.count;
        batch.push_back(std::move(next));
        m_queue.pop_front();
    }
    return batch;
}

void DynamicBatcher::execute(std::vector<Request> batch, int worker)
{
    const auto start = std::chrono::steady_clock::now();
    int images = 0;
    for (const Request &request : batch) {
        images += request.count;
    }
    std::vector<Prediction> predictions;
    std::string error;
    try {
        ServedModel &model = *batch.front().model;
        Predictor &predictor = *model.instances.at(
            static_cast<size_t>(m_options.firstInstance + worker) % model.instances.size());
        if (batch.size() == 1) {
            predictions = predictor.predictFromFloat(batch.front().input.data(), images);
        } else {
            std::vector<float> input;
            input.reserve(static_cast<size_t>(images) * PixelCount);
            for (const Request &request : batch) {
                input.insert(input.end(), request.input.begin(), request.input.end());
            }
            predictions = predictor.predictFromFloat(input.data(), images);
        }
    } catch (const std::exception &failure) {
        error = failure.what();
    } catch (...) {
        error = "unknown failure in the model";
    }
    const auto end = std::chrono::steady_clock::now();
    const auto computed = since(start, end);
    if (m_observer) {
        try {
            m_observer(*batch.front().model, images, computed);
        } catch (...) {
            // Counting must not stop answering.
        }
    }
    size_t first = 0;
    for (Request &request : batch) {
        BatchAnswer answer;
        answer.model = request.model;
        answer.input = std::move(request.input);
        answer.queued = since(request.submitted, start);
        answer.computed = computed;
        if (error.empty()) {
            const auto count = static_cast<size_t>(request.count);
            answer.predictions.assign(predictions.begin() + static_cast<std::ptrdiff_t>(first),
                                      predictions.begin() +
                                          static_cast<std::ptrdiff_t>(first + count));
            first += count;
        } else {
            answer.error = error;
        }
        try {
            request.done(std::move(answer));
        } catch (...) {
            // A completion must not end the batcher's thread (and with it every later answer).
        }
    }
}

} // namespace digitdesk::models
