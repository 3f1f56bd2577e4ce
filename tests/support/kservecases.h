#pragma once

// The pieces tst_kserveconformance builds its protocol rows from, and the README table they
// are checked against.

#include <QByteArray>
#include <QJsonObject>
#include <QStringList>

namespace digitdesk::testing {

QByteArray compact(const QJsonObject &object);
// Our model's input, `count` images of UINT8 128, flat or in the natural [N,1,28,28] nesting.
QJsonObject ourInput(int count, bool nested = false);
// `value` as 8 little-endian bytes, as a binary INT64 output holds it.
QByteArray int64Bytes(qint64 value);
// The first column of the README's conformance table, backticks dropped.
QStringList readmeRows();

} // namespace digitdesk::testing
