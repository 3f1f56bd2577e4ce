#include "ui/imagebrowserview.h"

#include "storage/workspace.h"
#include "ui/imagebrowserworker.h"
#include "ui/imagelistmodel.h"
#include "ui/imagetiledelegate.h"
#include "ui/plainlabel.h"
#include "ui/slotguard.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QListView>
#include <QSplitter>
#include <QStackedWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace digitdesk::ui {
namespace {

constexpr int LargeSide = 224;

const QString ErrorStyle =
    QStringLiteral("color: white; background: #b00020; padding: 6px; font-weight: bold;");

bool sameFilter(const storage::ImageFilter &a, const storage::ImageFilter &b)
{
    return a.status == b.status && a.source == b.source;
}

} // namespace

ImageBrowserView::ImageBrowserView(const storage::Workspace &workspace, QWidget *parent)
    : QWidget(parent), m_workspace(workspace),
      m_worker(new ImageBrowserWorker(workspace.databasePath())),
      m_model(new ImageListModel(
          [this](const QList<qint64> &imageIds) { Q_EMIT requestPixels(imageIds); }, this)),
      m_status(new QComboBox(this)), m_source(new QComboBox(this)), m_count(new QLabel(this)),
      m_message(plainLabel(QStringLiteral("message"), this)), m_pages(new QStackedWidget(this)),
      m_list(new QListView(this)), m_empty(new QLabel(this)), m_image(new QLabel(this)),
      m_original(new QLabel(this)), m_details(new QLabel(this)),
      m_originalWatcher(new QFutureWatcher<OriginalScan>(this))
{
    qRegisterMetaType<storage::ImageFilter>();
    qRegisterMetaType<storage::ImageDetails>();
    qRegisterMetaType<std::vector<storage::ImageSummary>>();
    m_status->setObjectName(QStringLiteral("statusFilter"));
    m_status->addItem(tr("All statuses"));
    for (storage::ImageStatus status :
         {storage::ImageStatus::Incoming, storage::ImageStatus::Labelled,
          storage::ImageStatus::Approved}) {
        m_status->addItem(storage::toString(status), static_cast<int>(status));
    }
    m_source->setObjectName(QStringLiteral("sourceFilter"));
    m_source->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_source->setMaximumWidth(320);
    m_source->addItem(tr("All sources")); // the others come with the first list
    m_count->setObjectName(QStringLiteral("imageCount"));
    m_message->setStyleSheet(ErrorStyle);
    m_message->hide();

    m_list->setObjectName(QStringLiteral("imageGrid"));
    m_list->setViewMode(QListView::IconMode);
    m_list->setResizeMode(QListView::Adjust);
    m_list->setMovement(QListView::Static);
    m_list->setUniformItemSizes(true);
    // Uniform tiles in a static grid: one layout pass over 100,000 rows is a few milliseconds,
    // and End or PageDown land where they should at once.
    m_list->setLayoutMode(QListView::SinglePass);
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_list->setItemDelegate(new ImageTileDelegate(m_list));
    m_list->setModel(m_model);

    m_empty->setObjectName(QStringLiteral("emptyState"));
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    m_pages->addWidget(m_list);
    m_pages->addWidget(m_empty);

    m_image->setFixedSize(LargeSide, LargeSide);
    m_image->setAlignment(Qt::AlignCenter);
    m_image->setStyleSheet(QStringLiteral("background: black;"));
    m_original->setFixedSize(LargeSide, LargeSide);
    m_original->setAlignment(Qt::AlignCenter);
    m_original->setWordWrap(true);
    m_original->setObjectName(QStringLiteral("originalScan"));
    m_details->setObjectName(QStringLiteral("imageDetails"));
    m_details->setWordWrap(true);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_details->setAlignment(Qt::AlignTop | Qt::AlignLeft);

    auto *side = new QWidget(this);
    auto *sideLayout = new QVBoxLayout(side);
    sideLayout->addWidget(new QLabel(tr("28 x 28"), side));
    sideLayout->addWidget(m_image);
    m_originalCaption = new QLabel(tr("Original scan"), side);
    sideLayout->addWidget(m_originalCaption);
    sideLayout->addWidget(m_original);
    sideLayout->addWidget(m_details, 1);
    side->setFixedWidth(LargeSide + 24);

    auto *filters = new QHBoxLayout;
    filters->addWidget(new QLabel(tr("Status"), this));
    filters->addWidget(m_status);
    filters->addSpacing(12);
    filters->addWidget(new QLabel(tr("Source"), this));
    filters->addWidget(m_source);
    filters->addStretch(1);
    for (storage::ImageStatus status :
         {storage::ImageStatus::Incoming, storage::ImageStatus::Labelled,
          storage::ImageStatus::Approved}) {
        auto *legend = new QLabel(this);
        legend->setText(
            QStringLiteral("<span style='color:%1'>&#9644;</span> %2")
                .arg(ImageTileDelegate::statusColour(status).name(), storage::toString(status)));
        filters->addWidget(legend);
    }
    filters->addSpacing(12);
    filters->addWidget(m_count);

    auto *splitter = new QSplitter(this);
    splitter->addWidget(m_pages);
    splitter->addWidget(side);
    splitter->setStretchFactor(0, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(filters);
    layout->addWidget(m_message);
    layout->addWidget(splitter, 1);

    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(this, &ImageBrowserView::requestList, m_worker, &ImageBrowserWorker::loadList);
    connect(this, &ImageBrowserView::requestPixels, m_worker, &ImageBrowserWorker::loadPixels);
    connect(this, &ImageBrowserView::requestDetails, m_worker, &ImageBrowserWorker::loadDetails);
    connect(m_worker, &ImageBrowserWorker::listReady, this,
            [this](quint64 request, const std::vector<storage::ImageSummary> &images,
                   const QStringList &sources) {
                guard([&] { handleListLoaded(request, images, sources); });
            });
    connect(m_worker, &ImageBrowserWorker::listFailed, this,
            [this](quint64 request, const QString &reason) {
                guard([&] { handleListFailed(request, reason); });
            });
    connect(m_worker, &ImageBrowserWorker::pixelsReady, this,
            [this](const QHash<qint64, QByteArray> &pixels) {
                guard([&] { m_model->addPixels(pixels); });
            });
    connect(m_worker, &ImageBrowserWorker::pixelsFailed, this,
            [this](const QList<qint64> &imageIds, const QString &reason) {
                guard([&] {
                    m_model->dropPixels(imageIds);
                    showError(tr("Thumbnails could not be loaded: %1").arg(reason));
                });
            });
    connect(m_worker, &ImageBrowserWorker::detailsReady, this,
            [this](qint64 imageId, const storage::ImageDetails &image) {
                guard([&] { handleDetails(imageId, image); });
            });
    connect(m_worker, &ImageBrowserWorker::detailsMissing, this,
            [this](qint64 imageId) { guard([&] { handleDetailsMissing(imageId); }); });
    connect(m_worker, &ImageBrowserWorker::detailsFailed, this,
            [this](qint64 imageId, const QString &reason) {
                guard([&] { handleDetailsFailed(imageId, reason); });
            });
    connect(m_originalWatcher, &QFutureWatcherBase::finished, this,
            [this] { guard([&] { handleOriginalLoaded(); }); });
    connect(m_status, &QComboBox::currentIndexChanged, this, [this] { guard([&] { reload(); }); });
    connect(m_source, &QComboBox::currentIndexChanged, this, [this] { guard([&] { reload(); }); });
    connect(m_list->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this] { guard([&] { handleCurrentChanged(); }); });
    m_thread.setObjectName(QStringLiteral("image browser worker"));
    m_thread.start();
    reload();
}

ImageBrowserView::~ImageBrowserView()
{
    m_thread.quit();
    m_thread.wait();
}

template <typename Action> void ImageBrowserView::guard(Action &&action)
{
    guardSlot(std::forward<Action>(action), [this](const QString &text) { showError(text); });
}

void ImageBrowserView::showError(const QString &text)
{
    m_message->setText(text);
    m_message->show();
}

bool ImageBrowserView::isLoading() const
{
    return m_loading;
}

qint64 ImageBrowserView::currentImageId() const
{
    const QModelIndex current = m_list->currentIndex();
    return current.isValid() ? current.data(ImageListModel::ImageIdRole).toLongLong() : 0;
}

storage::ImageFilter ImageBrowserView::currentFilter() const
{
    storage::ImageFilter filter;
    if (m_status->currentIndex() > 0) {
        filter.status = static_cast<storage::ImageStatus>(m_status->currentData().toInt());
    }
    if (m_source->currentIndex() > 0) {
        filter.source = m_source->currentText();
    }
    return filter;
}

void ImageBrowserView::refillSources(const QStringList &sources)
{
    const QString current = m_source->currentIndex() > 0 ? m_source->currentText() : QString();
    const QSignalBlocker blocker(m_source);
    m_source->clear();
    m_source->addItem(tr("All sources"));
    for (const QString &source : sources) {
        m_source->addItem(source);
        m_source->setItemData(m_source->count() - 1, source, Qt::ToolTipRole);
    }
    const int index = current.isEmpty() ? 0 : m_source->findText(current);
    m_source->setCurrentIndex(index > 0 ? index : 0);
}

void ImageBrowserView::reload()
{
    if (m_loading) {
        m_reloadPending = true; // the newest filter wins once the running load ends
        return;
    }
    m_reloadPending = false;
    m_loading = true;
    m_listFilter = currentFilter();
    m_count->setText(tr("Loading…"));
    Q_EMIT requestList(++m_listRequest, m_listFilter);
}

void ImageBrowserView::handleListFailed(quint64 request, const QString &reason)
{
    if (request != m_listRequest) {
        return;
    }
    m_loading = false;
    m_count->setText(tr("Not loaded"));
    showError(tr("The images could not be loaded: %1").arg(reason));
    if (m_reloadPending) {
        reload();
    }
}

void ImageBrowserView::handleListLoaded(quint64 request,
                                        const std::vector<storage::ImageSummary> &images,
                                        const QStringList &sources)
{
    if (request != m_listRequest) {
        return;
    }
    m_loading = false;
    refillSources(sources);
    // A newer filter was chosen meanwhile, or the source chosen has no images left.
    if (m_reloadPending || !sameFilter(currentFilter(), m_listFilter)) {
        reload();
        return;
    }
    m_message->clear();
    m_message->hide();
    const int count = static_cast<int>(images.size());
    m_model->setImages(images);
    const bool filtered = m_status->currentIndex() > 0 || m_source->currentIndex() > 0;
    m_count->setText(tr("%n image(s)", nullptr, count));
    if (count == 0) {
        m_empty->setText(filtered ? tr("No image matches these filters.")
                                  : tr("No images yet.\nImport scans, MNIST IDX or CSV files with "
                                       "File → Import (Ctrl+I)."));
        m_pages->setCurrentWidget(m_empty);
    } else {
        m_pages->setCurrentWidget(m_list);
        m_list->setCurrentIndex(m_model->index(0));
    }
    handleCurrentChanged();
    Q_EMIT loaded(count);
}

void ImageBrowserView::handleCurrentChanged()
{
    const qint64 id = currentImageId();
    m_image->clear();
    m_original->clear();
    m_original->hide();
    m_originalCaption->hide();
    m_originalFor = 0; // a scan still being decoded is dropped when it arrives
    m_originalNext.reset();
    m_detailsFor = id;
    if (id == 0) {
        m_details->clear();
        return;
    }
    // The tile's pixels when they are here: arrow keys move through the grid without waiting.
    if (const QImage tile = m_model->cachedThumbnail(m_list->currentIndex().row());
        !tile.isNull()) {
        m_image->setPixmap(QPixmap::fromImage(tile).scaled(
            LargeSide, LargeSide, Qt::KeepAspectRatio, Qt::FastTransformation));
    }
    m_details->setText(tr("<b>#%1</b><br>Loading…").arg(id));
    Q_EMIT requestDetails(id);
}

void ImageBrowserView::handleDetails(qint64 imageId, const storage::ImageDetails &image)
{
    if (imageId != m_detailsFor) {
        return; // the selection moved on
    }
    m_detailsFor = 0;
    m_image->setPixmap(
        QPixmap::fromImage(ImageListModel::toImage(image.pixels))
            .scaled(LargeSide, LargeSide, Qt::KeepAspectRatio, Qt::FastTransformation));
    const QString label = !image.label                 ? tr("none")
                          : image.label->isNotADigit() ? tr("not a digit")
                                                       : image.label->text();
    m_details->setText(tr("<b>#%1</b><br>Status: %2<br>Label: %3<br>Source: %4<br>%5"
                          "Imported %6<br>by %7<br><small>SHA-256 %8</small>")
                           .arg(image.id)
                           .arg(storage::toString(image.status), label,
                                image.source.toHtmlEscaped(),
                                image.originalName.isEmpty()
                                    ? QString()
                                    : tr("File: %1<br>").arg(image.originalName.toHtmlEscaped()),
                                image.importedAt.toLocalTime().toString(Qt::ISODate),
                                image.importedBy.toHtmlEscaped(), image.sha256.left(16)));
    if (!image.originalSha256.isEmpty()) {
        loadOriginal(imageId, image.originalSha256);
    }
}

void ImageBrowserView::handleDetailsMissing(qint64 imageId)
{
    if (imageId == m_detailsFor) {
        m_detailsFor = 0;
        m_details->setText(tr("Image #%1 is gone.").arg(imageId));
    }
}

void ImageBrowserView::handleDetailsFailed(qint64 imageId, const QString &reason)
{
    if (imageId == m_detailsFor) {
        m_detailsFor = 0;
        m_details->setText(tr("Image #%1 could not be loaded.").arg(imageId));
        showError(tr("Image #%1 could not be loaded: %2").arg(imageId).arg(reason));
    }
}

void ImageBrowserView::loadOriginal(qint64 imageId, const QString &sha256)
{
    m_originalFor = imageId;
    m_originalCaption->show();
    m_original->setText(tr("Loading the original scan…"));
    m_original->show();
    if (m_originalWatcher->isRunning()) {
        m_originalNext = {imageId, sha256};
        return;
    }
    // Decoded in the thread pool at no more than twice the size shown; the blob store is
    // copied (it is a folder's name), so the decoding never outlives what it reads from.
    m_originalWatcher->setFuture(QtConcurrent::run(originalScanPool(), loadOriginalScan,
                                                   m_workspace.blobs(), imageId, sha256,
                                                   QSize(2 * LargeSide, 2 * LargeSide)));
}

void ImageBrowserView::handleOriginalLoaded()
{
    const OriginalScan scan = m_originalWatcher->result();
    if (m_originalNext) {
        const auto [imageId, sha256] = *m_originalNext;
        m_originalNext.reset();
        if (imageId != scan.imageId) {
            loadOriginal(imageId, sha256);
        }
    }
    if (scan.imageId != m_originalFor) {
        return;
    }
    m_originalFor = 0;
    if (scan.image.isNull()) {
        m_original->setText(tr("Not shown"));
        showError(tr("The original scan of image #%1 cannot be shown: %2")
                      .arg(scan.imageId)
                      .arg(scan.problem));
        return;
    }
    m_original->setPixmap(
        QPixmap::fromImage(scan.image)
            .scaled(LargeSide, LargeSide, Qt::KeepAspectRatio, Qt::SmoothTransformation));
}

} // namespace digitdesk::ui
