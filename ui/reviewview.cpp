#include "ui/reviewview.h"

#include "ui/appearance.h"
#include "ui/imagelistmodel.h"
#include "ui/kappatablemodel.h"
#include "ui/plainlabel.h"
#include "ui/reviewworker.h"
#include "ui/slotguard.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QKeyEvent>
#include <QLabel>
#include <QTableView>
#include <QVBoxLayout>

namespace digitdesk::ui {
namespace {

constexpr int ImageSide = 280;
constexpr int RetryMs = 2'000;

const QString ErrorStyle =
    QStringLiteral("color: white; background: #b00020; padding: 6px; font-weight: bold;");
QString noticeStyleWithPadding()
{
    return noticeStyle(Notice::Attention) + QStringLiteral(" padding: 6px;");
}

QString labelText(storage::Label label)
{
    return label.isDigit() ? label.text() : QObject::tr("not a digit");
}

QString helpText()
{
    return QObject::tr("Review keys\n"
                       "Enter or a: approve the label\n"
                       "0 - 9: correct it to that digit and approve (the annotator's own digit"
                       " approves it as it is)\n"
                       "g: approve and make it a gold item\n"
                       "r: reject and send it back, with an optional comment\n"
                       "Backspace or Ctrl+Z: undo your last decision\n"
                       "F1 or ?: show or hide these keys");
}

} // namespace

ReviewView::ReviewView(ReviewServiceFactory services, annotation::Principal who, QWidget *parent)
    : QWidget(parent), m_worker(new ReviewWorker(std::move(services), std::move(who))),
      m_image(new QLabel(this)), m_labels(new QLabel(this)),
      m_rejectedBefore(plainLabel(QStringLiteral("rejectedBefore"), this)),
      m_suspectedError(plainLabel(QStringLiteral("suspectedError"), this)),
      m_history(plainLabel(QStringLiteral("history"), this)),
      m_message(plainLabel(QStringLiteral("message"), this)),
      m_help(plainLabel(QStringLiteral("help"), this)), m_figures(new QLabel(this)),
      m_kappaModel(new KappaTableModel(this)), m_kappaTable(new QTableView(this)),
      m_kappaEmpty(plainLabel(QStringLiteral("kappaEmpty"), this))
{
    qRegisterMetaType<annotation::ReviewItem>();
    qRegisterMetaType<annotation::QualityReport>();
    qRegisterMetaType<storage::Label>();
    setFocusPolicy(Qt::StrongFocus);
    m_image->setFixedSize(ImageSide, ImageSide);
    m_image->setAlignment(Qt::AlignCenter);
    m_image->setStyleSheet(QStringLiteral("background: black; color: #bbb;"));
    m_labels->setObjectName(QStringLiteral("labels"));
    m_labels->setTextFormat(Qt::RichText); // every name in it is escaped
    m_rejectedBefore->setStyleSheet(noticeStyleWithPadding());
    m_rejectedBefore->hide();
    m_suspectedError->setStyleSheet(noticeStyle(Notice::Caution) +
                                    QStringLiteral(" padding: 6px;"));
    m_suspectedError->hide();
    m_help->setText(helpText());
    m_help->setStyleSheet(noticeStyle(Notice::Help) + QStringLiteral(" padding: 8px;"));
    m_help->hide();
    m_figures->setObjectName(QStringLiteral("figures"));
    m_figures->setTextFormat(Qt::RichText); // every name in it is escaped
    m_kappaTable->setObjectName(QStringLiteral("kappaTable"));
    m_kappaTable->setModel(m_kappaModel);
    m_kappaTable->setFocusPolicy(Qt::NoFocus); // keys belong to the review
    m_kappaTable->setSelectionMode(QAbstractItemView::NoSelection);
    m_kappaTable->verticalHeader()->hide();
    m_kappaTable->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    // Neither until the figures arrive.
    m_kappaTable->hide();
    m_kappaEmpty->hide();
    m_kappaEmpty->setText(
        tr("No two annotators have labelled the same image yet, so there is no"
           " kappa to show. Set queue.overlap to 2 or more to get shared items."));

    auto *side = new QVBoxLayout;
    side->addWidget(m_labels);
    side->addWidget(m_rejectedBefore);
    side->addWidget(m_suspectedError);
    side->addWidget(m_history);
    side->addStretch(1);
    auto *top = new QHBoxLayout;
    top->addWidget(m_image);
    top->addLayout(side, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_message);
    layout->addWidget(m_help);
    layout->addWidget(new QLabel(tr("F1 or ? shows the keys"), this));
    layout->addWidget(m_figures);
    layout->addWidget(new QLabel(tr("<b>Cohen's kappa on shared items</b>"), this));
    layout->addWidget(m_kappaTable, 1);
    layout->addWidget(m_kappaEmpty);

    m_comment = [this]() -> std::optional<QString> {
        bool ok = false;
        const QString text =
            QInputDialog::getText(this, tr("Reject"), tr("Comment for the annotator (optional):"),
                                  QLineEdit::Normal, {}, &ok);
        return ok ? std::optional<QString>(text) : std::nullopt;
    };

    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(this, &ReviewView::requestNext, m_worker, &ReviewWorker::fetchNext);
    connect(this, &ReviewView::requestFigures, m_worker, &ReviewWorker::fetchFigures);
    connect(this, &ReviewView::requestApprove, m_worker, &ReviewWorker::approve);
    connect(this, &ReviewView::requestCorrect, m_worker, &ReviewWorker::correct);
    connect(this, &ReviewView::requestApproveAsGold, m_worker, &ReviewWorker::approveAsGold);
    connect(this, &ReviewView::requestReject, m_worker, &ReviewWorker::reject);
    connect(this, &ReviewView::requestUndo, m_worker, &ReviewWorker::undo);
    connect(m_worker, &ReviewWorker::itemReady, this,
            [this](const annotation::ReviewItem &item) { guard([&] { handleItem(item); }); });
    connect(m_worker, &ReviewWorker::decided, this,
            [this](qint64 imageId) { guard([&] { handleDecided(imageId); }); });
    connect(m_worker, &ReviewWorker::nothingToReview, this,
            [this] { guard([&] { handleNothingToReview(); }); });
    connect(m_worker, &ReviewWorker::fetchFailed, this,
            [this](const QString &reason) { guard([&] { handleFetchFailure(reason); }); });
    connect(
        m_worker, &ReviewWorker::figuresReady, this,
        [this](const annotation::QualityReport &report) { guard([&] { handleFigures(report); }); });
    connect(m_worker, &ReviewWorker::figuresFailed, m_figures, [this](const QString &reason) {
        guard([&] { m_figures->setText(reason.toHtmlEscaped()); });
    });
    connect(m_worker, &ReviewWorker::failed, this,
            [this](const QString &reason) { guard([&] { handleFailure(reason); }); });
    connect(m_worker, &ReviewWorker::undone, this,
            [this](qint64 imageId) { guard([&] { handleUndone(imageId); }); });
    connect(m_worker, &ReviewWorker::undoRefused, this,
            [this](const QString &reason) { guard([&] { handleUndoRefused(reason); }); });
    m_retry.setSingleShot(true);
    m_retry.setInterval(RetryMs);
    connect(&m_retry, &QTimer::timeout, this, [this] {
        guard([&] {
            if (!m_current) {
                loadNext();
            }
        });
    });
    m_thread.setObjectName(QStringLiteral("review worker"));
    m_thread.start();
}

ReviewView::~ReviewView()
{
    m_thread.quit();
    m_thread.wait();
}

template <typename Action> void ReviewView::guard(Action &&action)
{
    guardSlot(std::forward<Action>(action),
              [this](const QString &text) { showMessage(text, ErrorStyle); });
}

void ReviewView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    guard([&] {
        if (!m_started) {
            loadNext();
        }
        setFocus();
    });
}

void ReviewView::loadNext()
{
    if (m_busy) {
        return;
    }
    m_busy = true;
    Q_EMIT requestNext();
    if (!m_started) {
        m_started = true;
        Q_EMIT requestFigures();
    }
}

void ReviewView::handleFigures(const annotation::QualityReport &report)
{
    const auto percent = [](double value) {
        return value < 0 ? QStringLiteral("–") : QStringLiteral("%1%").arg(value * 100, 0, 'f', 1);
    };
    QString html =
        tr("<b>Annotators</b><table cellspacing='8'><tr><th align='left'>name</th><th>labels</th>"
           "<th>reviewed</th><th>agreement with reviewers</th><th>gold answered</th><th>gold "
           "accuracy</th></tr>");
    for (const annotation::AnnotatorQuality &row : report.annotators) {
        html += QStringLiteral("<tr><td>%1</td><td align='right'>%2</td><td "
                               "align='right'>%3</td><td align='right'>%4</td>"
                               "<td align='right'>%5</td><td align='right'>%6</td></tr>")
                    .arg(row.name.toHtmlEscaped())
                    .arg(row.labels)
                    .arg(row.reviewed)
                    .arg(percent(row.agreementWithReviewers))
                    .arg(row.goldAnswered)
                    .arg(percent(row.goldAccuracy));
    }
    html += QStringLiteral("</table>");
    m_figures->setText(html);
    m_kappaModel->setPairs(report.pairs);
    m_kappaTable->setVisible(!report.pairs.empty());
    m_kappaEmpty->setVisible(report.pairs.empty());
}

void ReviewView::handleItem(const annotation::ReviewItem &item)
{
    m_busy = false;
    m_ignoredKeys = 0;
    m_retry.stop();
    m_current = item;
    m_image->setPixmap(
        QPixmap::fromImage(ImageListModel::toImage(item.pixels))
            .scaled(ImageSide, ImageSide, Qt::KeepAspectRatio, Qt::FastTransformation));
    QStringList labels;
    for (const annotation::ReviewLabel &label : item.labels) {
        const bool disagrees = item.predictedLabel >= 0 &&
                               label.label != storage::Label::fromDigit(item.predictedLabel);
        labels << tr("<span style='font-size:22pt'><b>%1</b></span> by %2%3")
                      .arg(labelText(label.label), label.annotator.toHtmlEscaped(),
                           disagrees ? tr(" <span style='color:%1'>(model says %2)</span>")
                                           .arg(toneColor(Tone::Error).name())
                                           .arg(item.predictedLabel)
                                     : QString());
    }
    m_labels->setText(labels.join(QStringLiteral("<br>")));
    m_rejectedBefore->setText(item.rejectedBefore.isEmpty()
                                  ? QString()
                                  : tr("Rejected before by %1").arg(item.rejectedBefore));
    m_rejectedBefore->setVisible(!item.rejectedBefore.isEmpty());
    if (item.suspectedError) {
        const annotation::SuspectedErrorMark &mark = *item.suspectedError;
        m_suspectedError->setText(
            tr("Suspected label error (data check of %1): given %2, likely %3 with confidence "
               "%4%. Approved before by %5; correct it, reject it, or approve it as it is.")
                .arg(mark.checkedVersion)
                .arg(mark.givenLabel)
                .arg(mark.suspectedLabel)
                .arg(mark.confidence * 100, 0, 'f', 1)
                .arg(mark.previousReviewer));
    }
    m_suspectedError->setVisible(item.suspectedError.has_value());
    m_history->setText(item.history.join(QLatin1Char('\n')));
}

void ReviewView::handleDecided(qint64 imageId)
{
    // Still on screen until the next one arrives, but decided: no key applies to it now.
    if (m_current && m_current->imageId == imageId) {
        m_current.reset();
    }
}

void ReviewView::handleFetchFailure(const QString &reason)
{
    m_busy = false;
    showMessage(tr("The next image could not be loaded: %1. Trying again shortly.").arg(reason),
                ErrorStyle);
    if (!m_current) {
        m_retry.start();
    }
}

void ReviewView::handleNothingToReview()
{
    m_busy = false;
    m_retry.stop();
    m_current.reset();
    m_image->clear();
    m_image->setText(tr("Nothing to review"));
    m_labels->setText(tr("Every labelled image is reviewed, or was labelled by you."));
    m_rejectedBefore->clear();
    m_rejectedBefore->hide();
    m_suspectedError->hide();
    m_history->clear();
}

void ReviewView::showMessage(const QString &text, const QString &style)
{
    m_message->setStyleSheet(style);
    m_message->setText(text);
}

void ReviewView::handleFailure(const QString &reason)
{
    m_busy = false;
    showMessage(tr("Not saved: %1").arg(reason), ErrorStyle);
}

void ReviewView::handleUndone(qint64 imageId)
{
    showMessage(tr("Undone: image %1 waits for your review again.").arg(imageId), {});
}

void ReviewView::handleUndoRefused(const QString &reason)
{
    m_busy = false;
    showMessage(tr("Not undone: %1").arg(reason), noticeStyleWithPadding());
}

bool ReviewView::startDecision()
{
    if (m_busy || !m_current) {
        return false;
    }
    m_busy = true;
    showMessage({}, {});
    return true;
}

void ReviewView::keyPressEvent(QKeyEvent *event)
{
    guard([&] { handleKey(event); });
}

void ReviewView::handleKey(QKeyEvent *event)
{
    const int key = event->key();
    if (key == Qt::Key_F1 || key == Qt::Key_Question) {
        m_help->setVisible(!m_help->isVisible());
    } else if (key == Qt::Key_Backspace || event->matches(QKeySequence::Undo)) {
        if (!m_busy) {
            m_busy = true;
            Q_EMIT requestUndo();
        }
    } else if (event->modifiers().testFlag(Qt::ControlModifier) || !decideByKey(key)) {
        QWidget::keyPressEvent(event);
        return;
    }
    event->accept();
}

bool ReviewView::decideByKey(int key)
{
    const qint64 image = currentImageId();
    const bool decision = key == Qt::Key_Return || key == Qt::Key_Enter || key == Qt::Key_A ||
                          (key >= Qt::Key_0 && key <= Qt::Key_9) || key == Qt::Key_G ||
                          key == Qt::Key_R;
    if (decision && m_busy) {
        // Meant for the image on screen, which is decided or not there yet: applied to none.
        ++m_ignoredKeys;
        showMessage(
            tr("%n key(s) ignored: typed before the next image appeared.", nullptr, m_ignoredKeys),
            noticeStyleWithPadding());
        return true;
    }
    if (key == Qt::Key_Return || key == Qt::Key_Enter || key == Qt::Key_A) {
        if (startDecision()) {
            Q_EMIT requestApprove(image);
        }
    } else if (key >= Qt::Key_0 && key <= Qt::Key_9) {
        if (startDecision()) {
            Q_EMIT requestCorrect(image, storage::Label::fromDigit(key - Qt::Key_0));
        }
    } else if (key == Qt::Key_G) {
        if (startDecision()) {
            Q_EMIT requestApproveAsGold(image);
        }
    } else if (key == Qt::Key_R) {
        if (!m_busy && m_current) {
            if (const auto comment = m_comment(); comment && startDecision()) {
                Q_EMIT requestReject(image, *comment);
            }
        }
    } else {
        return false;
    }
    return true;
}

} // namespace digitdesk::ui
