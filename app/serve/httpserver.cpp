#include "app/serve/httpserver.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http.hpp>

#include <array>
#include <atomic>
#include <future>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <vector>

namespace digitdesk::app {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using boost::system::error_code;

namespace {

class Session;

// What every connection shares with the server.
struct Shared
{
    HttpServerOptions options;
    Preflight preflight;
    RequestHandler handler;
    HttpServer::StatusObserver observer;
    std::atomic<int> connections{0};
    std::atomic<int> inFlight{0};
    std::atomic<bool> draining{false};
    std::mutex sessionsMutex;
    std::unordered_map<Session *, std::weak_ptr<Session>> sessions;
};

bool isLoopback(const net::ip::address &address)
{
    if (address.is_v6() && address.to_v6().is_v4_mapped()) {
        return net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6()).is_loopback();
    }
    return address.is_loopback();
}

std::string errorBody(const std::string &message)
{
    std::string body = "{\"error\":\"";
    for (char c : message) {
        if (c == '"' || c == '\\') {
            body += '\\';
        }
        body += (static_cast<unsigned char>(c) < 0x20) ? ' ' : c;
    }
    return body + "\"}";
}

// One client connection: wait (idle timeout) for a request's first byte, read it whole
// (request timeout), hand it to the handler, write the answer (write timeout), repeat.
class Session final : public std::enable_shared_from_this<Session>
{
public:
    Session(tcp::socket socket, std::shared_ptr<Shared> shared)
        : m_socket(std::move(socket)), m_timer(m_socket.get_executor()), m_shared(std::move(shared))
    {
        ++m_shared->connections;
        error_code ignored;
        m_fromLoopback = isLoopback(m_socket.remote_endpoint(ignored).address());
    }

    ~Session()
    {
        --m_shared->connections;
        const std::lock_guard lock(m_shared->sessionsMutex);
        m_shared->sessions.erase(this);
    }

    Session(const Session &) = delete;
    Session &operator=(const Session &) = delete;

    void start()
    {
        {
            const std::lock_guard lock(m_shared->sessionsMutex);
            m_shared->sessions.emplace(this, weak_from_this());
        }
        net::dispatch(m_socket.get_executor(),
                      [self = shared_from_this()] { self->waitForRequest(); });
    }

    // During a drain: a connection with no request in hand is closed now.
    void closeIfIdle()
    {
        net::post(m_socket.get_executor(), [self = shared_from_this()] {
            if (!self->m_busy) {
                self->close();
            }
        });
    }

private:
    void waitForRequest()
    {
        if (m_shared->draining) {
            close();
            return;
        }
        if (m_buffer.size() > 0) {
            readRequest();
            return;
        }
        armTimer(m_shared->options.idleTimeout);
        m_socket.async_wait(tcp::socket::wait_read, [self = shared_from_this()](error_code ec) {
            self->m_timer.cancel();
            if (ec || self->m_timedOut) {
                self->close();
                return;
            }
            self->readRequest();
        });
    }

    void readRequest()
    {
        m_parser.emplace();
        m_parser->body_limit(m_shared->options.maxBodyBytes);
        m_parser->header_limit(64 * 1024);
        armTimer(m_shared->options.requestTimeout);
        http::async_read_header(
            m_socket, m_buffer, *m_parser, [self = shared_from_this()](error_code ec, std::size_t) {
                if (ec || self->m_timedOut) {
                    self->m_timer.cancel();
                    self->handleRead(ec);
                    return;
                }
                if (auto early = self->preflight()) {
                    self->m_timer.cancel();
                    // With no body to skip, the connection can go on.
                    const bool whole = self->m_parser->is_done();
                    self->m_keepAlive = whole && self->m_parser->get().keep_alive();
                    self->m_version = self->m_parser->get().version();
                    self->m_parser.reset();
                    self->m_busy = true;
                    ++self->m_shared->inFlight;
                    self->write(std::move(*early), !whole);
                    return;
                }
                self->readBody();
            });
    }

    std::optional<HttpResponse> preflight()
    {
        if (!m_shared->preflight) {
            return std::nullopt;
        }
        try {
            return m_shared->preflight(describe(m_parser->get()));
        } catch (const std::exception &failure) {
            HttpResponse response;
            response.status = 500;
            response.body = errorBody(std::string("internal error: ") + failure.what());
            return response;
        }
    }

    HttpRequest describe(const http::request<http::string_body> &message) const
    {
        HttpRequest request;
        request.method = std::string(message.method_string());
        request.target = std::string(message.target());
        request.contentType = std::string(message[http::field::content_type]);
        request.authorization = std::string(message[http::field::authorization]);
        request.inferenceHeaderLength = std::string(message["Inference-Header-Content-Length"]);
        request.fromLoopback = m_fromLoopback;
        return request;
    }

    // Clients such as curl send `Expect: 100-continue` with larger bodies and wait (curl: 1 s)
    // for the go-ahead before sending them.
    void readBody()
    {
        const auto expect = m_parser->get()[http::field::expect];
        if (beast::iequals(expect, "100-continue")) {
            static const std::string goAhead = "HTTP/1.1 100 Continue\r\n\r\n";
            net::async_write(m_socket, net::buffer(goAhead),
                             [self = shared_from_this()](error_code ec, std::size_t) {
                                 if (ec || self->m_timedOut) {
                                     self->m_timer.cancel();
                                     self->handleRead(ec ? ec : net::error::operation_aborted);
                                     return;
                                 }
                                 self->readRest();
                             });
            return;
        }
        readRest();
    }

    void readRest()
    {
        http::async_read(m_socket, m_buffer, *m_parser,
                         [self = shared_from_this()](error_code ec, std::size_t) {
                             self->m_timer.cancel();
                             self->handleRead(ec);
                         });
    }

    void handleRead(error_code ec)
    {
        if (m_timedOut) {
            m_timedOut = false;
            answerAndClose(408, "the request did not arrive whole within " +
                                    std::to_string(m_shared->options.requestTimeout.count()) +
                                    " ms");
            return;
        }
        if (ec == http::error::end_of_stream || ec == net::error::eof ||
            ec == net::error::connection_reset || ec == net::error::operation_aborted) {
            close();
            return;
        }
        if (ec == http::error::body_limit) {
            answerAndClose(413, "the request body is larger than the limit of " +
                                    std::to_string(m_shared->options.maxBodyBytes) + " bytes");
            return;
        }
        if (ec == http::error::partial_message) {
            close(); // the client went away in the middle of its request
            return;
        }
        if (ec) {
            answerAndClose(400, "malformed HTTP request: " + ec.message());
            return;
        }
        http::request<http::string_body> message = m_parser->release();
        m_parser.reset();
        m_keepAlive = message.keep_alive();
        m_version = message.version();
        HttpRequest request = describe(message);
        request.body = std::move(message.body());
        m_busy = true;
        ++m_shared->inFlight;
        auto responder = [self = shared_from_this()](HttpResponse response) {
            net::post(self->m_socket.get_executor(),
                      [self, response = std::move(response)]() mutable {
                          self->write(std::move(response), false);
                      });
        };
        try {
            m_shared->handler(std::move(request), responder);
        } catch (const std::exception &failure) {
            // No input may take the process down; the handler has not answered when it throws.
            HttpResponse response;
            response.status = 500;
            response.body = errorBody(std::string("internal error: ") + failure.what());
            if (m_shared->observer) {
                m_shared->observer(500);
            }
            responder(std::move(response));
        }
    }

    void answerAndClose(int status, const std::string &message)
    {
        if (m_shared->observer) {
            m_shared->observer(status);
        }
        HttpResponse response;
        response.status = status;
        response.body = errorBody(message);
        m_busy = true;
        ++m_shared->inFlight;
        write(std::move(response), true);
    }

    void write(HttpResponse response, bool closeAfter)
    {
        auto message = std::make_shared<http::response<http::string_body>>();
        message->version(m_version);
        message->result(static_cast<unsigned>(response.status));
        message->set(http::field::server, "DigitDesk");
        message->set(http::field::content_type, response.contentType);
        for (const auto &[name, value] : response.headers) {
            message->set(name, value);
        }
        message->body() = std::move(response.body);
        message->keep_alive(m_keepAlive && !closeAfter && !m_shared->draining);
        message->prepare_payload();
        armTimer(m_shared->options.writeTimeout);
        http::async_write(m_socket, *message,
                          [self = shared_from_this(), message](error_code ec, std::size_t) {
                              self->m_timer.cancel();
                              self->m_busy = false;
                              --self->m_shared->inFlight;
                              if (ec || self->m_timedOut) {
                                  self->close();
                                  return;
                              }
                              if (!message->keep_alive()) {
                                  self->lingeringClose();
                                  return;
                              }
                              self->waitForRequest();
                          });
    }

    void armTimer(std::chrono::milliseconds timeout)
    {
        m_timedOut = false;
        // A completion of an earlier arming may already be queued when this one is set.
        const unsigned generation = ++m_timerGeneration;
        m_timer.expires_after(timeout);
        m_timer.async_wait([self = shared_from_this(), generation](error_code ec) {
            if (!ec && generation == self->m_timerGeneration) {
                self->m_timedOut = true;
                error_code ignored;
                self->m_socket.cancel(ignored);
            }
        });
    }

    // Closing with unread request bytes would reset the connection and could destroy the
    // answer just sent (a 413 before the body was read): send FIN, then read and discard
    // for a moment before closing.
    void lingeringClose()
    {
        error_code ignored;
        m_socket.shutdown(tcp::socket::shutdown_send, ignored);
        armTimer(std::chrono::milliseconds(2000));
        m_discard = std::make_unique<std::array<char, 16384>>();
        discard();
    }

    void discard()
    {
        m_socket.async_read_some(net::buffer(*m_discard),
                                 [self = shared_from_this()](error_code ec, std::size_t) {
                                     if (ec || self->m_timedOut) {
                                         self->close();
                                         return;
                                     }
                                     self->discard();
                                 });
    }

    void close()
    {
        error_code ignored;
        m_timer.cancel();
        m_socket.shutdown(tcp::socket::shutdown_both, ignored);
        m_socket.close(ignored);
    }

    tcp::socket m_socket;
    net::steady_timer m_timer;
    std::shared_ptr<Shared> m_shared;
    beast::flat_buffer m_buffer;
    std::unique_ptr<std::array<char, 16384>> m_discard; // only while closing
    std::optional<http::request_parser<http::string_body>> m_parser;
    bool m_fromLoopback = false;
    bool m_keepAlive = true;
    bool m_busy = false;
    bool m_timedOut = false;
    unsigned m_timerGeneration = 0;
    unsigned m_version = 11;
};

} // namespace

bool isIpAddress(const std::string &host)
{
    error_code ec;
    net::ip::make_address(host, ec);
    return !ec;
}

bool isLoopbackAddress(const std::string &host)
{
    error_code ec;
    const net::ip::address address = net::ip::make_address(host, ec);
    return !ec && isLoopback(address);
}

struct HttpServer::Impl
{
    net::io_context io;
    // Keeps the threads running while every connection waits for the batcher (no socket
    // operation pending), as during a drain.
    net::executor_work_guard<net::io_context::executor_type> work = net::make_work_guard(io);
    tcp::acceptor acceptor{net::make_strand(io)};
    net::steady_timer retry{acceptor.get_executor()};
    std::shared_ptr<Shared> shared = std::make_shared<Shared>();
    std::vector<std::thread> threads;
    unsigned short port = 0;

    void accept()
    {
        acceptor.async_accept(net::make_strand(io), [this](error_code ec, tcp::socket socket) {
            if (ec == net::error::operation_aborted || !acceptor.is_open()) {
                return;
            }
            if (ec) {
                // Out of descriptors: the pending connection keeps the listener readable, so
                // retrying at once would spin. Try again shortly.
                retry.expires_after(std::chrono::milliseconds(100));
                retry.async_wait([this](error_code waited) {
                    if (!waited) {
                        accept();
                    }
                });
                return;
            }
            error_code ignored;
            if (shared->connections >= shared->options.maxConnections) {
                socket.close(ignored);
            } else {
                socket.set_option(tcp::no_delay(true), ignored);
                std::make_shared<Session>(std::move(socket), shared)->start();
            }
            accept();
        });
    }
};

HttpServer::HttpServer(HttpServerOptions options, Preflight preflight, RequestHandler handler,
                       StatusObserver observer)
    : m_impl(std::make_unique<Impl>())
{
    m_impl->shared->options = std::move(options);
    m_impl->shared->preflight = std::move(preflight);
    m_impl->shared->handler = std::move(handler);
    m_impl->shared->observer = std::move(observer);
}

HttpServer::~HttpServer()
{
    if (!m_impl->threads.empty()) {
        drain(std::chrono::milliseconds(0));
    }
}

void HttpServer::start()
{
    const HttpServerOptions &options = m_impl->shared->options;
    const std::string where = options.host + ":" + std::to_string(options.port);
    error_code ec;
    const net::ip::address address = net::ip::make_address(options.host, ec);
    if (ec) {
        throw std::runtime_error("cannot listen on " + where + ": '" + options.host +
                                 "' is not an IP address");
    }
    const tcp::endpoint endpoint(address, options.port);
    tcp::acceptor &acceptor = m_impl->acceptor;
    if (acceptor.open(endpoint.protocol(), ec) ||
        acceptor.set_option(net::socket_base::reuse_address(true), ec) ||
        acceptor.bind(endpoint, ec) ||
        acceptor.listen(net::socket_base::max_listen_connections, ec)) {
        throw std::runtime_error("cannot listen on " + where + ": " + ec.message());
    }
    m_impl->port = acceptor.local_endpoint().port();
    m_impl->accept();
    for (int i = 0; i < std::max(1, options.ioThreads); ++i) {
        m_impl->threads.emplace_back([this] { m_impl->io.run(); });
    }
}

unsigned short HttpServer::port() const
{
    return m_impl->port;
}

int HttpServer::openConnections() const
{
    return m_impl->shared->connections.load();
}

bool HttpServer::draining() const
{
    return m_impl->shared->draining.load();
}

void HttpServer::drain(std::chrono::milliseconds grace)
{
    Shared &shared = *m_impl->shared;
    shared.draining = true;
    // Closed before anything else, so no connection waits in the backlog of a closing server.
    std::promise<void> closed;
    net::post(m_impl->acceptor.get_executor(), [this, &closed] {
        error_code ignored;
        m_impl->retry.cancel();
        m_impl->acceptor.close(ignored);
        closed.set_value();
    });
    closed.get_future().wait();
    std::vector<std::shared_ptr<Session>> open;
    {
        const std::lock_guard lock(shared.sessionsMutex);
        for (const auto &entry : shared.sessions) {
            if (auto session = entry.second.lock()) {
                open.push_back(std::move(session));
            }
        }
    }
    for (const auto &session : open) {
        session->closeIfIdle();
    }
    open.clear();
    const auto deadline = std::chrono::steady_clock::now() + grace;
    while (shared.inFlight > 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    m_impl->io.stop();
    for (std::thread &thread : m_impl->threads) {
        thread.join();
    }
    m_impl->threads.clear();
}

} // namespace digitdesk::app
