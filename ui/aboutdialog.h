#pragma once

#include <QDialog>
#include <QHash>

class QFormLayout;
class QLabel;

namespace digitdesk::ui {

// Help > About DigitDesk: DigitDesk's version and those of the libraries it runs with, as
// they run (Qt, SQLite, libgit2 at once; LibTorch, OpenCV, the compute device and a
// PostgreSQL server from a worker, since they load a module or reach a server), so that a
// bug report can say exactly what was running.
class AboutDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AboutDialog)

public:
    // `databaseLocation`: the workspace's database (a file or a PostgreSQL URL).
    explicit AboutDialog(const QString &databaseLocation, QWidget *parent = nullptr);

    // The value shown for a row ("qt", "sqlite", "libgit2", "libtorch", "opencv", "device",
    // "threads", "server"), as the person reads it.
    QString value(const QString &row) const;
    bool isLoading() const { return m_loading; }
    // Every row as "name: value" lines, as Copy puts it on the clipboard.
    QString text() const;

Q_SIGNALS:
    void loaded();

private:
    struct Runtime;
    QLabel *addRow(const QString &key, const QString &caption, const QString &value);
    void showRuntime(const Runtime &runtime);

    QFormLayout *m_form;
    QHash<QString, QLabel *> m_values;
    QHash<QString, QString> m_captions;
    QStringList m_order;
    bool m_loading = true;
};

} // namespace digitdesk::ui
