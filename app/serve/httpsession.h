#pragma once

// HttpServer's connections (httpserver.cpp keeps the listener): for httpserver.cpp alone.

#include "app/serve/httpserver.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace digitdesk::app {

class HttpSession;

bool isLoopback(const boost::asio::ip::address &address);

// What every connection shares with the server.
struct HttpShared
{
    HttpServerOptions options;
    Preflight preflight;
    RequestHandler handler;
    HttpServer::StatusObserver observer;
    std::atomic<int> connections{0}; // admitted, not counting those being refused
    std::atomic<int> refusing{0};    // being answered 503 and closed
    std::atomic<int> inFlight{0};
    std::atomic<bool> draining{false};
    std::mutex sessionsMutex;
    std::unordered_map<HttpSession *, std::weak_ptr<HttpSession>> sessions;
    std::mutex addressesMutex;
    std::unordered_map<std::string, int> perAddress; // admitted connections by client address

    // Counts one more connection from `address`, unless it has its most open already.
    bool admit(const std::string &address);
    void release(const std::string &address);
};

// One client connection: wait for a request's first byte (first-byte timeout on a new
// connection, idle timeout between keep-alive requests), read it whole (request timeout), hand
// it to the handler, write the answer (write timeout), repeat. A refused connection is
// answered 503 at once and closed.
class HttpSession final : public std::enable_shared_from_this<HttpSession>
{
public:
    using tcp = boost::asio::ip::tcp;
    // What a connection over a limit is told (503) before it is closed.
    struct Refusal
    {
        std::string message;
    };

    // An admitted connection, counted under `address` until it ends.
    HttpSession(tcp::socket socket, std::shared_ptr<HttpShared> shared, std::string address);
    HttpSession(tcp::socket socket, std::shared_ptr<HttpShared> shared, Refusal refusal);
    ~HttpSession();
    HttpSession(const HttpSession &) = delete;
    HttpSession &operator=(const HttpSession &) = delete;

    void start();
    // During a drain: a connection with no request in hand is closed now.
    void closeIfIdle();

private:
    void waitForRequest();
    void readRequest();
    std::optional<HttpResponse> preflight();
    HttpRequest
    describe(const boost::beast::http::request<boost::beast::http::string_body> &message) const;
    void readBody();
    void readRest();
    void handleRead(boost::system::error_code ec);
    void answerAndClose(int status, const std::string &message);
    void refuse();
    void write(HttpResponse response, bool closeAfter);
    void armTimer(std::chrono::milliseconds timeout);
    void lingeringClose();
    void discard();
    void close();

    tcp::socket m_socket;
    boost::asio::steady_timer m_timer;
    std::shared_ptr<HttpShared> m_shared;
    std::string m_address; // admitted: the client's address
    std::optional<Refusal> m_refusal;
    boost::beast::flat_buffer m_buffer;
    std::vector<char> m_discard; // only while closing
    std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> m_parser;
    bool m_fromLoopback = false;
    bool m_keepAlive = true;
    bool m_busy = false;
    bool m_timedOut = false;
    bool m_started = false; // a request's first byte has arrived on this connection
    unsigned m_timerGeneration = 0;
    unsigned m_version = 11;
};

} // namespace digitdesk::app
