#include "ui/datasetworker.h"

#include "storage/connection.h"
#include "ui/imagelistmodel.h"

namespace digitdesk::ui {
namespace {

QString reasonOf(const std::exception &error)
{
    return QString::fromUtf8(error.what());
}

} // namespace

DatasetWorker::DatasetWorker(QString databasePath, QString workspaceRoot, annotation::Principal who)
    : m_databasePath(std::move(databasePath)), m_root(std::move(workspaceRoot)),
      m_who(std::move(who))
{}

DatasetWorker::~DatasetWorker() = default;

annotation::DatasetService &DatasetWorker::service()
{
    // Made on first use, on the worker's thread: a connection belongs to its thread.
    if (!m_service) {
        m_connection = std::make_unique<storage::Connection>(m_databasePath);
        m_service = std::make_unique<annotation::DatasetService>(m_connection->db(), m_root);
    }
    return *m_service;
}

void DatasetWorker::loadVersions()
{
    try {
        Q_EMIT versionsReady(service().versions(m_who));
    } catch (const std::exception &error) {
        Q_EMIT versionsFailed(reasonOf(error));
    }
}

void DatasetWorker::loadModels(const QString &tag)
{
    try {
        const std::vector<qint64> ids = service().modelsTrainedOn(m_who, tag);
        Q_EMIT modelsReady(tag, QList<qint64>(ids.begin(), ids.end()));
    } catch (const std::exception &error) {
        Q_EMIT modelsFailed(tag, reasonOf(error));
    }
}

void DatasetWorker::loadDiff(const QString &fromTag, const QString &toTag)
{
    try {
        annotation::DatasetService &datasets = service();
        const annotation::DatasetDiff diff = datasets.diff(m_who, fromTag, toTag);
        DatasetDiffPage page;
        page.fromTag = fromTag;
        page.toTag = toTag;
        page.added = static_cast<qint64>(diff.added.size());
        page.removed = static_cast<qint64>(diff.deleted.size());
        page.relabelled = static_cast<qint64>(diff.relabelled.size());
        const auto thumbnail = [&](const QString &tag, const QString &sha256) {
            try {
                return ImageListModel::toImage(datasets.pixels(m_who, tag, sha256));
            } catch (const std::exception &) {
                return QImage(); // drawn as a black square; the counts still hold
            }
        };
        const auto add = [&](DatasetDiffEntry::Kind kind, const annotation::DatasetRow *before,
                             const annotation::DatasetRow *after) {
            DatasetDiffEntry entry;
            entry.kind = kind;
            entry.sha256 = after ? after->sha256 : before->sha256;
            if (before) {
                entry.before = before->label;
            }
            if (after) {
                entry.after = after->label;
            }
            entry.image = thumbnail(after ? toTag : fromTag, entry.sha256);
            page.entries.push_back(std::move(entry));
        };
        const size_t cap = DatasetDiffListModel::ShownPerKind;
        for (size_t i = 0; i < diff.added.size() && i < cap; ++i) {
            add(DatasetDiffEntry::Kind::Added, nullptr, &diff.added[i]);
        }
        for (size_t i = 0; i < diff.deleted.size() && i < cap; ++i) {
            add(DatasetDiffEntry::Kind::Removed, &diff.deleted[i], nullptr);
        }
        for (size_t i = 0; i < diff.relabelled.size() && i < cap; ++i) {
            add(DatasetDiffEntry::Kind::Relabelled, &diff.relabelled[i].first,
                &diff.relabelled[i].second);
        }
        Q_EMIT diffReady(page);
    } catch (const std::exception &error) {
        Q_EMIT diffFailed(fromTag, toTag, reasonOf(error));
    }
}

void DatasetWorker::commit(const QString &message)
{
    try {
        // A commit reports every image; the view needs a step per percent at most.
        qint64 lastStep = -1;
        const auto progress = [&](qint64 done, qint64 total) {
            const qint64 step = total > 0 ? done * 100 / total : -1;
            if (step != lastStep || done == total) {
                lastStep = step;
                Q_EMIT commitProgressed(done, total);
            }
        };
        Q_EMIT committed(service().commit(m_who, message, progress, &m_commitCancel));
    } catch (const annotation::DatasetWorkCancelled &) {
        Q_EMIT commitCancelled();
        return;
    } catch (const std::exception &error) {
        Q_EMIT commitFailed(reasonOf(error));
        return;
    }
    loadVersions();
}

void DatasetWorker::exportVersion(const QString &tag, int format, const QString &folder)
{
    try {
        const auto progress = [this](qint64 done, qint64 total) {
            Q_EMIT exportProgressed(done, total);
        };
        Q_EMIT exported(tag,
                        service().exportVersion(m_who, tag,
                                                static_cast<annotation::ExportFormat>(format),
                                                folder, progress, &m_exportCancel),
                        folder);
    } catch (const annotation::DatasetWorkCancelled &) {
        Q_EMIT exportCancelled(folder);
    } catch (const std::exception &error) {
        Q_EMIT exportFailed(reasonOf(error));
    }
}

} // namespace digitdesk::ui
