#pragma once

// The file-based readers (IDX, CSV) take a path: each input is written to a file of its own in
// a private folder first, with the name the reader would see.

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QString>
#include <QTemporaryDir>

#include <cstddef>
#include <cstdint>

namespace digitdesk::fuzz {

inline QString writeInput(const uint8_t *data, size_t size, const QString &name)
{
    static QTemporaryDir folder(QDir::tempPath() + QStringLiteral("/digitdesk-fuzz-XXXXXX"));
    const QString path = folder.filePath(name);
    QFile file(path);
    if (file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        file.write(reinterpret_cast<const char *>(data), static_cast<qint64>(size));
    }
    return path;
}

} // namespace digitdesk::fuzz
