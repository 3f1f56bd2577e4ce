#include "ui/reviewview.h"

#include "annotation/qualityfigures.h"
#include "storage/workspace.h"
#include "ui/imagelistmodel.h"

#include <QHBoxLayout>
#include <QInputDialog>
#include <QKeyEvent>
#include <QLabel>
#include <QVBoxLayout>

namespace digitdesk::ui {
namespace {

constexpr int ImageSide = 280;

QString labelText(int label)
{
    return label >= 0 ? QString::number(label) : QObject::tr("not a digit");
}

} // namespace

ReviewView::ReviewView(const storage::Workspace &workspace, annotation::Principal who,
                       QWidget *parent)
    : QWidget(parent), m_workspace(workspace), m_who(std::move(who)), m_service(workspace.db()),
      m_image(new QLabel(this)), m_labels(new QLabel(this)), m_history(new QLabel(this)),
      m_message(new QLabel(this)), m_figures(new QLabel(this))
{
    setFocusPolicy(Qt::StrongFocus);
    m_image->setFixedSize(ImageSide, ImageSide);
    m_image->setAlignment(Qt::AlignCenter);
    m_image->setStyleSheet(QStringLiteral("background: black; color: #bbb;"));
    m_labels->setObjectName(QStringLiteral("labels"));
    m_labels->setTextFormat(Qt::RichText);
    m_history->setObjectName(QStringLiteral("history"));
    m_history->setWordWrap(true);
    m_message->setObjectName(QStringLiteral("message"));
    m_message->setWordWrap(true);
    auto *keys = new QLabel(
        tr("Enter or a: approve · 0-9: correct and approve · g: approve and make it a gold item · "
           "r: reject and send back"),
        this);
    auto *side = new QVBoxLayout;
    side->addWidget(m_labels);
    side->addWidget(m_history);
    side->addStretch(1);
    auto *top = new QHBoxLayout;
    top->addWidget(m_image);
    top->addLayout(side, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_message);
    layout->addWidget(keys);
    m_figures->setObjectName(QStringLiteral("figures"));
    m_figures->setTextFormat(Qt::RichText);
    layout->addWidget(m_figures);
    layout->addStretch(1);
    m_comment = [this]() -> std::optional<QString> {
        bool ok = false;
        const QString text =
            QInputDialog::getText(this, tr("Reject"), tr("Comment for the annotator (optional):"),
                                  QLineEdit::Normal, {}, &ok);
        return ok ? std::optional<QString>(text) : std::nullopt;
    };
}

void ReviewView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (!m_current) {
        loadNext();
    }
    setFocus();
}

void ReviewView::updateFigures()
{
    annotation::QualityReport report;
    try {
        report = annotation::qualityReport(m_workspace.db(), m_who);
    } catch (const std::exception &error) {
        m_figures->setText(QString::fromUtf8(error.what()).toHtmlEscaped());
        return;
    }
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
    if (!report.pairs.empty()) {
        html += tr("<b>Cohen's kappa on shared items</b><br>");
        for (const annotation::PairAgreement &pair : report.pairs) {
            html += tr("%1 and %2: %3 on %4 items<br>")
                        .arg(pair.first.toHtmlEscaped(), pair.second.toHtmlEscaped())
                        .arg(pair.kappa, 0, 'f', 2)
                        .arg(pair.shared);
        }
    }
    m_figures->setText(html);
}

void ReviewView::loadNext()
{
    updateFigures();
    try {
        m_current = m_service.next(m_who);
    } catch (const std::exception &error) {
        m_message->setText(QString::fromUtf8(error.what()));
        return;
    }
    if (!m_current) {
        m_image->clear();
        m_image->setText(tr("Nothing to review"));
        m_labels->setText(tr("Every labelled image is reviewed, or was labelled by you."));
        m_history->clear();
        return;
    }
    m_image->setPixmap(
        QPixmap::fromImage(ImageListModel::toImage(m_current->pixels))
            .scaled(ImageSide, ImageSide, Qt::KeepAspectRatio, Qt::FastTransformation));
    QStringList labels;
    for (const annotation::ReviewLabel &label : m_current->labels) {
        const bool disagrees =
            m_current->predictedLabel >= 0 && label.label != m_current->predictedLabel;
        labels << tr("<span style='font-size:22pt'><b>%1</b></span> by %2%3")
                      .arg(labelText(label.label), label.annotator.toHtmlEscaped(),
                           disagrees ? tr(" <span style='color:#b00020'>(model says %1)</span>")
                                           .arg(m_current->predictedLabel)
                                     : QString());
    }
    m_labels->setText(labels.join(QStringLiteral("<br>")));
    m_history->setText(m_current->history.join(QLatin1Char('\n')));
}

void ReviewView::act(const std::function<void()> &decision)
{
    if (!m_current) {
        return;
    }
    try {
        decision();
        m_message->setStyleSheet({});
        m_message->clear();
        loadNext();
    } catch (const std::exception &error) {
        m_message->setStyleSheet(
            QStringLiteral("color: white; background: #b00020; padding: 6px; font-weight: bold;"));
        m_message->setText(tr("Not saved: %1").arg(QString::fromUtf8(error.what())));
    }
}

void ReviewView::keyPressEvent(QKeyEvent *event)
{
    const int key = event->key();
    const qint64 image = currentImageId();
    if (key == Qt::Key_Return || key == Qt::Key_Enter || key == Qt::Key_A) {
        act([&] { m_service.approve(m_who, image); });
    } else if (key >= Qt::Key_0 && key <= Qt::Key_9) {
        act([&] { m_service.correct(m_who, image, key - Qt::Key_0); });
    } else if (key == Qt::Key_G) {
        act([&] {
            m_service.approve(m_who, image);
            m_service.markGold(m_who, image);
        });
    } else if (key == Qt::Key_R) {
        if (const auto comment = m_comment()) {
            act([&] { m_service.reject(m_who, image, *comment); });
        }
    } else {
        QWidget::keyPressEvent(event);
        return;
    }
    event->accept();
}

} // namespace digitdesk::ui
