#pragma once

#include <QByteArray>
#include <QHash>
#include <QString>

class QMainWindow;
class QSplitter;
class QWidget;

namespace digitdesk::ui {

// Where a person left the main window in a workspace: its geometry, the view shown and the
// position of every splitter, kept in QSettings per workspace and user, so the next login of
// the same person there finds it as it was and another person keeps their own.
class WindowState final
{
public:
    WindowState(const QString &workspaceRoot, const QString &userName);

    // Nothing stored yet: the window keeps its defaults.
    bool isEmpty() const { return m_geometry.isEmpty() && m_view.isEmpty(); }
    QByteArray geometry() const { return m_geometry; }
    QString view() const { return m_view; }
    // Keyed by the splitter's objectName.
    QByteArray splitter(const QString &name) const { return m_splitters.value(name); }

    // Reads the window's geometry and every named splitter under `views`.
    void capture(const QMainWindow &window, const QWidget &views, const QString &view);
    // Applies the splitters' positions under `views` (the geometry and the view are the
    // window's to apply).
    void restoreSplitters(const QWidget &views) const;

    void load();
    void save() const;
    // The QSettings group: "windows/<workspace>/<user>", both percent-encoded.
    QString group() const;

private:
    QString m_workspaceRoot;
    QString m_userName;
    QByteArray m_geometry;
    QString m_view;
    QHash<QString, QByteArray> m_splitters;
};

// Gives every splitter under `view` that has no objectName a stable one ("Images/splitter1"),
// so its position can be kept without the view knowing.
void nameSplitters(QWidget &view, const QString &viewName);

} // namespace digitdesk::ui
