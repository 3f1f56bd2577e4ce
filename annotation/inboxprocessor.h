#pragma once

#include "annotation/principal.h"

#include <QSqlDatabase>
#include <QString>
#include <QStringList>

#include <memory>

namespace digitdesk::models {
class Predictor;
}
namespace digitdesk::storage {
class BlobStore;
}

namespace digitdesk::annotation {

struct InboxBatchReport
{
    int imported = 0;
    int alreadyImported = 0; // moved only: their bytes were imported before
    int failed = 0;          // duplicates included
    int left = 0;            // vanished or not movable: still in the inbox or gone
    qint64 predicted = 0;
    QString problem; // what went wrong beside single files (predictions, moves); empty if nothing
    QString lastFailure; // the last file moved to failed/ and why ("a.png: not an image")
};

// Takes complete files of the inbox through the importer (its limits and checks), stores the
// production model's predictions for what arrived, records each file's outcome and then moves
// it: to processed/YYYY-MM-DD/, or to failed/ with <name>.error.txt saying why. A file whose
// bytes are already stored as an original (a crash came between import and move) is only
// moved. Nothing is deleted: a name taken in the target folder gets a -1, -2... suffix.
class InboxProcessor final
{
public:
    static constexpr const char *ProcessedFolder = "processed";
    static constexpr const char *FailedFolder = "failed";
    static constexpr const char *Source = "inbox";

    InboxProcessor(const QSqlDatabase &db, const storage::BlobStore &blobs, QString workspaceRoot,
                   Principal who);
    ~InboxProcessor();
    InboxProcessor(const InboxProcessor &) = delete;
    InboxProcessor &operator=(const InboxProcessor &) = delete;

    // `files` are absolute paths in `inbox`; each is one transaction's worth at most (the
    // importer's batch), so the write lock is never held for long.
    InboxBatchReport process(const QString &inbox, const QStringList &files);

private:
    qint64 predict(QString *problem);

    QSqlDatabase m_db;
    const storage::BlobStore &m_blobs;
    QString m_root;
    Principal m_who;
    std::unique_ptr<models::Predictor> m_predictor;
    qint64 m_predictorModel = 0;
};

} // namespace digitdesk::annotation
