#pragma once

#include "storage/imagerepository.h"
#include "ui/imagebrowserworker.h" // the metatypes of the requests' signals
#include "ui/originalscan.h"

#include <QFutureWatcher>
#include <QThread>
#include <QWidget>

#include <optional>
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
// selected image large beside it and its original scan when there is one. Queries run on a
// worker thread and scans are decoded in the thread pool, so scrolling and arrow keys never
// wait for the disk; what fails is said in the view's message line.
class ImageBrowserView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ImageBrowserView)

public:
    explicit ImageBrowserView(const storage::Workspace &workspace, QWidget *parent = nullptr);
    ~ImageBrowserView() override;

    void reload();
    bool isLoading() const;
    // From a selection until its details and original scan are shown, or said to be missing.
    bool isLoadingImage() const { return m_detailsFor != 0 || m_originalFor != 0; }
    ImageListModel *model() const { return m_model; }

Q_SIGNALS:
    void loaded(int count);
    void requestList(quint64 request, const digitdesk::storage::ImageFilter &filter);
    void requestPixels(const QList<qint64> &imageIds);
    void requestDetails(qint64 imageId);

private:
    void handleListLoaded(quint64 request, const std::vector<storage::ImageSummary> &images,
                          const QStringList &sources);
    void handleListFailed(quint64 request, const QString &reason);
    void handleCurrentChanged();
    void handleDetails(qint64 imageId, const storage::ImageDetails &image);
    void handleDetailsMissing(qint64 imageId);
    void handleDetailsFailed(qint64 imageId, const QString &reason);
    void loadOriginal(qint64 imageId, const QString &sha256);
    void handleOriginalLoaded();
    qint64 currentImageId() const;
    storage::ImageFilter currentFilter() const;
    void refillSources(const QStringList &sources);
    void showError(const QString &text);
    // Runs a slot's body; what it throws is shown in the message line.
    template <typename Action> void guard(Action &&action);

    const storage::Workspace &m_workspace;
    QThread m_thread;
    ImageBrowserWorker *m_worker;
    ImageListModel *m_model;
    QComboBox *m_status;
    QComboBox *m_source;
    QLabel *m_count;
    QLabel *m_message;
    QStackedWidget *m_pages;
    QListView *m_list;
    QLabel *m_empty;
    QLabel *m_image;
    QLabel *m_original;
    QLabel *m_originalCaption = nullptr;
    QLabel *m_details;
    QFutureWatcher<OriginalScan> *m_originalWatcher;
    quint64 m_listRequest = 0; // the newest list asked for
    storage::ImageFilter m_listFilter;
    bool m_reloadPending = false;
    bool m_loading = false;
    qint64 m_detailsFor = 0;  // the image whose details are awaited
    qint64 m_originalFor = 0; // the image whose scan is awaited
    // A scan asked for while another was being decoded: only the newest is worth decoding.
    std::optional<std::pair<qint64, QString>> m_originalNext;
};

} // namespace digitdesk::ui
