#include "ui/modelpredictionbar.h"

#include <QHBoxLayout>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>

namespace digitdesk::ui {

ModelPredictionBar::ModelPredictionBar(QWidget *parent)
    : QWidget(parent), m_repredict(new QPushButton(tr("Re-&predict waiting images"), this)),
      m_progress(new QProgressBar(this)), m_cancel(new QPushButton(tr("Cancel predictions"), this))
{
    m_repredict->setObjectName(QStringLiteral("repredictWaiting"));
    m_progress->setObjectName(QStringLiteral("predictionProgress"));
    m_progress->hide();
    m_cancel->setObjectName(QStringLiteral("cancelPredictions"));
    m_cancel->setToolTip(tr("Stop after the batch under way; the images predicted so far keep "
                            "their new predictions"));
    m_cancel->hide();
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_repredict);
    layout->addWidget(m_progress, 1);
    layout->addWidget(m_cancel);
    layout->addStretch(0);
    connect(m_repredict, &QPushButton::clicked, this, &ModelPredictionBar::repredictClicked);
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        m_cancel->setEnabled(false);
        m_progress->setFormat(tr("Cancelling… ") + m_progress->format());
        Q_EMIT cancelClicked();
    });
    updateButtons();
}

void ModelPredictionBar::setAllowed(bool allowed, const QString &why)
{
    m_allowed = allowed;
    m_repredict->setToolTip(allowed ? tr("Store the production model's predictions for every "
                                         "waiting image that has none from it yet")
                                    : why);
    updateButtons();
}

void ModelPredictionBar::start()
{
    m_running = true;
    m_progress->setRange(0, 0);
    m_progress->setFormat(QString());
    m_progress->show();
    m_cancel->setEnabled(true);
    m_cancel->show();
    updateButtons();
}

void ModelPredictionBar::showProgress(qint64 done, qint64 total)
{
    if (!m_running) {
        start(); // production moved: its predictions follow without a click
    }
    if (!m_cancel->isEnabled()) {
        return; // "Cancelling…" stays until the batch under way ends
    }
    const QLocale locale;
    m_progress->setRange(0, static_cast<int>(std::max<qint64>(1, total)));
    m_progress->setValue(static_cast<int>(std::min(done, total)));
    m_progress->setFormat(tr("Predicting: %1 of %2 waiting images")
                              .arg(locale.toString(done), locale.toString(total)));
}

void ModelPredictionBar::finish()
{
    m_running = false;
    m_progress->hide();
    m_cancel->hide();
    updateButtons();
}

void ModelPredictionBar::updateButtons()
{
    m_repredict->setEnabled(m_allowed && !m_running);
}

} // namespace digitdesk::ui
