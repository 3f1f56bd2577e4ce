#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>

namespace digitdesk::testing {

struct HttpAnswer
{
    int status = 0; // 0: no answer (connection closed or timed out)
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> headers;
    bool closed = false; // the server closed the connection after (or instead of) answering
    QByteArray header(const QByteArray &name) const;
};

// A blocking HTTP/1.1 client over one keep-alive connection, for endpoint tests: it can also
// send raw bytes, so tests can misbehave as broken or slow clients do.
class HttpClient final
{
public:
    // `source`: the local address to connect from (another loopback address, such as
    // 127.0.0.2, is another client to the server); empty: the system's choice.
    HttpClient(const QString &host, int port, const QString &source = {});
    ~HttpClient();
    HttpClient(const HttpClient &) = delete;
    HttpClient &operator=(const HttpClient &) = delete;

    bool connected() const { return m_fd >= 0; }
    HttpAnswer request(const QByteArray &method, const QByteArray &path,
                       const QByteArray &body = {}, const QByteArray &contentType = {},
                       const QList<QPair<QByteArray, QByteArray>> &headers = {});
    bool sendRaw(const QByteArray &bytes);
    // Reads one response; status 0 when none came within `timeoutMs`.
    HttpAnswer readAnswer(int timeoutMs = 30000);

private:
    int m_fd = -1;
    QByteArray m_buffer;
};

} // namespace digitdesk::testing
