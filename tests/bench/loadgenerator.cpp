#include "tests/bench/loadgenerator.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <optional>

namespace digitdesk::bench {

namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

double LoadResult::percentile(double p) const
{
    if (latenciesMs.empty()) {
        return std::numeric_limits<double>::quiet_NaN();
    }
    std::vector<double> sorted = latenciesMs;
    std::sort(sorted.begin(), sorted.end());
    const auto at = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
    return sorted[std::min(sorted.size() - 1, at == 0 ? 0 : at - 1)];
}

namespace {

// One keep-alive connection: connect once, then send and read one exchange at a time.
class Connection final : public std::enable_shared_from_this<Connection>
{
public:
    using Done = std::function<void(Connection &, int status, Clock::time_point sent)>;

    explicit Connection(net::io_context &io) : m_socket(io) {}

    void connect(const tcp::endpoint &endpoint, const std::function<void(bool)> &done)
    {
        m_socket.async_connect(endpoint, [self = shared_from_this(), done](error_code ec) {
            if (!ec) {
                self->m_socket.set_option(tcp::no_delay(true), ec);
            }
            done(!ec);
        });
    }

    // status 0: no answer.
    void exchange(const std::string &request, Clock::time_point sent, Done done)
    {
        m_done = std::move(done);
        m_sent = sent;
        net::async_write(
            m_socket, net::buffer(request),
            [self = shared_from_this()](error_code ec, std::size_t) {
                if (ec) {
                    self->finish(0);
                    return;
                }
                self->m_parser.emplace();
                self->m_parser->body_limit(std::numeric_limits<std::uint64_t>::max());
                http::async_read(
                    self->m_socket, self->m_buffer, *self->m_parser,
                    [self](error_code ec2, std::size_t) {
                        if (!ec2 && !self->m_parser->get().keep_alive()) {
                            // The server ends the connection after this answer (nginx does
                            // after 1,000 requests): the next request opens a new one.
                            error_code ignored;
                            self->m_socket.close(ignored);
                        }
                        self->finish(ec2 ? 0
                                         : static_cast<int>(self->m_parser->get().result_int()));
                    });
            });
    }

    bool open() const { return m_socket.is_open(); }

private:
    void finish(int status)
    {
        if (status == 0) {
            error_code ignored;
            m_socket.close(ignored);
        }
        Done done = std::move(m_done);
        done(*this, status, m_sent);
    }

    tcp::socket m_socket;
    boost::beast::flat_buffer m_buffer;
    std::optional<http::response_parser<http::string_body>> m_parser;
    Done m_done;
    Clock::time_point m_sent;
};

void count(LoadResult &result, int status, Clock::time_point sent)
{
    if (status == 200) {
        ++result.ok;
        result.latenciesMs.push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - sent).count());
    } else if (status == 503) {
        ++result.rejected;
    } else if (status == 0) {
        ++result.failed;
    } else {
        ++result.otherStatus;
    }
}

} // namespace

LoadGenerator::LoadGenerator(std::string host, unsigned short port)
    : m_host(std::move(host)), m_port(port)
{}

std::string LoadGenerator::post(const std::string &path, const std::string &contentType,
                                const std::string &body)
{
    return "POST " + path + " HTTP/1.1\r\nHost: bench\r\nContent-Type: " + contentType +
           "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

LoadResult LoadGenerator::closedLoop(const std::vector<std::string> &requests, int connections,
                                     std::chrono::milliseconds duration) const
{
    net::io_context io;
    const tcp::endpoint endpoint(net::ip::make_address(m_host), m_port);
    LoadResult result;
    size_t next = 0;
    const auto start = Clock::now();
    const auto end = start + duration;
    std::function<void(std::shared_ptr<Connection>)> sendNext;
    sendNext = [&](const std::shared_ptr<Connection> &connection) {
        if (Clock::now() >= end) {
            return;
        }
        if (!connection->open()) {
            auto fresh = std::make_shared<Connection>(io);
            fresh->connect(endpoint, [&, fresh](bool ok) {
                if (ok) {
                    sendNext(fresh);
                } else {
                    ++result.failed;
                }
            });
            return;
        }
        const std::string &request = requests[next++ % requests.size()];
        connection->exchange(request, Clock::now(),
                             [&, connection](Connection &, int status, Clock::time_point sent) {
                                 count(result, status, sent);
                                 sendNext(connection);
                             });
    };
    for (int i = 0; i < connections; ++i) {
        auto connection = std::make_shared<Connection>(io);
        connection->connect(endpoint, [&, connection](bool ok) {
            if (ok) {
                sendNext(connection);
            } else {
                ++result.failed;
            }
        });
    }
    io.run();
    result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return result;
}

LoadResult LoadGenerator::openLoop(const std::vector<std::string> &requests, double perSecond,
                                   std::chrono::milliseconds duration) const
{
    net::io_context io;
    const tcp::endpoint endpoint(net::ip::make_address(m_host), m_port);
    LoadResult result;
    std::vector<std::shared_ptr<Connection>> idle;
    const auto start = Clock::now();
    const auto interval =
        std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / perSecond));
    const auto total =
        static_cast<size_t>(perSecond * std::chrono::duration<double>(duration).count());
    net::steady_timer timer(io);
    size_t sent = 0;
    std::function<void()> tick;
    const auto send = [&](const std::shared_ptr<Connection> &connection, const std::string &request,
                          Clock::time_point scheduled) {
        connection->exchange(request, scheduled,
                             [&, connection](Connection &, int status, Clock::time_point at) {
                                 count(result, status, at);
                                 if (connection->open()) {
                                     idle.push_back(connection);
                                 }
                             });
    };
    tick = [&] {
        const Clock::time_point scheduled = start + interval * static_cast<long>(sent);
        const std::string &request = requests[sent % requests.size()];
        ++sent;
        if (!idle.empty()) {
            auto connection = idle.back();
            idle.pop_back();
            send(connection, request, scheduled);
        } else {
            auto connection = std::make_shared<Connection>(io);
            connection->connect(endpoint, [&, connection, scheduled](bool ok) {
                if (ok) {
                    send(connection, request, scheduled);
                } else {
                    ++result.failed;
                }
            });
        }
        if (sent < total) {
            timer.expires_at(start + interval * static_cast<long>(sent));
            timer.async_wait([&](error_code) { tick(); });
        }
    };
    tick();
    io.run();
    result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    idle.clear();
    return result;
}

LoadResult LoadGenerator::burst(const std::vector<std::string> &requests, int connections) const
{
    net::io_context io;
    const tcp::endpoint endpoint(net::ip::make_address(m_host), m_port);
    LoadResult result;
    std::vector<std::shared_ptr<Connection>> connected;
    int pending = connections;
    Clock::time_point start;
    const auto fire = [&] {
        start = Clock::now();
        for (size_t i = 0; i < connected.size(); ++i) {
            connected[i]->exchange(requests[i % requests.size()], start,
                                   [&](Connection &, int status, Clock::time_point sent) {
                                       count(result, status, sent);
                                   });
        }
    };
    for (int i = 0; i < connections; ++i) {
        auto connection = std::make_shared<Connection>(io);
        connection->connect(endpoint, [&, connection](bool ok) {
            if (ok) {
                connected.push_back(connection);
            } else {
                ++result.failed;
            }
            if (--pending == 0) {
                fire();
            }
        });
    }
    io.run();
    result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return result;
}

} // namespace digitdesk::bench
