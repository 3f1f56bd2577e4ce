#include "ui/datasetdetailspane.h"

#include "ui/appearance.h"
#include "ui/datasethistogramchart.h"
#include "ui/plainlabel.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QScrollArea>
#include <QSplitter>
#include <QVBoxLayout>

namespace digitdesk::ui {
namespace {

QLabel *selectableLabel(const QString &objectName, QWidget *parent)
{
    QLabel *label = plainLabel(objectName, parent);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

} // namespace

DatasetDetailsPane::DatasetDetailsPane(QWidget *parent)
    : QWidget(parent), m_details(selectableLabel(QStringLiteral("details"), this)),
      m_models(selectableLabel(QStringLiteral("models"), this)),
      m_histogram(new DatasetHistogramChart(this))
{
    auto *info = new QWidget(this);
    auto *hint = selectableLabel(QStringLiteral("lineageHint"), info);
    hint->setText(tr("Lineage: every registered model keeps the commit of the version it learnt "
                     "from, and the version's labels.csv names who labelled and who approved "
                     "each of its images."));
    hint->setStyleSheet(toneStyle(Tone::Muted));
    auto *infoLayout = new QVBoxLayout(info);
    infoLayout->addWidget(m_details);
    infoLayout->addWidget(m_models);
    infoLayout->addWidget(hint);
    infoLayout->addStretch(1);
    auto *scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setWidget(info);
    scroll->setMinimumWidth(200);
    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->setChildrenCollapsible(false);
    splitter->addWidget(scroll);
    splitter->addWidget(m_histogram);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 1);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter);
    clear();
}

void DatasetDetailsPane::clear()
{
    m_tag.clear();
    m_details->setText(tr("Select a version to see its images per class, the version it was "
                          "made from and the models trained on it."));
    m_models->clear();
    m_histogram->clear();
}

void DatasetDetailsPane::showVersion(const annotation::DatasetVersion &version,
                                     const annotation::DatasetVersion *parent)
{
    const QLocale locale;
    int digits = 0;
    for (int digit = 0; digit < 10; ++digit) {
        digits += version.histogram[static_cast<size_t>(digit)];
    }
    QString madeFrom = tr("nothing: it is the first version");
    if (!version.parentTag.isEmpty()) {
        madeFrom = version.parentTag;
        if (parent) {
            const int change = version.imageCount - parent->imageCount;
            madeFrom +=
                tr(" (%1%2 images)")
                    .arg(change >= 0 ? QStringLiteral("+") : QString(), locale.toString(change));
        }
    }
    QString text =
        tr("%1: %2 images, %3 digits and %4 not a digit\nCommitted by %5 on %6\nMade from: "
           "%7\nCommit: %8")
            .arg(version.tag, locale.toString(version.imageCount), locale.toString(digits),
                 locale.toString(version.histogram[10]), version.author,
                 version.createdAt.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm")),
                 madeFrom, version.commitId.left(12));
    if (!version.origin.isEmpty()) {
        text += tr("\nFetched from the remote %1").arg(version.origin);
    }
    m_details->setText(text + QStringLiteral("\n\n") + version.message);
    m_histogram->setHistogram(version.histogram);
    if (m_tag != version.tag) {
        m_models->setText(tr("Models trained on %1: looking…").arg(version.tag));
    }
    m_tag = version.tag;
}

void DatasetDetailsPane::showModels(const QString &tag, const QList<qint64> &modelIds)
{
    if (tag != m_tag) {
        return; // another version was selected meanwhile
    }
    QStringList names;
    for (const qint64 id : modelIds) {
        names << tr("model %1").arg(id);
    }
    m_models->setText(
        names.isEmpty()
            ? tr("No model has been trained on %1 yet.").arg(tag)
            : tr("Models trained on %1: %2").arg(tag, names.join(QStringLiteral(", "))));
}

void DatasetDetailsPane::showModelsFailed(const QString &tag, const QString &reason)
{
    if (tag == m_tag) {
        m_models->setText(tr("Models trained on %1: unknown (%2)").arg(tag, reason));
    }
}

} // namespace digitdesk::ui
