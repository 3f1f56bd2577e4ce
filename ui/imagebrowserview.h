#pragma once

#include "storage/imagerepository.h"

#include <QFutureWatcher>
#include <QWidget>

#include <vector>

class QComboBox;
class QLabel;
class QListView;
class QStackedWidget;

namespace digitdesk::storage {
class Workspace;
}

namespace digitdesk::ui {

class ImageListModel;

// A virtualised grid of every imported image, filterable by status and source, with the
// selected image large beside it and its original scan when there is one.
class ImageBrowserView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ImageBrowserView)

public:
    explicit ImageBrowserView(const storage::Workspace &workspace, QWidget *parent = nullptr);

    void reload();
    bool isLoading() const;
    ImageListModel *model() const { return m_model; }

Q_SIGNALS:
    void loaded(int count);

private:
    void handleListLoaded();
    void handleCurrentChanged();
    storage::ImageFilter currentFilter() const;
    void refillSources();

    const storage::Workspace &m_workspace;
    ImageListModel *m_model;
    QComboBox *m_status;
    QComboBox *m_source;
    QLabel *m_count;
    QStackedWidget *m_pages;
    QListView *m_list;
    QLabel *m_empty;
    QLabel *m_image;
    QLabel *m_original;
    QLabel *m_originalCaption = nullptr;
    QLabel *m_details;
    QFutureWatcher<std::vector<storage::ImageSummary>> *m_watcher;
    bool m_reloadPending = false;
    bool m_loading = false;
};

} // namespace digitdesk::ui
