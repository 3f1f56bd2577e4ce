#include "annotation/annotationservice.h"
#include "annotation/authservice.h"
#include "annotation/datasetservice.h"
#include "storage/imagerepository.h"
#include "storage/settingsrepository.h"
#include "tests/support/datasetfixture.h"
#include "tests/support/desktope2efixture.h"

#include <QFile>
#include <QTemporaryDir>

using namespace digitdesk;
using namespace digitdesk::testing::desktop;

// The work on the real desktop: labelling what the strip shows, reviewing, importing into the
// open view, training on a version. Each test checks what the database holds afterwards.
class tst_DesktopE2EWork : public DesktopE2EFixture
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { startDesktop(); }
    void init() { createWorkspace(); }
    void cleanup() { stopApp(); }
    void readingTheStripAheadLabelsTheImagesItShows();
    void reviewWithTheAnnotatorsOwnDigitAndAMarkupComment();
    void importReachesTheOpenAnnotateView();
    void trainOnAVersionFromTheDatasetsView();
};

void tst_DesktopE2EWork::readingTheStripAheadLabelsTheImagesItShows()
{
    std::vector<double> confidences;
    for (int i = 0; i < 60; ++i) {
        confidences.push_back(0.3 + 0.01 * ((i * 37) % 60)); // queue order differs from ids
    }
    testing::addPredictedImages(*m_temp->workspace, confidences);
    // Every 4th decision audits one of the model's most confident answers: those used to be
    // left out of the strip, so an annotator typing what it showed misplaced labels.
    storage::SettingsRepository(db()).setValue(QStringLiteral("queue.high_confidence_share"),
                                               QStringLiteral("0.25"));
    QHash<qint64, QByteArray> incoming;
    {
        storage::SqlQuery query(db(), QStringLiteral("SELECT id, pixels FROM images"),
                                QStringLiteral("read the images"));
        query.exec();
        while (query.next()) {
            incoming.insert(query.value(0).toLongLong(), query.value(1).toByteArray());
        }
    }
    QCOMPARE(incoming.size(), 60);
    startApp();
    QVERIFY(logIn(QStringLiteral("ana")) != 0);

    const qint64 anaId =
        value(db(), QStringLiteral("SELECT id FROM users WHERE name = 'ana'")).toLongLong();
    QList<qint64> typed;
    while (typed.size() < 20) {
        // What the annotator sees, read off the screen: the image to label, shown large, and
        // the eight of the strip.
        const QImage screen = m_x->settledScreenshot();
        const std::vector<testing::ImageOnScreen> strip =
            testing::findImagesOnScreen(screen, incoming, 2);
        QCOMPARE(static_cast<int>(strip.size()), StripLength);
        QList<qint64> shown;
        for (const testing::ImageOnScreen &tile : strip) {
            QCOMPARE(tile.topLeft.y(), strip.front().topLeft.y()); // one row, left to right
            shown << tile.imageId;
        }
        QHash<qint64, QByteArray> notLabelled;
        for (auto it = incoming.cbegin(); it != incoming.cend(); ++it) {
            if (!typed.contains(it.key()) && !shown.contains(it.key())) {
                notLabelled.insert(it.key(), it.value());
            }
        }
        const QList<qint64> current{imageShownLarge(screen, notLabelled)};
        QVERIFY(current.front() != 0);
        QList<qint64> sequence = current + shown;
        sequence = sequence.mid(0, 20 - typed.size());
        QString digits;
        for (qint64 image : sequence) {
            digits += QString::number(image % 10);
        }
        // Typed in one go, as fast as xdotool types, without waiting for the screen.
        QVERIFY(m_x->type(digits));
        typed += sequence;
        QTRY_COMPARE_WITH_TIMEOUT(
            count(db(), QStringLiteral("SELECT COUNT(*) FROM labels WHERE annotator_id = :user"),
                  {{QStringLiteral(":user"), anaId}}),
            static_cast<qint64>(typed.size()), 20000);
    }
    for (qint64 image : typed) {
        QCOMPARE(value(db(),
                       QStringLiteral("SELECT label FROM labels WHERE image_id = :image AND"
                                      " annotator_id = :user"),
                       {{QStringLiteral(":image"), image}, {QStringLiteral(":user"), anaId}})
                     .toLongLong(),
                 image % 10);
    }
    QVERIFY(m_x->keys({QStringLiteral("ctrl+q")}));
    QVERIFY2(waitForExit(), "Ctrl+Q did not end the application cleanly");
    QCOMPARE(value(db(),
                   QStringLiteral("SELECT end_reason FROM login_sessions WHERE user_id = :user"),
                   {{QStringLiteral(":user"), anaId}})
                 .toString(),
             QStringLiteral("quit"));
    QCOMPARE(count(db(), QStringLiteral("SELECT COUNT(*) FROM leases")), 0);
}

void tst_DesktopE2EWork::reviewWithTheAnnotatorsOwnDigitAndAMarkupComment()
{
    testing::addPredictedImages(*m_temp->workspace, {0.3, 0.4});
    const annotation::Principal ana =
        annotation::AuthService(db())
            .login(QStringLiteral("ana"), Password, QStringLiteral("e2e"))
            .principal;
    annotation::AnnotationService queue(db());
    const auto first = queue.next(ana);
    queue.label(ana, first->imageId, storage::Label::fromDigit(7), 500);
    const auto second = queue.next(ana);
    queue.label(ana, second->imageId, storage::Label::fromDigit(3), 500);

    startApp();
    const qulonglong window = logIn(QStringLiteral("rui"));
    QVERIFY(window != 0);
    // View > Review (Ctrl+2); the first image is Ana's 7: typing 7 approves it as it is.
    QVERIFY(m_x->keys({QStringLiteral("ctrl+2")}));
    m_x->settledScreenshot(); // the first image to review is on screen
    QVERIFY(m_x->type(QStringLiteral("7")));
    QTRY_COMPARE_WITH_TIMEOUT(count(db(), QStringLiteral("SELECT COUNT(*) FROM reviews")), 1,
                              15000);
    QCOMPARE(value(db(),
                   QStringLiteral("SELECT verdict FROM reviews r JOIN labels l ON l.id ="
                                  " r.label_id WHERE l.image_id = :image"),
                   {{QStringLiteral(":image"), first->imageId}})
                 .toString(),
             QStringLiteral("approved"));
    QVERIFY(value(db(), QStringLiteral("SELECT corrected_label FROM reviews")).isNull());

    // The second is rejected with a comment that looks like markup; it is kept as typed.
    QVERIFY(m_x->type(QStringLiteral("r")));
    const qulonglong comment = m_x->waitForWindow(QStringLiteral("^Reject$"));
    QVERIFY(comment != 0);
    QVERIFY(m_x->focus(comment));
    QVERIFY(m_x->type(QStringLiteral("<b>bold</b>")));
    QVERIFY(m_x->keys({QStringLiteral("Return")}));
    QTRY_COMPARE_WITH_TIMEOUT(count(db(), QStringLiteral("SELECT COUNT(*) FROM reviews")), 2,
                              15000);
    QCOMPARE(value(db(), QStringLiteral("SELECT comment FROM reviews WHERE verdict = 'rejected'"))
                 .toString(),
             QStringLiteral("<b>bold</b>"));
    QCOMPARE(value(db(), QStringLiteral("SELECT status FROM images WHERE id = :image"),
                   {{QStringLiteral(":image"), second->imageId}})
                 .toString(),
             QStringLiteral("incoming"));
    QVERIFY(m_x->focus(window));
    QVERIFY(m_x->keys({QStringLiteral("ctrl+q")}));
    QVERIFY2(waitForExit(), "Ctrl+Q did not end the application cleanly");
}

void tst_DesktopE2EWork::importReachesTheOpenAnnotateView()
{
    QTemporaryDir scans;
    for (int i = 0; i < 3; ++i) {
        QVERIFY(testing::writeFile(
            scans.filePath(QStringLiteral("scan%1.png").arg(i)),
            testing::encodeRing(QStringLiteral("png"), 60, 60, 30, 30, 10 + 4 * i, true)));
    }
    startApp();
    const qulonglong window = logIn(QStringLiteral("eve"));
    QVERIFY(window != 0);
    // Nothing to label yet. File > Import folder… (Ctrl+Shift+I), the folder typed in.
    QVERIFY(m_x->keys({QStringLiteral("ctrl+shift+i")}));
    const qulonglong chooser = m_x->waitForWindow(QStringLiteral("^Import a folder$"));
    QVERIFY(chooser != 0);
    QVERIFY(m_x->focus(chooser));
    QVERIFY(m_x->type(scans.path()));
    QVERIFY(m_x->keys({QStringLiteral("Return")}));
    QTRY_COMPARE_WITH_TIMEOUT(count(db(), QStringLiteral("SELECT COUNT(*) FROM images")), 3, 20000);
    // The open Annotate view took the first new image: a digit labels it at once.
    QTRY_VERIFY_WITH_TIMEOUT(!m_x->hasWindow(QStringLiteral("^Import a folder$")), 10000);
    m_x->settledScreenshot();
    QVERIFY(m_x->focus(window));
    QVERIFY(m_x->type(QStringLiteral("0")));
    QTRY_COMPARE_WITH_TIMEOUT(
        count(db(), QStringLiteral("SELECT COUNT(*) FROM labels l JOIN users u"
                                   " ON u.id = l.annotator_id WHERE"
                                   " u.name = 'eve' AND l.label = 0")),
        1, 10000);
    QVERIFY(m_x->keys({QStringLiteral("ctrl+q")}));
    QVERIFY2(waitForExit(), "Ctrl+Q did not end the application cleanly");
}

void tst_DesktopE2EWork::trainOnAVersionFromTheDatasetsView()
{
    testing::addApprovedImages(*m_temp->workspace, 0, 200);
    const annotation::DatasetVersion v1 =
        annotation::DatasetService(db(), m_temp->workspace->root())
            .commit(annotation::Principal::localOperator(), QStringLiteral("for training"));
    startApp();
    const qulonglong window = logIn(QStringLiteral("eve"));
    QVERIFY(window != 0);
    // View > Datasets (Ctrl+3), v1 selected; Train on this version (Alt+T) opens the Training
    // view with v1 chosen; one epoch (the epochs field is Alt+E), Start (Ctrl+Return).
    QVERIFY(m_x->keys({QStringLiteral("ctrl+3")}));
    m_x->settledScreenshot(); // the versions are listed, v1 selected
    QVERIFY(m_x->keys({QStringLiteral("alt+t")}));
    m_x->settledScreenshot();
    QVERIFY(m_x->keys({QStringLiteral("alt+e"), QStringLiteral("ctrl+a")}));
    QVERIFY(m_x->type(QStringLiteral("1")));
    QVERIFY(m_x->keys({QStringLiteral("ctrl+Return")}));
    // The run, a child process, registers a model that names v1's commit, and the run history
    // holds it as finished.
    QTRY_COMPARE_WITH_TIMEOUT(
        value(db(), QStringLiteral("SELECT dataset_commit FROM models ORDER BY id DESC"))
            .toString(),
        v1.commitId, 120000);
    QTRY_COMPARE_WITH_TIMEOUT(
        value(db(), QStringLiteral("SELECT status FROM training_runs ORDER BY id DESC")).toString(),
        QStringLiteral("finished"), 20000);
    // Quitting while the child still runs would ask whether to cancel it: wait for its end.
    const qint64 pid =
        value(db(), QStringLiteral("SELECT pid FROM training_runs ORDER BY id DESC")).toLongLong();
    QVERIFY(pid > 0);
    QTRY_VERIFY_WITH_TIMEOUT(!QFile::exists(QStringLiteral("/proc/%1/cmdline").arg(pid)), 20000);
    QVERIFY(m_x->focus(window));
    QVERIFY(m_x->keys({QStringLiteral("ctrl+q")}));
    QVERIFY2(waitForExit(), "Ctrl+Q did not end the application cleanly");
}

QTEST_GUILESS_MAIN(tst_DesktopE2EWork)
#include "tst_desktope2ework.moc"
