#include "ui/annotateitempane.h"

#include "storage/blobstore.h"
#include "ui/annotatehistory.h"
#include "ui/imagelistmodel.h"
#include "ui/scaledimageview.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <array>
#include <numeric>

namespace digitdesk::ui {
namespace {

constexpr int StripTileSide = 56;
constexpr int NarrowScanWidth = 180;

} // namespace

AnnotateItemPane::AnnotateItemPane(const storage::BlobStore &blobs, int stripLength,
                                   QWidget *parent)
    : QWidget(parent), m_blobs(blobs),
      m_image(new ScaledImageView(ScaledImageView::Scaling::Pixelated, ImageSide, 84, this)),
      m_original(new ScaledImageView(ScaledImageView::Scaling::Smooth, ImageSide, 84, this)),
      m_originalWatcher(new QFutureWatcher<OriginalScan>(this)), m_prediction(new QLabel(this))
{
    m_image->setObjectName(QStringLiteral("currentImage"));
    m_original->setObjectName(QStringLiteral("currentScan"));
    m_prediction->setObjectName(QStringLiteral("prediction"));
    m_original->setUpscaling(false);
    m_prediction->setTextFormat(Qt::RichText);
    m_prediction->setWordWrap(true);
    m_prediction->setAlignment(Qt::AlignHCenter | Qt::AlignVCenter);
    connect(m_originalWatcher, &QFutureWatcherBase::finished, this,
            &AnnotateItemPane::handleOriginalLoaded);

    m_images = new QHBoxLayout;
    m_balance = new QSpacerItem(0, 0, QSizePolicy::Preferred, QSizePolicy::Minimum);
    m_images->addSpacerItem(m_balance);
    m_images->addWidget(m_image, 1);
    m_images->addWidget(m_original, 1);
    auto *strip = new QHBoxLayout;
    strip->addStretch(1);
    auto *next = new QLabel(tr("Next:"), this);
    next->setAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    strip->addWidget(next);
    for (int i = 0; i < stripLength; ++i) {
        auto *tile =
            new ScaledImageView(ScaledImageView::Scaling::Pixelated, StripTileSide, 16, this);
        tile->setObjectName(QStringLiteral("upcoming%1").arg(i));
        tile->setMaximumSize(StripTileSide, StripTileSide);
        tile->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Preferred);
        m_strip << tile;
        strip->addWidget(tile, 1);
    }
    strip->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(m_images, 1);
    placeScan(false);
    layout->addLayout(strip);
    layout->addWidget(m_prediction);
}

void AnnotateItemPane::showItem(const annotation::QueueItem &item)
{
    // The strip moves on at once: its first image is the one now on screen.
    if (!m_stripIds.isEmpty() && m_stripIds.front() == item.imageId) {
        m_stripIds.removeFirst();
        m_stripPixels.removeFirst();
        showStrip();
    }
    m_image->setImage(ImageListModel::toImage(item.pixels));
    m_original->clear();
    m_scanWanted = item.imageId;
    placeScan(!item.originalSha256.isEmpty());
    if (item.originalSha256.isEmpty()) {
        m_original->setPlaceholderText(
            tr("No original scan: this image arrived as 28 x 28 pixels."));
    } else {
        loadOriginal(item.imageId, item.originalSha256);
    }
    showPrediction(item);
}

void AnnotateItemPane::setScanVisible(bool on)
{
    m_original->setVisible(on);
    placeScan(m_hasScan);
}

void AnnotateItemPane::placeScan(bool hasScan)
{
    m_hasScan = hasScan;
    const bool narrow = !hasScan && !m_original->isHidden();
    m_original->setMaximumWidth(narrow ? NarrowScanWidth : QWIDGETSIZE_MAX);
    m_balance->changeSize(narrow ? NarrowScanWidth : 0, 0, QSizePolicy::Preferred,
                          QSizePolicy::Minimum);
    m_images->invalidate();
}

bool AnnotateItemPane::isScanVisible() const
{
    return !m_original->isHidden();
}

void AnnotateItemPane::setContrastStretch(bool on)
{
    m_image->setContrastStretch(on);
    m_original->setContrastStretch(on);
}

void AnnotateItemPane::showPrediction(const annotation::QueueItem &item)
{
    if (item.predictedLabel < 0) {
        m_prediction->setText(tr("No prediction for this image yet."));
        return;
    }
    std::array<int, 10> order{};
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](int a, int b) {
        return item.probabilities[static_cast<size_t>(a)] >
               item.probabilities[static_cast<size_t>(b)];
    });
    QStringList guesses;
    for (int i = 0; i < 3; ++i) {
        const int digit = order[static_cast<size_t>(i)];
        guesses << tr("<b style='font-size:20pt'>%1</b> %2%")
                       .arg(digit)
                       .arg(item.probabilities[static_cast<size_t>(digit)] * 100, 0, 'f', 1);
    }
    m_prediction->setText(tr("Model: ") + guesses.join(QStringLiteral(" &nbsp; ")));
}

void AnnotateItemPane::showLookingBack(const AnnotateHistory &history)
{
    const annotation::HistoryEntry &entry = history.entry();
    m_image->setImage(ImageListModel::toImage(entry.pixels));
    m_original->clear();
    m_scanWanted = 0;
    placeScan(false);
    const QString said =
        entry.decision.label.isDigit() ? entry.decision.label.text() : tr("not a digit");
    m_prediction->setText(
        tr("<b>Looking back</b>, %1 of %2: you said <b>%3</b>. %4")
            .arg(history.position())
            .arg(history.size())
            .arg(said,
                 entry.reviewed
                     ? tr("It has been reviewed and can no longer change.")
                     : tr("A digit or x changes it. Esc or Right past the newest comes back.")));
}

void AnnotateItemPane::showEmpty()
{
    m_stripIds.clear();
    m_stripPixels.clear();
    showStrip();
    m_image->setPlaceholderText(tr("Nothing to label"));
    m_original->clear();
    m_scanWanted = 0;
    placeScan(false);
    m_prediction->setText(
        tr("The queue is empty: every incoming image is labelled or on someone's screen."));
}

void AnnotateItemPane::setUpcoming(const QList<qint64> &imageIds, const QList<QByteArray> &pixels)
{
    m_stripIds = imageIds;
    m_stripPixels = pixels;
    showStrip();
}

void AnnotateItemPane::showStrip()
{
    for (qsizetype i = 0; i < m_strip.size(); ++i) {
        if (i < m_stripPixels.size()) {
            m_strip[i]->setImage(ImageListModel::toImage(m_stripPixels[i]));
        } else {
            m_strip[i]->clear();
        }
    }
}

void AnnotateItemPane::loadOriginal(qint64 imageId, const QString &sha256)
{
    m_original->setPlaceholderText(tr("Loading the original scan…"));
    if (m_originalWatcher->isRunning()) {
        m_originalNext = {imageId, sha256};
        return;
    }
    m_originalWatcher->setFuture(QtConcurrent::run(originalScanPool(), loadOriginalScan, m_blobs,
                                                   imageId, sha256,
                                                   QSize(2 * ImageSide, 2 * ImageSide)));
}

void AnnotateItemPane::handleOriginalLoaded()
{
    const OriginalScan scan = m_originalWatcher->result();
    if (m_originalNext) {
        const auto [imageId, sha256] = *std::exchange(m_originalNext, std::nullopt);
        if (imageId != scan.imageId) {
            loadOriginal(imageId, sha256);
        }
    }
    if (m_scanWanted != scan.imageId) {
        return;
    }
    if (scan.image.isNull()) {
        m_original->setPlaceholderText(scan.problem);
    } else {
        m_original->setImage(scan.image);
    }
}

} // namespace digitdesk::ui
