#pragma once

#include "annotation/inbox.h"
#include "annotation/principal.h"

#include <QFutureWatcher>
#include <QTimer>
#include <QWidget>

#include <optional>

class QLabel;
class QPushButton;

namespace digitdesk::storage {
class Workspace;
}

namespace digitdesk::ui {

// The watched inbox in the Serving view (ml_engineer and admin): its folder, whether a
// `digitdesk watch` or `serve --watch-inbox` is watching it, files waiting, imported and failed
// today and the last error, read from the database every two seconds on a worker. Start and
// Stop set inbox.enabled through annotation::InboxControl, which the running watcher honours
// within a second; closing the GUI changes nothing.
class InboxPane final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(InboxPane)

public:
    static constexpr int RefreshMs = 2000;

    InboxPane(const storage::Workspace &workspace, annotation::Principal who,
              QWidget *parent = nullptr);
    ~InboxPane() override;

    void refresh();
    void setEnabledByUser(bool enabled);
    QString stateText() const;
    QString countsText() const;
    QString errorText() const;

Q_SIGNALS:
    void refreshed();

private:
    struct Read
    {
        std::optional<annotation::InboxState> state;
        QString error;
    };
    void show(const Read &read);

    annotation::InboxControl m_control;
    annotation::Principal m_who;
    QString m_databasePath;
    QFutureWatcher<Read> m_watcher;
    QTimer m_timer;
    QLabel *m_state;
    QLabel *m_folder;
    QLabel *m_counts;
    QLabel *m_error;
    QPushButton *m_start;
    QPushButton *m_stop;
};

} // namespace digitdesk::ui
