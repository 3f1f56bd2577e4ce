#include "ui/inboxpane.h"

#include "storage/connection.h"
#include "storage/workspace.h"
#include "ui/appearance.h"

#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace digitdesk::ui {

InboxPane::InboxPane(const storage::Workspace &workspace, annotation::Principal who,
                     QWidget *parent)
    : QWidget(parent), m_control(workspace.db()), m_who(std::move(who)),
      m_databasePath(workspace.databasePath()), m_state(new QLabel(this)),
      m_folder(new QLabel(this)), m_counts(new QLabel(this)), m_error(new QLabel(this)),
      m_start(new QPushButton(tr("Start inbox"), this)),
      m_stop(new QPushButton(tr("Stop inbox"), this))
{
    m_state->setObjectName(QStringLiteral("inboxState"));
    m_folder->setObjectName(QStringLiteral("inboxFolder"));
    m_folder->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_counts->setObjectName(QStringLiteral("inboxCounts"));
    m_error->setObjectName(QStringLiteral("inboxError"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(toneStyle(Tone::Error));
    m_start->setObjectName(QStringLiteral("inboxStart"));
    m_stop->setObjectName(QStringLiteral("inboxStop"));
    m_start->setToolTip(tr("Let `digitdesk watch` or `serve --watch-inbox` take files "
                           "(inbox.enabled = 1)"));
    m_stop->setToolTip(tr("Pause the inbox: files stay where they are (inbox.enabled = 0)"));
    connect(m_start, &QPushButton::clicked, this, [this] { setEnabledByUser(true); });
    connect(m_stop, &QPushButton::clicked, this, [this] { setEnabledByUser(false); });

    auto *box = new QGroupBox(tr("Inbox"), this);
    auto *row = new QHBoxLayout;
    row->addWidget(m_state);
    row->addWidget(m_folder, 1);
    row->addWidget(m_counts);
    row->addWidget(m_start);
    row->addWidget(m_stop);
    auto *inner = new QVBoxLayout(box);
    inner->addLayout(row);
    inner->addWidget(m_error);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(box);

    connect(&m_watcher, &QFutureWatcher<Read>::finished, this, [this] {
        show(m_watcher.result());
        Q_EMIT refreshed();
    });
    connect(&m_timer, &QTimer::timeout, this, &InboxPane::refresh);
    m_timer.start(RefreshMs);
    refresh();
}

InboxPane::~InboxPane()
{
    m_watcher.waitForFinished();
}

void InboxPane::refresh()
{
    if (m_watcher.isRunning()) {
        return;
    }
    const QString path = m_databasePath;
    const annotation::Principal who = m_who;
    m_watcher.setFuture(QtConcurrent::run([path, who]() -> Read {
        Read read;
        try {
            const storage::Connection connection(path);
            read.state = annotation::InboxControl(connection.db()).state(who);
        } catch (const std::exception &error) {
            read.error = QString::fromUtf8(error.what());
        }
        return read;
    }));
}

void InboxPane::setEnabledByUser(bool enabled)
{
    try {
        m_control.setEnabled(m_who, enabled);
    } catch (const std::exception &error) {
        m_error->setText(QString::fromUtf8(error.what()));
        return;
    }
    refresh();
}

void InboxPane::show(const Read &read)
{
    if (!read.state) {
        m_state->setText(tr("unknown"));
        m_error->setText(read.error);
        m_start->setEnabled(false);
        m_stop->setEnabled(false);
        return;
    }
    const annotation::InboxState &state = *read.state;
    QString text = state.running ? state.state : tr("not running");
    if (state.running && state.state == QStringLiteral("watching")) {
        m_state->setStyleSheet(toneStyle(Tone::Success, true));
    } else {
        m_state->setStyleSheet(toneStyle(Tone::Error, true));
    }
    if (!state.enabled) {
        text += tr(" (stopped from here)");
    }
    m_state->setText(text);
    m_folder->setText(state.path.isEmpty() ? tr("no folder (settings set inbox.path DIR)")
                                           : state.path);
    m_counts->setText(tr("%1 waiting, %2 imported today, %3 failed today")
                          .arg(state.waiting)
                          .arg(state.importedToday)
                          .arg(state.failedToday));
    m_error->setText(
        state.lastError.isEmpty()
            ? QString()
            : tr("Last error (%1): %2")
                  .arg(QLocale().toString(state.lastErrorAt.toLocalTime(), QLocale::ShortFormat),
                       state.lastError));
    m_start->setEnabled(!state.enabled);
    m_stop->setEnabled(state.enabled);
}

QString InboxPane::stateText() const
{
    return m_state->text();
}

QString InboxPane::countsText() const
{
    return m_counts->text();
}

QString InboxPane::errorText() const
{
    return m_error->text();
}

} // namespace digitdesk::ui
