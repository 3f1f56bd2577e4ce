#pragma once

// Drives the users view as an admin does (clicks, typed fields, the confirmations and password
// dialogs it opens) and reads back what the workspace then holds: tst_usersview and
// tst_usersviewconfirm.
#include "annotation/authservice.h"
#include "storage/userrepository.h"
#include "tests/support/tempworkspace.h"
#include "ui/usersview.h"

#include <QApplication>
#include <QDialogButtonBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QTableView>
#include <QTest>
#include <QTimer>

#include <functional>

namespace digitdesk::testing {

inline const QString Password = QStringLiteral("long enough 1");

// Handles the modal dialogs the next clicks open, in order, from inside their event loops. A
// handler that leaves its dialog open has it closed (a message box then answers No).
class ModalDialogs final : public QObject
{
public:
    using Handler = std::function<void(QWidget *)>;

    explicit ModalDialogs(QList<Handler> handlers) : m_handlers(std::move(handlers))
    {
        connect(&m_timer, &QTimer::timeout, this, &ModalDialogs::poll);
        m_timer.start(10);
        m_clock.start();
    }
    bool allHandled() const { return m_handlers.isEmpty(); }
    int handled() const { return m_handled; }

private:
    void poll()
    {
        QPointer<QWidget> dialog = QApplication::activeModalWidget();
        if (m_clock.elapsed() > 10000) {
            m_timer.stop();
        }
        if (!dialog || !dialog->isVisible()) {
            return;
        }
        ++m_handled;
        if (!m_handlers.isEmpty()) {
            m_handlers.takeFirst()(dialog);
        }
        if (dialog && dialog->isVisible()) {
            dialog->close();
        }
    }

    QList<Handler> m_handlers;
    QTimer m_timer;
    QElapsedTimer m_clock;
    int m_handled = 0;
};

// Answers a confirmation with `button` and keeps what it asked.
inline ModalDialogs::Handler answer(QMessageBox::StandardButton button, QString *question = nullptr,
                                    Qt::TextFormat *format = nullptr)
{
    return [=](QWidget *dialog) {
        auto *box = qobject_cast<QMessageBox *>(dialog);
        if (!box) {
            return;
        }
        if (question) {
            *question = box->text();
        }
        if (format) {
            *format = box->textFormat();
        }
        QTest::mouseClick(box->button(button), Qt::LeftButton);
    };
}

inline void clickOk(QWidget *dialog)
{
    QTest::mouseClick(dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok),
                      Qt::LeftButton);
}

inline void typeInto(QWidget *parent, const QString &field, const QString &text)
{
    auto *edit = parent->findChild<QLineEdit *>(field);
    edit->clear();
    QTest::keyClicks(edit, text);
}

inline void clickUser(ui::UsersView &view, const QString &name)
{
    auto *table = view.findChild<QTableView *>(QStringLiteral("users"));
    const QModelIndexList found = table->model()->match(table->model()->index(0, 0),
                                                        Qt::DisplayRole, name, 1, Qt::MatchExactly);
    QVERIFY(!found.isEmpty());
    table->scrollTo(found.first());
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {},
                      table->visualRect(found.first()).center());
    QCOMPARE(table->currentIndex().row(), found.first().row());
}

inline void click(const ui::UsersView &view, const QString &button)
{
    QTest::mouseClick(view.findChild<QPushButton *>(button), Qt::LeftButton);
}

inline QString message(const ui::UsersView &view)
{
    return view.findChild<QLabel *>(QStringLiteral("message"))->text();
}

inline QString roleOf(const testing::TempWorkspace &temp, const QString &name)
{
    return storage::UserRepository(temp.workspace->db()).findByName(name)->role;
}

inline bool isDisabled(const testing::TempWorkspace &temp, const QString &name)
{
    return storage::UserRepository(temp.workspace->db()).findByName(name)->disabled;
}

inline bool canLogIn(const testing::TempWorkspace &temp, const QString &name,
                     const QString &password)
{
    return annotation::AuthService(temp.workspace->db())
        .login(name, password, QStringLiteral("t"))
        .ok();
}

} // namespace digitdesk::testing
