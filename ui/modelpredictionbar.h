#pragma once

#include <QWidget>

class QProgressBar;
class QPushButton;

namespace digitdesk::ui {

// The Models view's row for the production model's predictions of the waiting images: the
// "Re-predict waiting images" button, and while predictions are stored (asked for here, or after
// production moved) a bar counting images with its Cancel.
class ModelPredictionBar final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ModelPredictionBar)

public:
    explicit ModelPredictionBar(QWidget *parent = nullptr);

    bool isRunning() const { return m_running; }
    // Whether the user may ask for it, and why not when they may not.
    void setAllowed(bool allowed, const QString &why);

public Q_SLOTS:
    // Busy until the first count comes.
    void start();
    void showProgress(qint64 done, qint64 total);
    void finish();

Q_SIGNALS:
    void repredictClicked();
    void cancelClicked();

private:
    void updateButtons();

    QPushButton *m_repredict;
    QProgressBar *m_progress;
    QPushButton *m_cancel;
    bool m_running = false;
    bool m_allowed = false;
};

} // namespace digitdesk::ui
