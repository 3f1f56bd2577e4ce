#include "ui/datasetcheckspane.h"

#include "annotation/permission.h"
#include "ui/appearance.h"
#include "ui/datacheckreporttext.h"
#include "ui/plainlabel.h"
#include "ui/suspectlistmodel.h"

#include <QHBoxLayout>
#include <QItemSelectionModel>
#include <QLabel>
#include <QListView>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

namespace digitdesk::ui {
namespace {

// White on deep red keeps its contrast on light and dark palettes alike.
const QString ErrorStyle =
    QStringLiteral("color: white; background: #b00020; padding: 6px; font-weight: bold;");

} // namespace

DatasetChecksPane::DatasetChecksPane(const QString &databasePath, const QString &workspaceRoot,
                                     annotation::Principal who, QWidget *parent)
    : QWidget(parent), m_who(std::move(who)),
      m_worker(new DataCheckWorker(databasePath, workspaceRoot, m_who)),
      m_process(new DataCheckProcess(workspaceRoot, this)), m_model(new SuspectListModel(this)),
      m_run(new QPushButton(tr("R&un check"), this)),
      m_cancel(new QPushButton(tr("Cancel chec&k"), this)),
      m_sendSelected(new QPushButton(tr("Send selected to re&view"), this)),
      m_sendAll(new QPushButton(tr("Send a&ll to review"), this)),
      m_progress(new QProgressBar(this)),
      m_message(plainLabel(QStringLiteral("checkMessage"), this)),
      m_summary(plainLabel(QStringLiteral("checkSummary"), this)), m_list(new QListView(this)),
      m_details(plainLabel(QStringLiteral("checkDetails"), this))
{
    qRegisterMetaType<DataCheckPage>();
    qRegisterMetaType<annotation::SentToReview>();
    qRegisterMetaType<QList<qint64>>();
    m_run->setObjectName(QStringLiteral("runCheckButton"));
    m_cancel->setObjectName(QStringLiteral("cancelCheckButton"));
    m_sendSelected->setObjectName(QStringLiteral("sendSelectedButton"));
    m_sendAll->setObjectName(QStringLiteral("sendAllButton"));
    m_run->setToolTip(tr("Train a few models on folds of this version and look for likely label "
                         "errors, near-duplicates, leakage, imbalance, drift and outliers (a "
                         "child process; Cancel stops it)"));
    m_sendSelected->setToolTip(tr("Return the selected suspects to the review queue, marked "
                                  "\"suspected label error\", for a reviewer other than the one "
                                  "who approved them"));
    m_progress->setObjectName(QStringLiteral("checkProgress"));
    m_progress->setRange(0, 1000);
    m_progress->hide();
    m_message->hide();
    m_summary->setText(tr("Select a version to see its data check."));
    m_list->setObjectName(QStringLiteral("suspectList"));
    m_list->setModel(m_model);
    m_list->setViewMode(QListView::IconMode);
    m_list->setResizeMode(QListView::Adjust);
    m_list->setMovement(QListView::Static);
    m_list->setUniformItemSizes(true);
    m_list->setIconSize(QSize(SuspectListModel::ThumbnailSide, SuspectListModel::ThumbnailSide));
    m_list->setGridSize(
        QSize(SuspectListModel::ThumbnailSide + 44, SuspectListModel::ThumbnailSide + 44));
    m_list->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_list->setAccessibleName(tr("Likely label errors"));

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_run);
    buttons->addWidget(m_cancel);
    buttons->addSpacing(16);
    buttons->addWidget(m_sendSelected);
    buttons->addWidget(m_sendAll);
    buttons->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(buttons);
    layout->addWidget(m_progress);
    layout->addWidget(m_message);
    layout->addWidget(m_summary);
    layout->addWidget(m_list, 1);
    layout->addWidget(m_details);
    setFocusProxy(m_list);

    connect(m_run, &QPushButton::clicked, this, &DatasetChecksPane::runCheck);
    connect(m_cancel, &QPushButton::clicked, this, &DatasetChecksPane::cancelCheck);
    connect(m_sendSelected, &QPushButton::clicked, this, &DatasetChecksPane::sendSelectedToReview);
    connect(m_sendAll, &QPushButton::clicked, this, &DatasetChecksPane::sendAllToReview);
    connect(m_list->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &DatasetChecksPane::updateButtons);
    connect(m_process, &DataCheckProcess::progressed, this,
            [this](double done, const QString &text) {
                m_progress->setValue(static_cast<int>(done * 1000));
                m_progress->setFormat(QStringLiteral("%1 — %p%").arg(text));
            });
    connect(m_process, &DataCheckProcess::ended, this, &DatasetChecksPane::handleEnded);

    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(this, &DatasetChecksPane::requestLoad, m_worker, &DataCheckWorker::load);
    connect(this, &DatasetChecksPane::requestSend, m_worker, &DataCheckWorker::sendToReview);
    connect(m_worker, &DataCheckWorker::loaded, this, &DatasetChecksPane::handleLoaded);
    connect(m_worker, &DataCheckWorker::loadFailed, this,
            [this](const QString &tag, const QString &reason) {
                if (tag == m_tag) {
                    showMessage(tr("The check of %1 could not be read: %2").arg(tag, reason), true);
                    Q_EMIT checkShown();
                }
            });
    connect(m_worker, &DataCheckWorker::sent, this, &DatasetChecksPane::handleSent);
    connect(m_worker, &DataCheckWorker::sendFailed, this, [this](const QString &reason) {
        m_sending = false;
        updateButtons();
        showMessage(tr("Nothing was sent to review: %1").arg(reason), true);
        Q_EMIT sendFinished(false);
    });
    m_thread.setObjectName(QStringLiteral("data check worker"));
    m_thread.start();
    updateButtons();
}

DatasetChecksPane::~DatasetChecksPane()
{
    m_thread.quit();
    m_thread.wait();
}

void DatasetChecksPane::setVersion(const QString &tag)
{
    if (tag == m_tag) {
        return;
    }
    m_tag = tag;
    m_checkId = 0;
    m_model->clear();
    m_details->clear();
    m_message->hide();
    if (tag.isEmpty()) {
        m_summary->setText(tr("Select a version to see its data check."));
    } else {
        m_summary->setText(tr("Reading the check of %1…").arg(tag));
        Q_EMIT requestLoad(tag);
    }
    updateButtons();
}

void DatasetChecksPane::runCheck()
{
    if (m_tag.isEmpty() || !annotation::isAllowed(m_who.role, annotation::Action::RunDataCheck)) {
        return;
    }
    QString error;
    if (!m_process->start(m_tag, &error)) {
        showMessage(tr("The check did not start: %1").arg(error), true);
        return;
    }
    m_message->hide();
    m_progress->setValue(0);
    m_progress->setFormat(tr("Starting the check of %1…").arg(m_tag));
    m_progress->show();
    updateButtons();
}

void DatasetChecksPane::cancelCheck()
{
    m_process->cancel();
}

void DatasetChecksPane::handleEnded(DataCheckProcess::Outcome outcome, qint64 checkId,
                                    const QString &message)
{
    m_progress->hide();
    const QString tag = m_process->tag();
    if (outcome == DataCheckProcess::Outcome::Finished) {
        showMessage(tr("Check %1 of %2 finished.").arg(checkId).arg(tag), false);
    } else if (outcome == DataCheckProcess::Outcome::Cancelled) {
        showMessage(message, false);
    } else {
        showMessage(tr("The check of %1 failed: %2").arg(tag, message), true);
    }
    if (outcome == DataCheckProcess::Outcome::Finished && tag == m_tag) {
        Q_EMIT requestLoad(m_tag);
    }
    updateButtons();
    Q_EMIT checkEnded(outcome);
}

void DatasetChecksPane::handleLoaded(const DataCheckPage &page)
{
    if (page.tag != m_tag) {
        return; // the user has moved on to another version
    }
    m_checkId = page.check ? page.check->record.id : 0;
    m_summary->setText(checkSummaryText(page));
    m_details->setText(checkDetailsText(page));
    m_model->setSuspects(page.suspects, page.pixels);
    if (m_model->rowCount() > 0) {
        m_list->setCurrentIndex(m_model->index(0));
    }
    updateButtons();
    Q_EMIT checkShown();
}

void DatasetChecksPane::sendSelectedToReview()
{
    QList<qint64> ids;
    for (const QModelIndex &index : m_list->selectionModel()->selectedIndexes()) {
        ids << index.data(SuspectListModel::SuspectIdRole).toLongLong();
    }
    if (!ids.isEmpty()) {
        send(ids);
    }
}

void DatasetChecksPane::sendAllToReview()
{
    send({});
}

void DatasetChecksPane::send(const QList<qint64> &ids)
{
    if (m_checkId == 0 || m_sending) {
        return;
    }
    m_sending = true;
    updateButtons();
    Q_EMIT requestSend(m_tag, m_checkId, ids);
}

void DatasetChecksPane::handleSent(const QString &tag, const annotation::SentToReview &result)
{
    m_sending = false;
    QString text = tr("%n suspect(s) sent to review", nullptr, result.sent);
    if (result.alreadySent > 0) {
        text += tr("; %1 already there or sent before").arg(result.alreadySent);
    }
    if (result.notApproved > 0) {
        text += tr("; %1 no longer approved").arg(result.notApproved);
    }
    if (result.notInWorkspace > 0) {
        text += tr("; %1 not in this workspace").arg(result.notInWorkspace);
    }
    showMessage(text + QLatin1Char('.'), false);
    if (tag == m_tag) {
        Q_EMIT requestLoad(m_tag);
    }
    updateButtons();
    Q_EMIT sendFinished(true);
}

void DatasetChecksPane::updateButtons()
{
    using annotation::Action;
    const bool running = m_process->isRunning();
    const bool mayRun = annotation::isAllowed(m_who.role, Action::RunDataCheck);
    const bool maySend = annotation::isAllowed(m_who.role, Action::SendToReview);
    m_run->setEnabled(mayRun && !running && !m_tag.isEmpty());
    m_run->setToolTip(mayRun ? m_run->toolTip()
                             : tr("Running a data check needs the ml_engineer, ml_qa or admin "
                                  "role; yours is %1.")
                                   .arg(annotation::toString(m_who.role)));
    m_cancel->setEnabled(running);
    const bool canSend = maySend && m_checkId > 0 && !m_sending && m_model->rowCount() > 0;
    m_sendAll->setEnabled(canSend);
    m_sendSelected->setEnabled(canSend && m_list->selectionModel()->hasSelection());
}

void DatasetChecksPane::showMessage(const QString &text, bool error)
{
    m_message->setText(text);
    m_message->setStyleSheet(error ? ErrorStyle
                                   : toneStyle(Tone::Success) + QStringLiteral(" padding: 6px;"));
    m_message->show();
}

} // namespace digitdesk::ui
