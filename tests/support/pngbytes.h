#pragma once

#include <QByteArray>

namespace digitdesk::testing {

// A PNG whose every byte of pixel data is `fill`, deflated row by row: a few kilobytes that
// declare width x height pixels. `kind` is IHDR's bit depth and colour type ("\x08\x00" for
// 8-bit grey), `rowBytes` what a row of them takes.
QByteArray uniformPng(int width, int height, const QByteArray &kind, int rowBytes, char fill);

} // namespace digitdesk::testing
