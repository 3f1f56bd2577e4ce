#pragma once

#include "tests/support/runfixture.h"

#include <QObject>

#include <memory>

namespace digitdesk::testing {

// The base of tst_runs and tst_retraining: every test function starts on a fresh RunWorkspace,
// made by init() and removed by cleanup() (Qt Test calls them from here).
class RunWorkspaceTest : public QObject
{
    Q_OBJECT

protected:
    const storage::Workspace &workspace() const { return m_ws->workspace(); }
    QString folder() const { return m_ws->folder(); }
    QStringList at() const { return m_ws->at(); }
    qint64 count(const QString &sql) const { return m_ws->count(sql); }
    storage::TrainingRunRecord run(qint64 id) const { return m_ws->run(id); }

    std::unique_ptr<RunWorkspace> m_ws;

private Q_SLOTS:
    void init();
    void cleanup();
};

} // namespace digitdesk::testing
