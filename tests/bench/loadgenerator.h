#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace digitdesk::bench {

// What a load run saw: latencies of the 200 answers, and how the others ended.
struct LoadResult
{
    std::vector<double> latenciesMs; // of 200 answers
    int ok = 0;
    int rejected = 0;    // 503
    int otherStatus = 0; // any status but 200 and 503
    int failed = 0;      // no answer: connection refused, reset or closed
    double seconds = 0;

    double rate() const { return seconds > 0 ? ok / seconds : 0; }
    double percentile(double p) const; // of latenciesMs; NaN when empty
};

// An HTTP/1.1 load generator on one Asio thread, with keep-alive connections. Requests are
// whole HTTP messages, sent as given (round robin over the list).
class LoadGenerator final
{
public:
    LoadGenerator(std::string host, unsigned short port);

    // `connections` clients, each sending its next request when the last is answered.
    LoadResult closedLoop(const std::vector<std::string> &requests, int connections,
                          std::chrono::milliseconds duration) const;
    // Requests at a fixed rate whatever the answers do; latency counts from the scheduled
    // send time, so a slow server cannot hide its queueing (no coordinated omission).
    LoadResult openLoop(const std::vector<std::string> &requests, double perSecond,
                        std::chrono::milliseconds duration) const;
    // `connections` connections opened first, then every request sent at once.
    LoadResult burst(const std::vector<std::string> &requests, int connections) const;

    // A whole HTTP request for `path`, keep-alive.
    static std::string post(const std::string &path, const std::string &contentType,
                            const std::string &body);

private:
    std::string m_host;
    unsigned short m_port;
};

} // namespace digitdesk::bench
