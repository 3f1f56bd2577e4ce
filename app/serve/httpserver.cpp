#include "app/serve/httpserver.h"

#include "app/serve/httpsession.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include <future>
#include <stdexcept>
#include <thread>
#include <vector>

namespace digitdesk::app {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using boost::system::error_code;

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
    static constexpr int MaxRefusing = 4096;

    net::io_context io;
    // Keeps the threads running while every connection waits for the batcher (no socket
    // operation pending), as during a drain.
    net::executor_work_guard<net::io_context::executor_type> work = net::make_work_guard(io);
    tcp::acceptor acceptor{net::make_strand(io)};
    net::steady_timer retry{acceptor.get_executor()};
    std::shared_ptr<HttpShared> shared = std::make_shared<HttpShared>();
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
            admit(std::move(socket));
            accept();
        });
    }

    // Over a limit, a connection is told so (503, JSON) rather than closed without a word;
    // only past as many refusals at once as a flood brings is it closed at once.
    void admit(tcp::socket socket)
    {
        error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        const HttpServerOptions &options = shared->options;
        std::string refusal;
        std::string address = socket.remote_endpoint(ignored).address().to_string();
        if (shared->connections >= options.maxConnections) {
            refusal = "the endpoint has its most connections open (" +
                      std::to_string(options.maxConnections) + "); retry shortly";
        } else if (!shared->admit(address)) {
            refusal = "your address has the most connections open that one address may have (" +
                      std::to_string(options.maxConnectionsPerAddress) +
                      "); reuse them (keep-alive) or retry shortly";
        } else {
            std::make_shared<HttpSession>(std::move(socket), shared, std::move(address))->start();
            return;
        }
        if (shared->refusing >= MaxRefusing) {
            socket.close(ignored);
            return;
        }
        std::make_shared<HttpSession>(std::move(socket), shared,
                                      HttpSession::Refusal{std::move(refusal)})
            ->start();
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
    HttpShared &shared = *m_impl->shared;
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
    std::vector<std::shared_ptr<HttpSession>> open;
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
