#pragma once

#include <QByteArray>
#include <QString>

namespace digitdesk::annotation {

// The images of a dataset version: 28x28 8-bit grayscale PNG, encoded with fixed parameters so
// that the same pixels always give the same bytes (and so the same git blob).
QByteArray encodeDatasetPng(const QByteArray &pixels);
// The 784 pixels of such a PNG; empty, with the reason in `error`, when the bytes are not an
// 8-bit grayscale 28x28 PNG. The header is checked before anything is decoded.
QByteArray decodeDatasetPng(const QByteArray &png, QString *error);

} // namespace digitdesk::annotation
