#pragma once

#include "annotation/principal.h"

#include <QSqlDatabase>
#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>
#include <vector>

namespace digitdesk::storage {
class BlobStore;
}

namespace digitdesk::annotation {

// What to do with labels that come with the data (IDX labels, a CSV label column, or an
// ImageFolder parent folder named 0-9).
enum class LabelPolicy
{
    Ignore,
    Unreviewed,
    Approved
};
bool parseLabelPolicy(const QString &text, LabelPolicy *policy);

struct ImportOptions
{
    QString source; // empty: named after each path given
    LabelPolicy labels = LabelPolicy::Unreviewed;
};

struct ImportProblem
{
    QString item; // file, or file:line, or file#index
    QString reason;
};

struct ImportReport
{
    qint64 imported = 0;
    qint64 duplicates = 0;
    qint64 skipped = 0; // files in folders that are not images, IDX or CSV
    std::vector<ImportProblem> problems;
    QStringList duplicateItems;
    bool cancelled = false;
    double seconds = 0;
};

// Imports folders (recursive) of PNG, JPEG, BMP and TIFF scans, MNIST IDX pairs and CSV files
// (label + 784 pixels), raw or gzipped. Every image is normalised to MNIST form; a bad
// file is reported with its reason and the import goes on. Work is done in batches: decoding
// and normalising run on every core, and each batch is one transaction.
class Importer final
{
public:
    using Progress = std::function<void(qint64 done, qint64 total)>;
    // The bounds on one import's work, so that no file, however it lies, costs more memory
    // than one batch: a scan on disk (an uncompressed 50-megapixel TIFF fits)...
    static constexpr qint64 MaxFileBytes = 256LL * 1024 * 1024;
    // ...a scan decoded, as its header says it will be (a 50-megapixel RGB scan is 150 MB; a
    // small PNG can claim 49 megapixels of 16-bit RGBA, 392 MB, and is refused unread)...
    static constexpr qint64 MaxDecodedBytes = 256LL * 1024 * 1024;
    // ...a batch, one transaction: 512 images, and past the first no more than 64 MiB of file
    // contents or pixels (not 512 scans of 256 MB each)...
    static constexpr int BatchSize = 512;
    static constexpr qint64 MaxBatchBytes = 64LL * 1024 * 1024;
    // ...a CSV file (a row of 785 numbers of up to three digits is 3,140 bytes; MNIST's training
    // set is 60,000 rows), read line by line, and how many bad rows or labels stop a file.
    static constexpr qint64 MaxCsvLineBytes = 16 * 1024;
    static constexpr qint64 MaxCsvRows = 1'000'000;
    static constexpr int MaxBadItemsPerFile = 1000;

    Importer(const QSqlDatabase &db, const storage::BlobStore &blobs, Principal who);

    ImportReport run(const QStringList &paths, const ImportOptions &options,
                     const Progress &progress = {}, const std::atomic<bool> *cancel = nullptr);

private:
    QSqlDatabase m_db;
    const storage::BlobStore &m_blobs;
    Principal m_who;
};

} // namespace digitdesk::annotation
