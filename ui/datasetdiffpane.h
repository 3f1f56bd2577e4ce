#pragma once

#include <QString>
#include <QWidget>

#include <optional>
#include <utility>

class QLabel;
class QListView;

namespace digitdesk::ui {

class DatasetDiffListModel;
struct DatasetDiffPage;

// What changed between two dataset versions: the counts, then the images as thumbnails with
// their old and new labels. One diff is asked for at a time; while one is under way, only the
// newest wish waits, so arrowing through versions never piles up work.
class DatasetDiffPane final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DatasetDiffPane)

public:
    explicit DatasetDiffPane(QWidget *parent = nullptr);

    DatasetDiffListModel *model() const { return m_model; }
    // From the older version to the newer; nothing is asked again for the pair on screen.
    void compare(const QString &fromTag, const QString &toTag);
    // No comparison: `hint` says why.
    void clear(const QString &hint);

    void handleDiff(const DatasetDiffPage &page);
    void handleDiffFailed(const QString &fromTag, const QString &toTag, const QString &reason);

Q_SIGNALS:
    void requestDiff(const QString &fromTag, const QString &toTag);
    void diffShown();

private:
    void send(const std::pair<QString, QString> &pair);

    DatasetDiffListModel *m_model;
    QLabel *m_summary;
    QListView *m_list;
    std::optional<std::pair<QString, QString>> m_wanted;
    bool m_running = false;
};

} // namespace digitdesk::ui
