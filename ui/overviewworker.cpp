#include "ui/overviewworker.h"

#include "storage/connection.h"
#include "ui/overviewexport.h"

namespace digitdesk::ui {

OverviewWorker::OverviewWorker(QString databasePath, QString workspaceName,
                               annotation::Principal who)
    : m_databasePath(std::move(databasePath)), m_workspaceName(std::move(workspaceName)),
      m_who(std::move(who))
{
    qRegisterMetaType<annotation::OverviewFigures>();
    qRegisterMetaType<annotation::TeamTargets>();
}

OverviewWorker::~OverviewWorker() = default;

void OverviewWorker::open()
{
    // Made on first use, on the worker's thread: a connection belongs to its thread.
    if (!m_connection) {
        m_connection = std::make_unique<storage::Connection>(m_databasePath);
    }
}

void OverviewWorker::load()
{
    try {
        open();
        const annotation::TeamOverview overview(m_connection->db());
        Q_EMIT figuresReady(overview.lastDays(m_who));
        Q_EMIT targetsReady(overview.targets(m_who));
    } catch (const std::exception &error) {
        Q_EMIT failed(tr("Reading the team's figures"), QString::fromUtf8(error.what()));
    }
}

void OverviewWorker::saveTargets(const annotation::TeamTargets &targets)
{
    try {
        open();
        annotation::TeamOverview overview(m_connection->db());
        overview.setTargets(m_who, targets);
        Q_EMIT targetsSaved();
    } catch (const std::exception &error) {
        Q_EMIT failed(tr("Saving the targets"), QString::fromUtf8(error.what()));
    }
    load();
}

void OverviewWorker::exportMonth(int year, int month, const QString &format, const QString &path)
{
    const QString what = tr("Exporting %1").arg(path);
    try {
        open();
        const annotation::OverviewFigures figures =
            annotation::TeamOverview(m_connection->db()).month(m_who, year, month);
        const std::optional<QString> problem =
            format == QStringLiteral("pdf")
                ? overviewexport::writePdf(figures, path, m_workspaceName)
                : overviewexport::writeCsv(figures, path);
        if (problem) {
            Q_EMIT failed(what, *problem);
            return;
        }
        Q_EMIT exported(path);
    } catch (const std::exception &error) {
        Q_EMIT failed(what, QString::fromUtf8(error.what()));
    }
}

} // namespace digitdesk::ui
