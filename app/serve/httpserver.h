#pragma once

#include "app/serve/httpmessage.h"

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

namespace digitdesk::app {

struct HttpServerOptions
{
    std::string host = "127.0.0.1";
    unsigned short port = 8080; // 0: any free port
    int ioThreads = 1;
    std::size_t maxBodyBytes = 64u << 20;
    // A request must arrive whole within this once its first byte has.
    std::chrono::milliseconds requestTimeout{10000};
    // A new connection must send its first request's first byte within this.
    std::chrono::milliseconds firstByteTimeout{5000};
    // A keep-alive connection may wait this long for its next request.
    std::chrono::milliseconds idleTimeout{120000};
    std::chrono::milliseconds writeTimeout{10000};
    // Connections over either limit are answered 503 (JSON, Retry-After) and closed. One
    // address may hold this many: a load generator or a proxy on the same host needs a few
    // thousand, and the rest are left to everyone else.
    int maxConnections = 10000;
    int maxConnectionsPerAddress = 4096;
};

// Whether `host` is an IP address, and whether it is a loopback one (127.0.0.0/8, ::1).
bool isIpAddress(const std::string &host);
bool isLoopbackAddress(const std::string &host);

// HTTP/1.1 with keep-alive on Boost.Beast: asynchronous, a few threads for any number of
// connections. Broken requests are answered here (400, 408, 413), as are connections over the
// limits (503), and never reach the handler.
class HttpServer final
{
public:
    // Told of every response the server makes by itself, with its status.
    using StatusObserver = std::function<void(int status)>;

    HttpServer(HttpServerOptions options, Preflight preflight, RequestHandler handler,
               StatusObserver observer);
    ~HttpServer();
    HttpServer(const HttpServer &) = delete;
    HttpServer &operator=(const HttpServer &) = delete;

    // Binds and starts the threads; throws std::runtime_error naming the address and reason.
    void start();
    unsigned short port() const;
    int openConnections() const;
    bool draining() const;
    // Stops accepting, lets requests already read get their answers (up to `grace`), then
    // closes every connection and ends the threads.
    void drain(std::chrono::milliseconds grace);

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace digitdesk::app
