#include "ui/windowstate.h"

#include <QEvent>
#include <QFileInfo>
#include <QMainWindow>
#include <QSettings>
#include <QSplitter>
#include <QUrl>

namespace digitdesk::ui {
namespace {

QString encoded(const QString &text)
{
    // QSettings takes '/' as a group separator and is loose about other characters.
    return QString::fromLatin1(QUrl::toPercentEncoding(text, {}, "/\\"));
}

// Restores a splitter's state when it is first shown: by then the layout has given it its
// size, so the positions come back to the pixel instead of being scaled from a guess.
class RestoreOnShow final : public QObject
{
public:
    RestoreOnShow(QByteArray state, QSplitter *splitter)
        : QObject(splitter), m_state(std::move(state))
    {}

    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::Show) {
            static_cast<QSplitter *>(watched)->restoreState(m_state);
            watched->removeEventFilter(this);
            deleteLater();
        }
        return false;
    }

private:
    QByteArray m_state;
};

} // namespace

WindowState::WindowState(const QString &workspaceRoot, const QString &userName)
    : m_workspaceRoot(workspaceRoot), m_userName(userName)
{}

QString WindowState::group() const
{
    return QStringLiteral("windows/%1/%2").arg(encoded(m_workspaceRoot), encoded(m_userName));
}

void WindowState::capture(const QMainWindow &window, const QWidget &views, const QString &view)
{
    m_geometry = window.saveGeometry();
    m_view = view;
    for (const QSplitter *splitter : views.findChildren<QSplitter *>()) {
        if (!splitter->objectName().isEmpty()) {
            m_splitters.insert(splitter->objectName(), splitter->saveState());
        }
    }
}

void WindowState::restoreSplitters(const QWidget &views) const
{
    for (QSplitter *splitter : views.findChildren<QSplitter *>()) {
        const QByteArray state = m_splitters.value(splitter->objectName());
        if (splitter->objectName().isEmpty() || state.isEmpty()) {
            continue;
        }
        if (splitter->isVisible()) {
            splitter->restoreState(state);
        } else {
            splitter->installEventFilter(new RestoreOnShow(state, splitter));
        }
    }
}

void WindowState::load()
{
    QSettings settings;
    settings.beginGroup(group());
    m_geometry = settings.value(QStringLiteral("geometry")).toByteArray();
    m_view = settings.value(QStringLiteral("view")).toString();
    m_splitters.clear();
    settings.beginGroup(QStringLiteral("splitters"));
    for (const QString &key : settings.childKeys()) {
        m_splitters.insert(QUrl::fromPercentEncoding(key.toLatin1()),
                           settings.value(key).toByteArray());
    }
}

void WindowState::save() const
{
    QSettings settings;
    // Workspaces that are gone (temporary ones, say) do not pile up in the settings file.
    settings.beginGroup(QStringLiteral("windows"));
    for (const QString &workspace : settings.childGroups()) {
        const QString root = QUrl::fromPercentEncoding(workspace.toLatin1());
        if (root != m_workspaceRoot && !QFileInfo::exists(root)) {
            settings.remove(workspace);
        }
    }
    settings.endGroup();
    settings.beginGroup(group());
    settings.setValue(QStringLiteral("geometry"), m_geometry);
    settings.setValue(QStringLiteral("view"), m_view);
    settings.beginGroup(QStringLiteral("splitters"));
    for (auto it = m_splitters.cbegin(); it != m_splitters.cend(); ++it) {
        settings.setValue(encoded(it.key()), it.value());
    }
}

void nameSplitters(QWidget &view, const QString &viewName)
{
    int number = 0;
    for (QSplitter *splitter : view.findChildren<QSplitter *>()) {
        ++number;
        if (splitter->objectName().isEmpty()) {
            splitter->setObjectName(QStringLiteral("%1/splitter%2").arg(viewName).arg(number));
        }
    }
}

} // namespace digitdesk::ui
