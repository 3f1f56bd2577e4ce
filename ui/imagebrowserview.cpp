#include "ui/imagebrowserview.h"

#include "storage/connection.h"
#include "storage/workspace.h"
#include "ui/imagelistmodel.h"
#include "ui/imagetiledelegate.h"

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

std::vector<storage::ImageSummary> loadList(const QString &databasePath,
                                            const storage::ImageFilter &filter)
{
    // A worker thread gets its own connection: connections are never shared by threads.
    const storage::Connection connection(databasePath);
    return storage::ImageRepository(connection.db()).list(filter);
}

} // namespace

ImageBrowserView::ImageBrowserView(const storage::Workspace &workspace, QWidget *parent)
    : QWidget(parent), m_workspace(workspace),
      m_model(new ImageListModel(
          [&workspace](const std::vector<qint64> &ids) {
              return storage::ImageRepository(workspace.db()).pixels(ids);
          },
          this)),
      m_status(new QComboBox(this)), m_source(new QComboBox(this)), m_count(new QLabel(this)),
      m_pages(new QStackedWidget(this)), m_list(new QListView(this)), m_empty(new QLabel(this)),
      m_image(new QLabel(this)), m_original(new QLabel(this)), m_details(new QLabel(this)),
      m_watcher(new QFutureWatcher<std::vector<storage::ImageSummary>>(this))
{
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
    m_count->setObjectName(QStringLiteral("imageCount"));

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
    layout->addWidget(splitter, 1);

    connect(m_status, &QComboBox::currentIndexChanged, this, &ImageBrowserView::reload);
    connect(m_source, &QComboBox::currentIndexChanged, this, &ImageBrowserView::reload);
    connect(m_watcher, &QFutureWatcherBase::finished, this, &ImageBrowserView::handleListLoaded);
    connect(m_list->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &ImageBrowserView::handleCurrentChanged);
    refillSources();
    reload();
}

bool ImageBrowserView::isLoading() const
{
    return m_loading;
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

void ImageBrowserView::refillSources()
{
    const QString current = m_source->currentIndex() > 0 ? m_source->currentText() : QString();
    const QSignalBlocker blocker(m_source);
    m_source->clear();
    m_source->addItem(tr("All sources"));
    for (const QString &source : storage::ImageRepository(m_workspace.db()).sources()) {
        m_source->addItem(source);
        m_source->setItemData(m_source->count() - 1, source, Qt::ToolTipRole);
    }
    const int index = m_source->findText(current);
    m_source->setCurrentIndex(index > 0 ? index : 0);
}

void ImageBrowserView::reload()
{
    if (m_watcher->isRunning()) {
        m_reloadPending = true; // the newest filter wins once the running load ends
        return;
    }
    m_reloadPending = false;
    m_loading = true;
    refillSources();
    m_count->setText(tr("Loading…"));
    m_watcher->setFuture(QtConcurrent::run(loadList, m_workspace.databasePath(), currentFilter()));
}

void ImageBrowserView::handleListLoaded()
{
    if (m_reloadPending) {
        reload();
        return;
    }
    std::vector<storage::ImageSummary> images = m_watcher->result();
    const int count = static_cast<int>(images.size());
    m_model->setImages(std::move(images));
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
    m_loading = false;
    Q_EMIT loaded(count);
}

void ImageBrowserView::handleCurrentChanged()
{
    const QModelIndex current = m_list->currentIndex();
    m_image->clear();
    m_original->clear();
    m_original->hide();
    m_originalCaption->hide();
    if (!current.isValid()) {
        m_details->clear();
        return;
    }
    const qint64 id = current.data(ImageListModel::ImageIdRole).toLongLong();
    const auto image = storage::ImageRepository(m_workspace.db()).details(id);
    if (!image) {
        m_details->setText(tr("Image #%1 is gone.").arg(id));
        return;
    }
    m_image->setPixmap(
        QPixmap::fromImage(ImageListModel::toImage(image->pixels))
            .scaled(LargeSide, LargeSide, Qt::KeepAspectRatio, Qt::FastTransformation));
    if (!image->originalSha256.isEmpty() && m_workspace.blobs().contains(image->originalSha256)) {
        QPixmap original;
        original.loadFromData(m_workspace.blobs().read(image->originalSha256));
        if (!original.isNull()) {
            m_original->setPixmap(original.scaled(LargeSide, LargeSide, Qt::KeepAspectRatio,
                                                  Qt::SmoothTransformation));
            m_original->show();
            m_originalCaption->show();
        }
    }
    const QString label = image->label >= 0    ? QString::number(image->label)
                          : image->label == -2 ? tr("not a digit")
                                               : tr("none");
    m_details->setText(tr("<b>#%1</b><br>Status: %2<br>Label: %3<br>Source: %4<br>%5"
                          "Imported %6<br>by %7<br><small>SHA-256 %8</small>")
                           .arg(image->id)
                           .arg(storage::toString(image->status), label,
                                image->source.toHtmlEscaped(),
                                image->originalName.isEmpty()
                                    ? QString()
                                    : tr("File: %1<br>").arg(image->originalName.toHtmlEscaped()),
                                image->importedAt.toLocalTime().toString(Qt::ISODate),
                                image->importedBy.toHtmlEscaped(), image->sha256.left(16)));
}

} // namespace digitdesk::ui
