#include "tests/support/httpclient.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

namespace digitdesk::testing {

QByteArray HttpAnswer::header(const QByteArray &name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0) {
            return value;
        }
    }
    return {};
}

HttpClient::HttpClient(const QString &host, int port, const QString &source)
{
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET, host.toLatin1().constData(), &address.sin_addr) != 1) {
        return;
    }
    m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    ::setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (!source.isEmpty()) {
        sockaddr_in local{};
        local.sin_family = AF_INET;
        if (inet_pton(AF_INET, source.toLatin1().constData(), &local.sin_addr) != 1 ||
            ::bind(m_fd, reinterpret_cast<sockaddr *>(&local), sizeof local) != 0) {
            ::close(m_fd);
            m_fd = -1;
            return;
        }
    }
    if (::connect(m_fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0) {
        ::close(m_fd);
        m_fd = -1;
    }
}

HttpClient::~HttpClient()
{
    if (m_fd >= 0) {
        ::close(m_fd);
    }
}

HttpAnswer HttpClient::request(const QByteArray &method, const QByteArray &path,
                               const QByteArray &body, const QByteArray &contentType,
                               const QList<QPair<QByteArray, QByteArray>> &headers)
{
    QByteArray message = method + ' ' + path + " HTTP/1.1\r\nHost: test\r\n";
    if (!contentType.isEmpty()) {
        message += "Content-Type: " + contentType + "\r\n";
    }
    for (const auto &[name, value] : headers) {
        message += name + ": " + value + "\r\n";
    }
    if (method == "POST" || method == "PUT") {
        message += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    }
    message += "\r\n" + body;
    if (!sendRaw(message)) {
        return {};
    }
    return readAnswer();
}

bool HttpClient::sendRaw(const QByteArray &bytes)
{
    qsizetype sent = 0;
    while (m_fd >= 0 && sent < bytes.size()) {
        const ssize_t n = ::send(m_fd, bytes.constData() + sent,
                                 static_cast<size_t>(bytes.size() - sent), MSG_NOSIGNAL);
        if (n <= 0) {
            return false;
        }
        sent += n;
    }
    return m_fd >= 0;
}

HttpAnswer HttpClient::readAnswer(int timeoutMs)
{
    HttpAnswer answer;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
    qsizetype headerEnd = -1;
    qsizetype length = -1;
    for (;;) {
        if (headerEnd < 0) {
            headerEnd = m_buffer.indexOf("\r\n\r\n");
            if (headerEnd >= 0) {
                const QList<QByteArray> lines = m_buffer.left(headerEnd).split('\n');
                answer.status = lines.first().split(' ').value(1).toInt();
                for (qsizetype i = 1; i < lines.size(); ++i) {
                    const qsizetype colon = lines[i].indexOf(':');
                    if (colon > 0) {
                        answer.headers.append(
                            {lines[i].left(colon).trimmed(), lines[i].mid(colon + 1).trimmed()});
                    }
                }
                length = answer.header("Content-Length").toLongLong();
            }
        }
        if (headerEnd >= 0 && m_buffer.size() >= headerEnd + 4 + length) {
            answer.body = m_buffer.mid(headerEnd + 4, length);
            m_buffer.remove(0, headerEnd + 4 + length);
            answer.closed = answer.header("Connection").compare("close", Qt::CaseInsensitive) == 0;
            return answer;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        pollfd wait{m_fd, POLLIN, 0};
        if (m_fd < 0 || left.count() <= 0 ||
            ::poll(&wait, 1, static_cast<int>(left.count())) <= 0) {
            return HttpAnswer{};
        }
        char chunk[65536];
        const ssize_t n = ::recv(m_fd, chunk, sizeof chunk, 0);
        if (n <= 0) {
            HttpAnswer none;
            none.closed = true;
            return none;
        }
        m_buffer.append(chunk, n);
    }
}

} // namespace digitdesk::testing
