#include "annotation/datacheckservice.h"

#include "annotation/datasetservice.h"
#include "annotation/heldoutsplit.h"
#include "annotation/idxfile.h"
#include "annotation/modelregistry.h"
#include "annotation/userservice.h"
#include "storage/labelrepository.h"
#include "storage/modelrepository.h"
#include "storage/servingpredictionrepository.h"
#include "storage/transaction.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QTemporaryDir>

#include <algorithm>
#include <stdexcept>

namespace digitdesk::annotation {
namespace {

constexpr qint64 ServedSpanMinutes = 7 * 24 * 60;

QString checkTarget(qint64 checkId)
{
    return QStringLiteral("data_check:%1").arg(checkId);
}

// The version's digits in the order the trainer reads them, with their names.
DataCheckData readVersion(const DatasetService &datasets, const Principal &who, const QString &tag,
                          const QString &folder)
{
    DataCheckData data;
    for (const DatasetRow &row : datasets.rows(who, tag)) {
        if (row.label.isDigit()) {
            data.sha256.push_back(row.sha256);
        }
    }
    const auto [imagesPath, labelsPath] = datasets.versionFiles(who, tag, folder);
    const IdxArray images = readIdxFile(imagesPath);
    const IdxArray labels = readIdxFile(labelsPath);
    if (size_t(images.itemCount()) != data.sha256.size() ||
        labels.itemCount() != images.itemCount()) {
        throw InvalidRequest(QStringLiteral("%1's files hold %2 images and %3 labels, its "
                                            "labels.csv %4 digits")
                                 .arg(tag)
                                 .arg(images.itemCount())
                                 .arg(labels.itemCount())
                                 .arg(data.sha256.size()));
    }
    data.images.pixels.assign(images.data.begin(), images.data.end());
    data.images.labels.assign(labels.data.begin(), labels.data.end());
    data.heldOut = heldOutSplit(data.images.count()).heldOut;
    return data;
}

ClassCounts digitsOf(const std::array<int, 11> &histogram)
{
    ClassCounts counts{};
    for (int label = 0; label < models::ClassCount; ++label) {
        counts[label] = histogram[label];
    }
    return counts;
}

bool anyCount(const ClassCounts &counts)
{
    for (qint64 count : counts) {
        if (count > 0) {
            return true;
        }
    }
    return false;
}

} // namespace

DataCheckService::DataCheckService(const QSqlDatabase &db, QString workspaceRoot)
    : m_db(db), m_root(std::move(workspaceRoot)), m_access(db)
{}

StoredDataCheck DataCheckService::run(const Principal &who, const QString &tag,
                                      const DataCheckOptions &options, const Progress &progress,
                                      const std::atomic<bool> *cancel)
{
    m_access.require(who, Action::RunDataCheck, tag);
    const DatasetService datasets(m_db, m_root);
    const DatasetVersion version = datasets.version(who, tag);
    QTemporaryDir work;
    if (!work.isValid()) {
        throw InvalidRequest(
            QStringLiteral("cannot create a temporary folder to check %1 in").arg(tag));
    }
    const DataCheckData data =
        readVersion(datasets, who, tag, work.filePath(QStringLiteral("idx")));
    const QString settings =
        QString::fromUtf8(QJsonDocument(QJsonObject{{QStringLiteral("folds"), options.folds},
                                                    {QStringLiteral("epochs"), options.epochs},
                                                    {QStringLiteral("seed"), qint64(options.seed)}})
                              .toJson(QJsonDocument::Compact));
    storage::DataCheckRepository checks(m_db);
    const qint64 checkId = checks.start(tag, version.commitId, settings, who.actorRef());
    std::optional<DataCheckReport> result;
    try {
        result = runDataCheck(data, options, work.path(), progress, cancel);
    } catch (const std::invalid_argument &error) {
        checks.end(checkId, QStringLiteral("failed"), QString::fromUtf8(error.what()));
        throw InvalidRequest(
            QStringLiteral("cannot check %1: %2").arg(tag, QString::fromUtf8(error.what())));
    } catch (const std::exception &error) {
        checks.end(checkId, QStringLiteral("failed"), QString::fromUtf8(error.what()));
        throw;
    }
    if (!result) {
        checks.end(checkId, QStringLiteral("cancelled"), QStringLiteral("cancelled"));
        return {*checks.find(checkId), {}};
    }
    DataCheckReport &report = *result;
    report.tag = tag;
    report.commitId = version.commitId;
    report.notADigit = version.histogram[10];
    if (!version.parentTag.isEmpty()) {
        const ClassCounts previous = digitsOf(datasets.version(who, version.parentTag).histogram);
        if (anyCount(previous)) {
            report.previous = compareLabels(version.parentTag, report.counts, previous);
        }
    }
    if (const auto production = storage::ModelRepository(m_db).aliasTarget(ProductionAlias)) {
        const qint64 now = QDateTime::currentSecsSinceEpoch() / 60;
        const storage::ServedTotals served = storage::ServingPredictionRepository(m_db).totals(
            *production, now - ServedSpanMinutes, now);
        if (served.answers > 0) {
            report.served = compareLabels(
                QStringLiteral("served traffic (model %1, last 7 days)").arg(*production),
                report.counts, served.byLabel);
        }
    }
    std::vector<storage::LabelSuspectRow> rows;
    for (const SuspectedLabelError &suspect : report.suspects) {
        storage::LabelSuspectRow row;
        row.rank = int(rows.size()) + 1;
        row.sha256 = suspect.sha256;
        row.givenLabel = suspect.givenLabel;
        row.suspectedLabel = suspect.suspectedLabel;
        row.confidence = suspect.confidence;
        row.margin = suspect.confidence - suspect.givenProbability;
        rows.push_back(row);
    }
    storage::Transaction transaction(m_db);
    storage::LabelSuspectRepository(m_db).add(checkId, rows);
    checks.finish(checkId, report.images, int(report.suspects.size()), report.heldOut,
                  report.leakingHeldOut,
                  QString::fromUtf8(QJsonDocument(report.toJson()).toJson(QJsonDocument::Compact)));
    m_access.audit(who, Action::RunDataCheck, tag,
                   QStringLiteral("check %1: %2 suspected label errors, %3 leaking held-out images")
                       .arg(checkId)
                       .arg(report.suspects.size())
                       .arg(report.leakingHeldOut));
    transaction.commit();
    return {*checks.find(checkId), std::move(report)};
}

std::optional<StoredDataCheck> DataCheckService::latest(const Principal &who,
                                                        const QString &tag) const
{
    m_access.require(who, Action::ViewDatasets, tag);
    const auto record = storage::DataCheckRepository(m_db).latestFinished(tag);
    if (!record) {
        return std::nullopt;
    }
    return StoredDataCheck{*record, DataCheckReport::fromJson(
                                        QJsonDocument::fromJson(record->report.toUtf8()).object())};
}

StoredDataCheck DataCheckService::find(const Principal &who, qint64 checkId) const
{
    m_access.require(who, Action::ViewDatasets, checkTarget(checkId));
    const auto record = storage::DataCheckRepository(m_db).find(checkId);
    if (!record) {
        throw InvalidRequest(QStringLiteral("there is no data check %1").arg(checkId));
    }
    return {*record,
            DataCheckReport::fromJson(QJsonDocument::fromJson(record->report.toUtf8()).object())};
}

std::vector<storage::LabelSuspectRow> DataCheckService::suspects(const Principal &who,
                                                                 qint64 checkId) const
{
    m_access.require(who, Action::ViewDatasets, checkTarget(checkId));
    return storage::LabelSuspectRepository(m_db).forCheck(checkId);
}

SentToReview DataCheckService::sendToReview(const Principal &who, qint64 checkId,
                                            const std::vector<qint64> &suspectIds)
{
    m_access.require(who, Action::SendToReview, checkTarget(checkId));
    const auto check = storage::DataCheckRepository(m_db).find(checkId);
    if (!check || check->status != QStringLiteral("finished")) {
        throw InvalidRequest(QStringLiteral("there is no finished data check %1").arg(checkId));
    }
    storage::LabelSuspectRepository suspects(m_db);
    storage::LabelRepository labels(m_db);
    storage::Transaction transaction(m_db);
    SentToReview sent;
    for (const storage::LabelSuspectRow &suspect : suspects.forCheck(checkId)) {
        if (!suspectIds.empty() &&
            std::find(suspectIds.begin(), suspectIds.end(), suspect.id) == suspectIds.end()) {
            continue;
        }
        if (suspect.sentAt.isValid()) {
            ++sent.alreadySent;
            continue;
        }
        const auto image = suspects.approvedBy(suspect.sha256);
        if (!image) {
            ++sent.notInWorkspace;
        } else if (suspects.isPending(image->imageId)) {
            ++sent.alreadySent;
        } else if (image->status != storage::ImageStatus::Approved) {
            ++sent.notApproved;
        } else {
            // Waiting for review again with its standing label; the review decides anew.
            labels.setStatus(image->imageId, storage::ImageStatus::Labelled);
            suspects.markSent(suspect.id, *image, who.actorRef());
            ++sent.sent;
        }
    }
    m_access.audit(who, Action::SendToReview, checkTarget(checkId),
                   QStringLiteral("%1 suspected label errors of %2 sent to review")
                       .arg(sent.sent)
                       .arg(check->datasetTag));
    transaction.commit();
    return sent;
}

storage::SuspectDecisions DataCheckService::decisions(const Principal &who) const
{
    m_access.require(who, Action::ViewDatasets);
    return storage::LabelSuspectRepository(m_db).decisions();
}

} // namespace digitdesk::annotation
