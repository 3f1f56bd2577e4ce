#include "tests/support/servetestsupport.h"

#include "tests/support/pngbytes.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QList>

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <algorithm>

namespace digitdesk::testing {

QByteArray tensorBody(int count, int value, const QByteArray &id)
{
    QByteArray data;
    for (int i = 0; i < count * 784; ++i) {
        data += (i > 0 ? "," : "") + QByteArray::number(value);
    }
    const QByteArray named = id.isEmpty() ? QByteArray() : "\"id\":\"" + id + "\",";
    return "{" + named + "\"inputs\":[{\"name\":\"input\",\"shape\":[" + QByteArray::number(count) +
           ",784],\"datatype\":\"UINT8\",\"data\":[" + data + "]}]}";
}

QJsonObject json(const HttpAnswer &answer)
{
    return QJsonDocument::fromJson(answer.body).object();
}

QJsonObject strictJson(const HttpAnswer &answer)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(answer.body, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject()) {
        qWarning("not JSON (%s): %s", qPrintable(error.errorString()),
                 answer.body.left(300).data());
        return {};
    }
    return document.object();
}

QString errorOf(const HttpAnswer &answer)
{
    return strictJson(answer).value(QStringLiteral("error")).toString();
}

int firstLabel(const HttpAnswer &answer)
{
    return json(answer)
        .value(QStringLiteral("outputs"))
        .toArray()
        .at(0)
        .toObject()
        .value(QStringLiteral("data"))
        .toArray()
        .at(0)
        .toInt(-1);
}

QByteArray hugePng(int width, int height)
{
    return uniformPng(width, height, QByteArray("\x08\x00", 2), width, '\0');
}

QString externalAddress()
{
    ifaddrs *list = nullptr;
    if (getifaddrs(&list) != 0) {
        return {};
    }
    QString found;
    for (ifaddrs *it = list; it != nullptr && found.isEmpty(); it = it->ifa_next) {
        if (it->ifa_addr == nullptr || it->ifa_addr->sa_family != AF_INET) {
            continue;
        }
        char text[INET_ADDRSTRLEN] = {};
        const auto *address = reinterpret_cast<const sockaddr_in *>(it->ifa_addr);
        inet_ntop(AF_INET, &address->sin_addr, text, sizeof text);
        if (!QString::fromLatin1(text).startsWith(QStringLiteral("127."))) {
            found = QString::fromLatin1(text);
        }
    }
    freeifaddrs(list);
    return found;
}

double metric(HttpClient &client, const QByteArray &line)
{
    const auto split = [](const QByteArray &text, QByteArray *name) {
        const qsizetype brace = text.indexOf('{');
        *name = brace < 0 ? text : text.left(brace);
        QList<QByteArray> labels;
        if (brace >= 0) {
            labels = text.mid(brace + 1, text.lastIndexOf('}') - brace - 1).split(',');
        }
        return labels;
    };
    QByteArray wanted;
    const QList<QByteArray> wantedLabels = split(line, &wanted);
    const HttpAnswer answer = client.request("GET", "/metrics");
    double sum = -1;
    for (const QByteArray &row : answer.body.split('\n')) {
        const qsizetype space = row.lastIndexOf(' ');
        if (row.startsWith('#') || space < 0) {
            continue;
        }
        QByteArray name;
        const QList<QByteArray> labels = split(row.left(space), &name);
        const bool matches = name == wanted && std::all_of(wantedLabels.begin(), wantedLabels.end(),
                                                           [&labels](const QByteArray &label) {
                                                               return labels.contains(label);
                                                           });
        if (matches) {
            sum = std::max(sum, 0.0) + row.mid(space + 1).toDouble();
        }
    }
    return sum;
}

double firstMetric(HttpClient &client, const QByteArray &prefix)
{
    for (const QByteArray &row : client.request("GET", "/metrics").body.split('\n')) {
        if (row.startsWith(prefix)) {
            return row.mid(row.lastIndexOf(' ') + 1).toDouble();
        }
    }
    return -1;
}

} // namespace digitdesk::testing
