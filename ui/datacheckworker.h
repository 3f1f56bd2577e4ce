#pragma once

#include "annotation/datacheckservice.h"
#include "annotation/datacheckthresholds.h"
#include "annotation/principal.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QString>

#include <memory>
#include <optional>
#include <vector>

namespace digitdesk::storage {
class Connection;
}

namespace digitdesk::ui {

// A version's newest check as the Checks tab shows it.
struct DataCheckPage
{
    QString tag;
    std::optional<annotation::StoredDataCheck> check; // none: never checked
    std::vector<storage::LabelSuspectRow> suspects;
    std::vector<QByteArray> pixels; // of each suspect, for its thumbnail
    storage::SuspectDecisions decisions;
    annotation::DataCheckStanding standing;
};

// The data-check service on its own thread with its own database connection: loads a
// version's check with its suspects' thumbnails and sends suspects to review, so the Checks
// tab never waits for SQL or git.
class DataCheckWorker final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DataCheckWorker)

public:
    DataCheckWorker(QString databasePath, QString workspaceRoot, annotation::Principal who);
    ~DataCheckWorker() override;

public Q_SLOTS:
    void load(const QString &tag);
    // The check's suspects with these ids, every one when the list is empty.
    void sendToReview(const QString &tag, qint64 checkId, const QList<qint64> &suspectIds);

Q_SIGNALS:
    void loaded(const digitdesk::ui::DataCheckPage &page);
    void loadFailed(const QString &tag, const QString &reason);
    void sent(const QString &tag, const digitdesk::annotation::SentToReview &result);
    void sendFailed(const QString &reason);

private:
    void open();

    QString m_databasePath;
    QString m_root;
    annotation::Principal m_who;
    std::unique_ptr<storage::Connection> m_connection;
    std::unique_ptr<annotation::DataCheckService> m_checks;
};

} // namespace digitdesk::ui

Q_DECLARE_METATYPE(digitdesk::ui::DataCheckPage)
Q_DECLARE_METATYPE(digitdesk::annotation::SentToReview)
