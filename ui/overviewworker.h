#pragma once

#include "annotation/principal.h"
#include "annotation/teamoverview.h"

#include <QObject>
#include <QString>

#include <memory>

namespace digitdesk::storage {
class Connection;
}

namespace digitdesk::ui {

// The Overview's work on its own thread and connection: the figures, the targets and queue
// settings (checked in annotation/ against the user's role), and the month's export files.
class OverviewWorker final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OverviewWorker)

public:
    OverviewWorker(QString databasePath, QString workspaceName, annotation::Principal who);
    ~OverviewWorker() override;

public Q_SLOTS:
    void load();
    void saveTargets(const digitdesk::annotation::TeamTargets &targets);
    // Writes the month's figures to `path`: "csv" or "pdf".
    void exportMonth(int year, int month, const QString &format, const QString &path);

Q_SIGNALS:
    void figuresReady(const digitdesk::annotation::OverviewFigures &figures);
    void targetsReady(const digitdesk::annotation::TeamTargets &targets);
    void targetsSaved();
    void exported(const QString &path);
    void failed(const QString &what, const QString &reason);

private:
    void open();

    QString m_databasePath;
    QString m_workspaceName;
    annotation::Principal m_who;
    std::unique_ptr<storage::Connection> m_connection;
};

} // namespace digitdesk::ui

Q_DECLARE_METATYPE(digitdesk::annotation::OverviewFigures)
Q_DECLARE_METATYPE(digitdesk::annotation::TeamTargets)
