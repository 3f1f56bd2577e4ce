#include "storage/storageerror.h"
#include "tests/support/guithreadsql.h"
#include "tests/support/reviewteam.h"
#include "ui/reviewoperations.h"
#include "ui/reviewview.h"

#include <QLabel>
#include <QRegularExpression>
#include <QTest>

#include <atomic>
#include <memory>

using namespace digitdesk;

namespace {

using Team = testing::ReviewTeam;

QString labelText(const ui::ReviewView &view, const char *name)
{
    return view.findChild<QLabel *>(QLatin1String(name))->text();
}

// A review service whose database fails until the test mends it: what the reviewer sees then.
class BrokenReviews final : public ui::ReviewOperations
{
public:
    struct State
    {
        std::atomic<bool> broken{true};
        std::atomic<int> asked{0};
    };

    explicit BrokenReviews(std::shared_ptr<State> state) : m_state(std::move(state)) {}

    std::optional<annotation::ReviewItem> next(const annotation::Principal &) override
    {
        ++m_state->asked;
        failWhileBroken();
        annotation::ReviewItem item;
        item.imageId = 42;
        item.pixels = QByteArray(28 * 28, '\0');
        item.labels.push_back({7, storage::Label::fromDigit(3), QStringLiteral("ana")});
        return item;
    }
    annotation::ReviewItem item(const annotation::Principal &who, qint64) override
    {
        return *next(who);
    }
    void approve(const annotation::Principal &, qint64) override { failWhileBroken(); }
    void correct(const annotation::Principal &, qint64, storage::Label) override
    {
        failWhileBroken();
    }
    void approveAsGold(const annotation::Principal &, qint64) override { failWhileBroken(); }
    void reject(const annotation::Principal &, qint64, const QString &) override
    {
        failWhileBroken();
    }
    std::optional<qint64> undoLastReview(const annotation::Principal &) override
    {
        failWhileBroken();
        return std::nullopt;
    }
    annotation::QualityReport figures(const annotation::Principal &) override
    {
        failWhileBroken();
        return {};
    }

private:
    void failWhileBroken() const
    {
        if (m_state->broken) {
            throw storage::StorageError(
                QStringLiteral("reading the review queue failed: database disk image is"
                               " malformed"));
        }
    }

    std::shared_ptr<State> m_state;
};

} // namespace

// What the reviewer sees when saving or reading fails, and that the view recovers.
class tst_ReviewViewFailures : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void failureOfTheServiceIsShown();
    void failedDecisionIsShownAndTheImageStays();
    void failedNextImageIsShownAndAskedForAgain();
    void errorThrownInAKeyHandlerIsShown();
    void initTestCase() { testing::GuiThreadSql::install(); }
    // A connection used from a thread that does not own it is a failure, not a warning.
    void init()
    {
        QTest::failOnWarning(QRegularExpression(QStringLiteral("does not belong to the calling")));
    }
};

void tst_ReviewViewFailures::failureOfTheServiceIsShown()
{
    const auto state = std::make_shared<BrokenReviews::State>();
    annotation::Principal rui;
    rui.name = QStringLiteral("rui");
    rui.role = annotation::Role::Reviewer;
    ui::ReviewView view([state] { return std::make_unique<BrokenReviews>(state); }, rui);
    view.show();
    QTRY_VERIFY(!view.isBusy() && state->asked >= 1);
    const QString message = labelText(view, "message");
    QVERIFY2(message.startsWith(QStringLiteral("The next image could not be loaded: reading the"
                                               " review queue failed: database disk image is"
                                               " malformed")),
             qPrintable(message));
    QTRY_VERIFY(labelText(view, "figures").contains(QStringLiteral("malformed")));
    QCOMPARE(view.currentImageId(), 0);
    // Asked again by itself; once the service answers, the image is there.
    state->broken = false;
    QTRY_COMPARE_WITH_TIMEOUT(view.currentImageId(), 42, 10000);
    QVERIFY(labelText(view, "labels").contains(QStringLiteral("<b>3</b></span> by ana")));
}

void tst_ReviewViewFailures::failedDecisionIsShownAndTheImageStays()
{
    Team team(2);
    team.label(team.ana, 0, 0);
    team.label(team.ana, 1, 1);
    ui::ReviewView view(ui::reviewServiceFactory(team.temp.workspace->databasePath()), team.rui);
    view.show();
    QTRY_VERIFY(!view.isBusy() && view.currentImageId() == team.images[0]);
    // The table decisions go to disappears between the image's display and the key.
    team.exec(QStringLiteral("ALTER TABLE reviews RENAME TO reviews_gone"));
    QTest::keyClick(&view, Qt::Key_Return);
    QTRY_VERIFY(!view.isBusy());
    const QString message = labelText(view, "message");
    // SQLite's "no such table: reviews", PostgreSQL's "relation "reviews" does not exist".
    QVERIFY2(message.startsWith(QStringLiteral("Not saved: ")) &&
                 (message.contains(QStringLiteral("no such table")) ||
                  message.contains(QStringLiteral("does not exist"))),
             qPrintable(message));
    QCOMPARE(view.currentImageId(), team.images[0]);
    // Mended, the same key on the same image is saved.
    team.exec(QStringLiteral("ALTER TABLE reviews_gone RENAME TO reviews"));
    QTest::keyClick(&view, Qt::Key_Return);
    QTRY_VERIFY(!view.isBusy() && view.currentImageId() == team.images[1]);
    QCOMPARE(team.reviews(QStringLiteral("approved")), 1);
    QCOMPARE(team.status(0), QStringLiteral("approved"));
}

void tst_ReviewViewFailures::failedNextImageIsShownAndAskedForAgain()
{
    Team team(2);
    team.label(team.ana, 0, 0);
    team.label(team.ana, 1, 1);
    ui::ReviewView view(ui::reviewServiceFactory(team.temp.workspace->databasePath()), team.rui);
    view.show();
    QTRY_VERIFY(!view.isBusy() && view.currentImageId() == team.images[0]);
    // The approval needs no prediction; finding the next image does.
    team.exec(QStringLiteral("ALTER TABLE predictions RENAME TO predictions_gone"));
    QTest::keyClick(&view, Qt::Key_Return);
    QTRY_VERIFY(labelText(view, "message").startsWith(QStringLiteral("The next image could not")));
    QCOMPARE(team.status(0), QStringLiteral("approved"));
    // The approved image may still be on screen, but no key applies to it again.
    QCOMPARE(view.currentImageId(), 0);
    QTest::keyClick(&view, Qt::Key_5);
    QCOMPARE(team.count(QStringLiteral("SELECT COUNT(*) FROM reviews")), 1);
    team.exec(QStringLiteral("ALTER TABLE predictions_gone RENAME TO predictions"));
    QTRY_COMPARE_WITH_TIMEOUT(view.currentImageId(), team.images[1], 10000);
}

void tst_ReviewViewFailures::errorThrownInAKeyHandlerIsShown()
{
    Team team(1);
    team.label(team.ana, 0, 0);
    ui::ReviewView view(ui::reviewServiceFactory(team.temp.workspace->databasePath()), team.rui);
    view.setCommentProvider([]() -> std::optional<QString> {
        throw storage::StorageError(QStringLiteral("cannot read comment drafts: disk I/O error"));
    });
    view.show();
    QTRY_VERIFY(!view.isBusy() && view.currentImageId() == team.images[0]);
    QTest::keyClick(&view, Qt::Key_R);
    QCOMPARE(labelText(view, "message"),
             QStringLiteral("cannot read comment drafts: disk I/O error"));
    QCOMPARE(view.currentImageId(), team.images[0]);
    QCOMPARE(team.count(QStringLiteral("SELECT COUNT(*) FROM reviews")), 0);
    // The view goes on taking keys.
    QTest::keyClick(&view, Qt::Key_Return);
    QTRY_VERIFY(!view.isBusy() && view.currentImageId() == 0);
    QCOMPARE(team.status(0), QStringLiteral("approved"));
}

QTEST_MAIN(tst_ReviewViewFailures)
#include "tst_reviewviewfailures.moc"
