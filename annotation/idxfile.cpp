#include "annotation/idxfile.h"

#include "annotation/private/idxreader.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <zlib.h>

namespace digitdesk::annotation {
namespace {

constexpr unsigned char UnsignedByteType = 0x08;

} // namespace

qint64 IdxArray::itemSize() const
{
    qint64 size = 1;
    for (size_t d = 1; d < dimensions.size(); ++d) {
        size *= dimensions[d];
    }
    return size;
}

std::vector<int> readIdxDimensions(const QString &path)
{
    return IdxReader(path).dimensions();
}

IdxArray readIdxFile(const QString &path)
{
    IdxReader reader(path);
    if (!reader.isGzip()) {
        IdxReader::verify(path); // by its size, before a byte of data is read
    }
    IdxArray array;
    array.dimensions = reader.dimensions();
    array.data = reader.readItems(reader.itemCount());
    reader.expectEnd();
    return array;
}

void writeIdxFile(const QString &path, const std::vector<int> &dimensions, const QByteArray &data)
{
    QByteArray bytes;
    bytes.append('\0').append('\0').append(static_cast<char>(UnsignedByteType));
    bytes.append(static_cast<char>(dimensions.size()));
    for (int d : dimensions) {
        const auto value = static_cast<quint32>(d);
        bytes.append(static_cast<char>(value >> 24)).append(static_cast<char>(value >> 16));
        bytes.append(static_cast<char>(value >> 8)).append(static_cast<char>(value));
    }
    bytes.append(data);
    const QString temporary = path + QStringLiteral(".partial");
    if (path.endsWith(QStringLiteral(".gz"))) {
        gzFile out = gzopen(QFile::encodeName(temporary).constData(), "wb9");
        const bool ok =
            out && gzwrite(out, bytes.constData(), static_cast<unsigned>(bytes.size())) ==
                       static_cast<int>(bytes.size());
        if (!out || gzclose(out) != Z_OK || !ok) {
            throw ImportError(QStringLiteral("%1: cannot write").arg(path));
        }
    } else {
        QFile file(temporary);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
            file.write(bytes) != bytes.size()) {
            throw ImportError(QStringLiteral("%1: cannot write: %2").arg(path, file.errorString()));
        }
    }
    QFile::remove(path);
    if (!QFile::rename(temporary, path)) {
        throw ImportError(QStringLiteral("%1: cannot move the written file into place").arg(path));
    }
}

QString idxLabelsPathFor(const QString &imagesPath)
{
    const QFileInfo info(imagesPath);
    QString name = info.fileName();
    if (!name.contains(QStringLiteral("images")) || !name.contains(QStringLiteral("idx3"))) {
        return {};
    }
    name.replace(QStringLiteral("images"), QStringLiteral("labels"));
    name.replace(QStringLiteral("idx3"), QStringLiteral("idx1"));
    return info.dir().filePath(name);
}

bool looksLikeIdxName(const QString &fileName)
{
    return fileName.contains(QStringLiteral("-idx")) || fileName.contains(QStringLiteral(".idx")) ||
           fileName.endsWith(QStringLiteral("ubyte")) ||
           fileName.endsWith(QStringLiteral("ubyte.gz"));
}

} // namespace digitdesk::annotation
