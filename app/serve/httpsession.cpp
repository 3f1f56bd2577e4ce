#include "app/serve/httpsession.h"

#include "app/serve/jsontext.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>

namespace digitdesk::app {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using boost::system::error_code;

bool isLoopback(const net::ip::address &address)
{
    if (address.is_v6() && address.to_v6().is_v4_mapped()) {
        return net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6()).is_loopback();
    }
    return address.is_loopback();
}

bool HttpShared::admit(const std::string &address)
{
    const std::lock_guard lock(addressesMutex);
    int &open = perAddress[address];
    if (open >= options.maxConnectionsPerAddress) {
        return false; // not 0: a limit of at least 1 admitted the ones open
    }
    ++open;
    return true;
}

void HttpShared::release(const std::string &address)
{
    const std::lock_guard lock(addressesMutex);
    const auto found = perAddress.find(address);
    if (found != perAddress.end() && --found->second <= 0) {
        perAddress.erase(found);
    }
}

HttpSession::HttpSession(tcp::socket socket, std::shared_ptr<HttpShared> shared,
                         std::string address)
    : m_socket(std::move(socket)), m_timer(m_socket.get_executor()), m_shared(std::move(shared)),
      m_address(std::move(address))
{
    ++m_shared->connections;
    error_code ignored;
    m_fromLoopback = isLoopback(m_socket.remote_endpoint(ignored).address());
}

HttpSession::HttpSession(tcp::socket socket, std::shared_ptr<HttpShared> shared, Refusal refusal)
    : m_socket(std::move(socket)), m_timer(m_socket.get_executor()), m_shared(std::move(shared)),
      m_refusal(std::move(refusal))
{
    ++m_shared->refusing;
}

HttpSession::~HttpSession()
{
    if (m_refusal) {
        --m_shared->refusing;
    } else {
        --m_shared->connections;
        m_shared->release(m_address);
    }
    const std::lock_guard lock(m_shared->sessionsMutex);
    m_shared->sessions.erase(this);
}

void HttpSession::start()
{
    {
        const std::lock_guard lock(m_shared->sessionsMutex);
        m_shared->sessions.emplace(this, weak_from_this());
    }
    net::dispatch(m_socket.get_executor(), [self = shared_from_this()] {
        if (self->m_refusal) {
            self->refuse();
        } else {
            self->waitForRequest();
        }
    });
}

void HttpSession::closeIfIdle()
{
    net::post(m_socket.get_executor(), [self = shared_from_this()] {
        if (!self->m_busy) {
            self->close();
        }
    });
}

void HttpSession::waitForRequest()
{
    if (m_shared->draining) {
        close();
        return;
    }
    if (m_buffer.size() > 0) {
        readRequest();
        return;
    }
    // A new connection has less time than one that has been answered: holding connections
    // open without a word must not cost a client less than the server.
    armTimer(m_started ? m_shared->options.idleTimeout : m_shared->options.firstByteTimeout);
    m_socket.async_wait(tcp::socket::wait_read, [self = shared_from_this()](error_code ec) {
        self->m_timer.cancel();
        if (ec || self->m_timedOut) {
            self->close();
            return;
        }
        self->readRequest();
    });
}

void HttpSession::readRequest()
{
    m_started = true;
    m_parser.emplace();
    m_parser->body_limit(m_shared->options.maxBodyBytes);
    m_parser->header_limit(64 * 1024);
    armTimer(m_shared->options.requestTimeout);
    http::async_read_header(m_socket, m_buffer, *m_parser,
                            [self = shared_from_this()](error_code ec, std::size_t) {
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

std::optional<HttpResponse> HttpSession::preflight()
{
    if (!m_shared->preflight) {
        return std::nullopt;
    }
    try {
        return m_shared->preflight(describe(m_parser->get()));
    } catch (const std::exception &failure) {
        HttpResponse response;
        response.status = 500;
        response.body = json::error(std::string("internal error: ") + failure.what());
        return response;
    }
}

HttpRequest HttpSession::describe(const http::request<http::string_body> &message) const
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
void HttpSession::readBody()
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

void HttpSession::readRest()
{
    http::async_read(m_socket, m_buffer, *m_parser,
                     [self = shared_from_this()](error_code ec, std::size_t) {
                         self->m_timer.cancel();
                         self->handleRead(ec);
                     });
}

void HttpSession::handleRead(error_code ec)
{
    if (m_timedOut) {
        m_timedOut = false;
        answerAndClose(408, "the request did not arrive whole within " +
                                std::to_string(m_shared->options.requestTimeout.count()) + " ms");
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
        net::post(self->m_socket.get_executor(), [self, response = std::move(response)]() mutable {
            self->write(std::move(response), false);
        });
    };
    try {
        m_shared->handler(std::move(request), responder);
    } catch (const std::exception &failure) {
        // No input may take the process down; the handler has not answered when it throws.
        HttpResponse response;
        response.status = 500;
        response.body = json::error(std::string("internal error: ") + failure.what());
        if (m_shared->observer) {
            m_shared->observer(500);
        }
        responder(std::move(response));
    }
}

void HttpSession::answerAndClose(int status, const std::string &message)
{
    if (m_shared->observer) {
        m_shared->observer(status);
    }
    HttpResponse response;
    response.status = status;
    response.body = json::error(message);
    m_busy = true;
    ++m_shared->inFlight;
    write(std::move(response), true);
}

void HttpSession::refuse()
{
    if (m_shared->observer) {
        m_shared->observer(503);
    }
    HttpResponse response;
    response.status = 503;
    response.body = json::error(m_refusal->message);
    response.headers.emplace_back("Retry-After", "1");
    m_keepAlive = false;
    m_busy = true;
    ++m_shared->inFlight;
    write(std::move(response), true);
}

void HttpSession::write(HttpResponse response, bool closeAfter)
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

void HttpSession::armTimer(std::chrono::milliseconds timeout)
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
void HttpSession::lingeringClose()
{
    error_code ignored;
    m_socket.shutdown(tcp::socket::shutdown_send, ignored);
    // A refused connection holds a descriptor over the limits: it lingers less.
    armTimer(std::chrono::milliseconds(m_refusal ? 500 : 2000));
    // Thousands of refused connections may linger at once: each gets a small buffer.
    m_discard.resize(m_refusal ? 512 : 16384);
    discard();
}

void HttpSession::discard()
{
    m_socket.async_read_some(net::buffer(m_discard),
                             [self = shared_from_this()](error_code ec, std::size_t) {
                                 if (ec || self->m_timedOut) {
                                     self->close();
                                     return;
                                 }
                                 self->discard();
                             });
}

void HttpSession::close()
{
    error_code ignored;
    m_timer.cancel();
    m_socket.shutdown(tcp::socket::shutdown_both, ignored);
    m_socket.close(ignored);
}

} // namespace digitdesk::app
