#pragma once

#include "annotation/principal.h"
#include "annotation/reviewservice.h"

#include <QWidget>

#include <functional>
#include <optional>

class QLabel;

namespace digitdesk::storage {
class Workspace;
}

namespace digitdesk::ui {

// Reviewers approve (Enter or a), correct (a digit: correct and approve) or reject (r, with
// an optional comment for the annotator) labelled images, disagreements first, with the
// image's history beside it. Own labels are never offered (four eyes, enforced in annotation/).
class ReviewView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ReviewView)

public:
    ReviewView(const storage::Workspace &workspace, annotation::Principal who,
               QWidget *parent = nullptr);

    void loadNext();
    qint64 currentImageId() const { return m_current ? m_current->imageId : 0; }
    // Where `r` asks for the rejection's comment; tests replace the dialog.
    void setCommentProvider(std::function<std::optional<QString>()> provider)
    {
        m_comment = std::move(provider);
    }

protected:
    void keyPressEvent(QKeyEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    void act(const std::function<void()> &decision);
    void updateFigures();

    const storage::Workspace &m_workspace;
    annotation::Principal m_who;
    annotation::ReviewService m_service;
    std::optional<annotation::ReviewItem> m_current;
    std::function<std::optional<QString>()> m_comment;
    QLabel *m_image;
    QLabel *m_labels;
    QLabel *m_history;
    QLabel *m_message;
    QLabel *m_figures;
};

} // namespace digitdesk::ui
