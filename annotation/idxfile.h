#pragma once

#include <QByteArray>
#include <QString>

#include <stdexcept>
#include <vector>

namespace digitdesk::annotation {

// A file that cannot be read as what it claims to be; the message names the file and why.
class ImportError final : public std::runtime_error
{
public:
    explicit ImportError(const QString &message) : std::runtime_error(message.toStdString()) {}
};

// The most a .gz file may inflate to, and the most data an IDX header may declare: twenty times
// MNIST's 60,000 training images (47 MB), so every real data set fits and a gzip bomb or a
// header that lies stops at a clear error instead of taking the machine's memory.
inline constexpr qint64 MaxInflatedBytes = qint64(1) << 30;

// An unsigned-byte IDX array, the format of the MNIST files (raw or gzipped).
struct IdxArray
{
    std::vector<int> dimensions;
    QByteArray data;
    qint64 itemCount() const { return dimensions.empty() ? 0 : dimensions.front(); }
    qint64 itemSize() const;
};

// Reads the header only (for counting before an import); throws ImportError.
std::vector<int> readIdxDimensions(const QString &path);
// The whole file, checked against its header before its data is read; throws ImportError.
IdxArray readIdxFile(const QString &path);
// Writes an unsigned-byte IDX file, gzipped when the name ends in ".gz".
void writeIdxFile(const QString &path, const std::vector<int> &dimensions, const QByteArray &data);

// The labels file that belongs to an images file ("train-images-idx3-ubyte" ->
// "train-labels-idx1-ubyte"), or an empty string when the name does not say.
QString idxLabelsPathFor(const QString &imagesPath);
bool looksLikeIdxName(const QString &fileName);

} // namespace digitdesk::annotation
