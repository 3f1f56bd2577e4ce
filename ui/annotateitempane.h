#pragma once

#include "annotation/annotationservice.h"
#include "ui/originalscan.h"

#include <QFutureWatcher>
#include <QList>
#include <QWidget>

#include <optional>
#include <utility>

class QHBoxLayout;
class QLabel;
class QSpacerItem;

namespace digitdesk::storage {
class BlobStore;
}

namespace digitdesk::ui {

class AnnotateHistory;
class ScaledImageView;

// The annotate view's single-image screen: the image large (beside its original scan), the strip
// of what comes next, and the model's top three calibrated guesses. It shows what the view
// hands it; the view decides what and when.
class AnnotateItemPane final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AnnotateItemPane)

public:
    static constexpr int ImageSide = 336; // 28 x 12

    AnnotateItemPane(const storage::BlobStore &blobs, int stripLength, QWidget *parent = nullptr);

    // The strip moves on when its first image is the item now shown.
    void showItem(const annotation::QueueItem &item);
    void showLookingBack(const AnnotateHistory &history);
    void showEmpty();
    void setUpcoming(const QList<qint64> &imageIds, const QList<QByteArray> &pixels);
    // The original scan beside the digit, at its own resolution (never blown up), or not.
    void setScanVisible(bool on);
    bool isScanVisible() const;
    // Stretches the grey levels of the digit and its scan, for faint scans.
    void setContrastStretch(bool on);
    // The images the strip shows as coming next, in order.
    const QList<qint64> &upcomingImageIds() const { return m_stripIds; }

private:
    void showPrediction(const annotation::QueueItem &item);
    // A narrow scan column (and as much room on the other side, so the digit stays centred)
    // while there is no scan to show; half the width when there is one.
    void placeScan(bool hasScan);
    void showStrip();
    void loadOriginal(qint64 imageId, const QString &sha256);
    void handleOriginalLoaded();

    const storage::BlobStore &m_blobs;
    ScaledImageView *m_image;
    ScaledImageView *m_original;
    QHBoxLayout *m_images;
    QSpacerItem *m_balance;
    bool m_hasScan = false;
    // The scan is decoded in the thread pool, one at a time; the latest asked for waits.
    QFutureWatcher<OriginalScan> *m_originalWatcher;
    std::optional<std::pair<qint64, QString>> m_originalNext;
    qint64 m_scanWanted = 0; // the item shown, whose scan goes beside it when it arrives
    QLabel *m_prediction;
    QList<ScaledImageView *> m_strip;
    QList<qint64> m_stripIds;
    QList<QByteArray> m_stripPixels;
};

} // namespace digitdesk::ui
