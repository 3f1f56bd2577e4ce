#pragma once

// What the endpoint's black-box suites (tst_serveendpoints, tst_servelifecycle,
// tst_servesecurity, tst_servehardening, tst_servingexperiments, tst_servebudget,
// tst_serveconnections) say to `digitdesk serve` and read back from it.

#include "tests/support/httpclient.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace digitdesk::testing {

inline const QString Loopback = QStringLiteral("127.0.0.1");

// A KServe v2 request of `count` images of 784 bytes, every pixel `value` (255 is full ink),
// with `id` when one is given.
QByteArray tensorBody(int count, int value = 128, const QByteArray &id = {});

// The answer's body as JSON; an empty object when it is not.
QJsonObject json(const HttpAnswer &answer);
// The same, and a warning naming what is wrong when the body is not a JSON object.
QJsonObject strictJson(const HttpAnswer &answer);
// The "error" of a JSON answer.
QString errorOf(const HttpAnswer &answer);
// The first value of a KServe v2 answer's first output (the first image's label); -1 when
// there is none.
int firstLabel(const HttpAnswer &answer);

// A PNG of width x height black pixels, deflated row by row: small on disk, huge once decoded.
QByteArray hugePng(int width, int height);

// The first IPv4 address of this machine that is not loopback; empty when it has none.
QString externalAddress();

// Scrapes /metrics: the sum of the series named as in `line` ("name{a=\"x\"}") whose labels
// include the ones given there (a series may carry more, such as its model version); -1 when
// there is none.
double metric(HttpClient &client, const QByteArray &line);
// Scrapes /metrics: the value of the first series whose line starts with `prefix`; -1 when
// there is none.
double firstMetric(HttpClient &client, const QByteArray &prefix);

} // namespace digitdesk::testing
