#include "annotation/annotationservice.h"
#include "annotation/qualityfigures.h"
#include "annotation/reviewservice.h"
#include "annotation/userservice.h"
#include "storage/auditlog.h"
#include "storage/imagerepository.h"
#include "storage/modelrepository.h"
#include "storage/predictionrepository.h"
#include "storage/settingsrepository.h"
#include "storage/sqlquery.h"
#include "storage/transaction.h"
#include "tests/support/testdata.h"

#include <QTest>

using namespace digitdesk;
using annotation::Role;

class tst_Annotation : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void lowestConfidenceFirstWithConfidentOnesMixedIn();
    void twoAnnotatorsNeverGetTheSameItem();
    void labelSkipUndoRelabel();
    void reviewApprovesCorrectsRejects();
    void fourEyes();
    void reviewersAreShownDifferentImages();
    void rolesAreChecked();
    void goldIsMixedInUnannouncedAndChecked();
    void overlapAsksForTwoLabelsAndDisagreementsComeFirst();
    void kappaOnAKnownTable();

private:
    std::unique_ptr<testing::TempWorkspace> m_temp;
    QDateTime m_now = QDateTime(QDate(2026, 11, 23), QTime(9, 0), Qt::UTC);
    annotation::Principal m_ana, m_bob, m_rui;
    std::unique_ptr<annotation::AnnotationService> m_annotation;

    // `count` incoming images; image i gets confidence confidences[i] from a production model.
    void addImages(const std::vector<double> &confidences)
    {
        const QSqlDatabase db = m_temp->workspace->db();
        storage::ImageRepository images(db);
        storage::ModelRepository models(db);
        storage::Transaction transaction(db);
        storage::ModelRecord model;
        model.architecture = QStringLiteral("digitnet");
        model.sourceDigest = QStringLiteral("x");
        model.filePath = QStringLiteral("models/1.pt");
        model.fileSha256 = QStringLiteral("x");
        const qint64 modelId = models.addModel(model, {QStringLiteral("test"), 0, 0});
        models.moveAlias(QStringLiteral("production"), modelId, {QStringLiteral("test"), 0, 0},
                         QStringLiteral("test"));
        std::vector<storage::StoredPrediction> predictions;
        for (size_t i = 0; i < confidences.size(); ++i) {
            storage::NewImage image;
            image.pixels = testing::ringPixels(static_cast<int>(i));
            image.sha256 = storage::BlobStore::digestOf(image.pixels);
            image.source = QStringLiteral("test");
            const qint64 id = images.insert(image, {QStringLiteral("test"), 0, 0});
            storage::StoredPrediction prediction;
            prediction.imageId = id;
            prediction.label = static_cast<int>(i % 10);
            prediction.confidence = confidences[i];
            prediction.probabilities[static_cast<size_t>(i % 10)] =
                static_cast<float>(confidences[i]);
            predictions.push_back(prediction);
        }
        storage::PredictionRepository(db).store(modelId, predictions);
        transaction.commit();
    }
    QString statusOf(qint64 imageId) const
    {
        return storage::toString(
            storage::ImageRepository(m_temp->workspace->db()).details(imageId)->status);
    }
};

void tst_Annotation::init()
{
    m_temp = std::make_unique<testing::TempWorkspace>();
    m_ana = testing::addUser(*m_temp->workspace, QStringLiteral("ana"), Role::Annotator);
    m_bob = testing::addUser(*m_temp->workspace, QStringLiteral("bob"), Role::Annotator);
    m_rui = testing::addUser(*m_temp->workspace, QStringLiteral("rui"), Role::Reviewer);
    m_annotation = std::make_unique<annotation::AnnotationService>(m_temp->workspace->db(),
                                                                   [this] { return m_now; });
}

void tst_Annotation::cleanup()
{
    m_annotation.reset();
    m_temp.reset();
}

void tst_Annotation::lowestConfidenceFirstWithConfidentOnesMixedIn()
{
    std::vector<double> confidences;
    for (int i = 0; i < 40; ++i) {
        confidences.push_back(0.3 + 0.017 * ((i * 7) % 40)); // a shuffled 0.30..0.96
    }
    addImages(confidences);
    std::vector<double> served;
    for (int i = 0; i < 20; ++i) {
        const auto item = m_annotation->next(m_ana);
        QVERIFY(item);
        served.push_back(item->confidence);
        m_annotation->label(m_ana, item->imageId, storage::Label::fromDigit(item->predictedLabel),
                            1000);
    }
    // The first 19 rise from the least confident; the 20th is the most confident of all.
    for (int i = 1; i < 19; ++i) {
        QVERIFY2(served[static_cast<size_t>(i)] >= served[static_cast<size_t>(i - 1)],
                 qPrintable(QString::number(i)));
    }
    QVERIFY(std::abs(served.front() - 0.3) < 1e-6);
    QVERIFY2(std::abs(served[19] - (0.3 + 0.017 * 39)) < 1e-6,
             qPrintable(QString::number(served[19])));
}

void tst_Annotation::twoAnnotatorsNeverGetTheSameItem()
{
    addImages({0.5, 0.6, 0.7});
    const auto first = m_annotation->next(m_ana);
    const auto second = m_annotation->next(m_bob);
    QVERIFY(first && second);
    QVERIFY(first->imageId != second->imageId);
    QCOMPARE(first->leaseExpires, m_now.addSecs(300));
    // Ana goes away; after five minutes her lease is over and Bob may take the item.
    m_annotation->label(m_bob, second->imageId, storage::Label::fromDigit(3), 900);
    m_now = m_now.addSecs(301);
    const auto third = m_annotation->next(m_bob);
    QCOMPARE(third->imageId, first->imageId);
    QVERIFY(testing::throws<annotation::InvalidRequest>(
        [&] { m_annotation->label(m_ana, first->imageId, storage::Label::fromDigit(1), 1000); }));
    m_annotation->label(m_bob, third->imageId, storage::Label::fromDigit(1), 900);
    QCOMPARE(statusOf(first->imageId), QStringLiteral("labelled"));
}

void tst_Annotation::labelSkipUndoRelabel()
{
    addImages({0.2, 0.4, 0.6});
    auto item = m_annotation->next(m_ana);
    QCOMPARE(item->confidence, 0.2F);
    m_annotation->skip(m_ana, item->imageId);
    const qint64 skipped = item->imageId;
    item = m_annotation->next(m_ana);
    QVERIFY(item->imageId != skipped); // skipped ones come last
    const auto decision =
        m_annotation->label(m_ana, item->imageId, storage::Label::notADigit(), 1200);
    QCOMPARE(statusOf(item->imageId), QStringLiteral("labelled"));
    QCOMPARE(storage::ImageRepository(m_temp->workspace->db()).details(item->imageId)->label,
             storage::MaybeLabel(storage::Label::notADigit()));
    const auto undone = m_annotation->undo(m_ana);
    QCOMPARE(undone->labelId, decision.labelId);
    QCOMPARE(statusOf(item->imageId), QStringLiteral("incoming"));
    // After undo the same image is hers again, and the retracted label stays in the table.
    QCOMPARE(m_annotation->next(m_ana)->imageId, item->imageId);
    const auto again = m_annotation->label(m_ana, item->imageId, storage::Label::fromDigit(7), 800);
    const auto changed = m_annotation->relabel(m_ana, again.labelId, storage::Label::fromDigit(8));
    QCOMPARE(m_annotation->history(m_ana).front().label, storage::Label::fromDigit(8));
    QCOMPARE(m_annotation->history(m_ana).front().labelId, changed.labelId);
    storage::SqlQuery all(m_temp->workspace->db(),
                          QStringLiteral("SELECT COUNT(*), COUNT(retracted_at) FROM labels"),
                          QStringLiteral("count"));
    all.exec();
    QVERIFY(all.next());
    QCOMPARE(all.value(0).toInt(), 3);
    QCOMPARE(all.value(1).toInt(), 2);
    QVERIFY(testing::throws<annotation::InvalidRequest>(
        [&] { m_annotation->relabel(m_bob, changed.labelId, storage::Label::fromDigit(1)); }));
}

void tst_Annotation::reviewApprovesCorrectsRejects()
{
    addImages({0.1, 0.2, 0.3});
    std::vector<qint64> ids;
    for (int i = 0; i < 3; ++i) {
        const auto item = m_annotation->next(m_ana);
        m_annotation->label(m_ana, item->imageId, storage::Label::fromDigit(4), 700);
        ids.push_back(item->imageId);
    }
    annotation::ReviewService review(m_temp->workspace->db());
    const auto first = review.next(m_rui);
    QVERIFY(first);
    QCOMPARE(first->labels.size(), 1u);
    QCOMPARE(first->labels.front().annotator, QStringLiteral("ana"));
    review.approve(m_rui, ids[0]);
    review.correct(m_rui, ids[1], storage::Label::fromDigit(9));
    review.reject(m_rui, ids[2], QStringLiteral("this is a 9, look at the loop"));
    QCOMPARE(statusOf(ids[0]), QStringLiteral("approved"));
    QCOMPARE(statusOf(ids[1]), QStringLiteral("approved"));
    QCOMPARE(storage::ImageRepository(m_temp->workspace->db()).details(ids[1])->label,
             storage::MaybeLabel(storage::Label::fromDigit(9)));
    QCOMPARE(statusOf(ids[2]), QStringLiteral("incoming"));
    // A reviewed label can no longer be undone; the rejected image is back in Ana's queue.
    QVERIFY(!m_annotation->undo(m_ana));
    const auto back = m_annotation->next(m_ana);
    QCOMPARE(back->imageId, ids[2]);
    QCOMPARE(back->sentBack, QStringLiteral("rui: this is a 9, look at the loop"));
    storage::SqlQuery comment(
        m_temp->workspace->db(),
        QStringLiteral("SELECT comment FROM reviews WHERE verdict = 'rejected'"),
        QStringLiteral("read"));
    comment.exec();
    QVERIFY(comment.next());
    QCOMPARE(comment.value(0).toString(), QStringLiteral("this is a 9, look at the loop"));
    QVERIFY(!review.next(m_rui));
}

void tst_Annotation::reviewersAreShownDifferentImages()
{
    addImages({0.1, 0.2});
    for (int i = 0; i < 2; ++i) {
        const auto item = m_annotation->next(m_ana);
        m_annotation->label(m_ana, item->imageId, storage::Label::fromDigit(i), 500);
    }
    const auto second = testing::addUser(*m_temp->workspace, QStringLiteral("rob"), Role::Reviewer);
    annotation::ReviewService review(m_temp->workspace->db());
    const auto first = review.next(m_rui);
    QVERIFY(first);
    // The first reviewer holds the image on screen; the second is shown the other one.
    const auto other = review.next(second);
    QVERIFY(other);
    QVERIFY(other->imageId != first->imageId);
    QCOMPARE(review.next(m_rui)->imageId, first->imageId);
    QVERIFY(
        !review.next(testing::addUser(*m_temp->workspace, QStringLiteral("rae"), Role::Reviewer)));
    // A decision gives the image back, and a rejected image goes to the annotators again.
    review.reject(m_rui, first->imageId, QStringLiteral("smudged"));
    QCOMPARE(statusOf(first->imageId), QStringLiteral("incoming"));
    const auto another =
        testing::addUser(*m_temp->workspace, QStringLiteral("ann2"), Role::Annotator);
    QCOMPARE(m_annotation->next(another)->imageId, first->imageId);
}

void tst_Annotation::fourEyes()
{
    addImages({0.1, 0.2});
    const auto own = m_annotation->next(m_rui); // reviewers annotate too
    m_annotation->label(m_rui, own->imageId, storage::Label::fromDigit(2), 500);
    annotation::ReviewService review(m_temp->workspace->db());
    QVERIFY(!review.next(m_rui)); // never offered
    QVERIFY(testing::throws<annotation::PermissionDenied>(
        [&] { review.approve(m_rui, own->imageId); }));
    QCOMPARE(statusOf(own->imageId), QStringLiteral("labelled"));
    const auto refusal = storage::AuditLog(m_temp->workspace->db()).latest(1).front();
    QCOMPARE(refusal.detail, QStringLiteral("refused: own label (four eyes)"));
    QCOMPARE(refusal.outcome, QStringLiteral("denied"));
    const auto admin = testing::addUser(*m_temp->workspace, QStringLiteral("ada"), Role::Admin);
    QCOMPARE(review.next(admin)->imageId, own->imageId);
    review.approve(admin, own->imageId);
    QCOMPARE(statusOf(own->imageId), QStringLiteral("approved"));
}

void tst_Annotation::rolesAreChecked()
{
    addImages({0.1});
    const auto item = m_annotation->next(m_ana);
    m_annotation->label(m_ana, item->imageId, storage::Label::fromDigit(1), 100);
    annotation::ReviewService review(m_temp->workspace->db());
    QVERIFY(testing::throws<annotation::PermissionDenied>([&] { review.next(m_bob); }));
    QVERIFY(testing::throws<annotation::PermissionDenied>(
        [&] { review.approve(m_bob, item->imageId); }));
    QCOMPARE(statusOf(item->imageId), QStringLiteral("labelled"));
}

void tst_Annotation::goldIsMixedInUnannouncedAndChecked()
{
    std::vector<double> confidences(60, 0.5);
    addImages(confidences);
    annotation::ReviewService review(m_temp->workspace->db());
    std::vector<qint64> approved;
    for (int i = 0; i < 2; ++i) {
        const auto item = m_annotation->next(m_ana);
        m_annotation->label(m_ana, item->imageId, storage::Label::fromDigit(6), 300);
        review.approve(m_rui, item->imageId);
        approved.push_back(item->imageId);
    }
    QVERIFY(testing::throws<annotation::PermissionDenied>(
        [&] { review.markGold(m_ana, approved[0]); }));
    review.markGold(m_rui, approved[0]);
    review.markGold(m_rui, approved[1]);
    QVERIFY(testing::throws<annotation::InvalidRequest>(
        [&] { review.markGold(m_rui, 50); })); // not approved

    std::vector<annotation::LabelDecision> decisions;
    for (int i = 0; i < 20; ++i) {
        const auto item = m_annotation->next(m_bob);
        decisions.push_back(m_annotation->label(m_bob, item->imageId, storage::Label::fromDigit(1),
                                                300)); // wrong on gold
    }
    // Decision 10 of 20 (5%) was gold, unannounced; the answer comes after the fact.
    int gold = 0;
    for (const auto &decision : decisions) {
        if (decision.goldLabel) {
            ++gold;
            QCOMPARE(*decision.goldLabel, storage::Label::fromDigit(6));
            QCOMPARE(decision.imageId, approved[0]);
        }
    }
    QCOMPARE(gold, 1);
    QVERIFY(decisions[9].goldLabel.has_value());
    QCOMPARE(statusOf(approved[0]), QStringLiteral("approved")); // a check never relabels the image
    const annotation::QualityReport report =
        annotation::qualityReport(m_temp->workspace->db(), m_rui);
    bool found = false;
    for (const auto &row : report.annotators) {
        if (row.name == QStringLiteral("bob")) {
            found = true;
            QCOMPARE(row.goldAnswered, 1);
            QCOMPARE(row.goldAccuracy, 0.0);
            QCOMPARE(row.labels, 19);
        }
        if (row.name == QStringLiteral("ana")) {
            QCOMPARE(row.reviewed, 2);
            QCOMPARE(row.agreementWithReviewers, 1.0);
        }
    }
    QVERIFY(found);
    QVERIFY(testing::throws<annotation::PermissionDenied>(
        [&] { annotation::qualityReport(m_temp->workspace->db(), m_ana); }));
}

void tst_Annotation::overlapAsksForTwoLabelsAndDisagreementsComeFirst()
{
    addImages({0.1, 0.2, 0.3});
    storage::SettingsRepository(m_temp->workspace->db())
        .setValue(QStringLiteral("queue.overlap"), QStringLiteral("2"));
    std::vector<qint64> ids;
    for (int i = 0; i < 3; ++i) {
        const auto item = m_annotation->next(m_ana);
        m_annotation->label(m_ana, item->imageId, storage::Label::fromDigit(item->predictedLabel),
                            300);
        ids.push_back(item->imageId);
        QCOMPARE(statusOf(item->imageId), QStringLiteral("incoming")); // one more label needed
    }
    QVERIFY(!m_annotation->next(m_ana)); // never the same image twice for one annotator
    for (int i = 0; i < 3; ++i) {
        const auto item = m_annotation->next(m_bob);
        QCOMPARE(item->imageId, ids[static_cast<size_t>(i)]);
        m_annotation->label(m_bob, item->imageId,
                            storage::Label::fromDigit(i == 2 ? (item->predictedLabel + 1) % 10
                                                             : item->predictedLabel),
                            300);
        QCOMPARE(statusOf(item->imageId), QStringLiteral("labelled"));
    }
    annotation::ReviewService review(m_temp->workspace->db());
    const auto first = review.next(m_rui);
    QCOMPARE(first->imageId, ids[2]); // ana and the model agree, bob does not
    QCOMPARE(first->labels.size(), 2u);
    const annotation::QualityReport report =
        annotation::qualityReport(m_temp->workspace->db(), m_rui);
    QCOMPARE(report.pairs.size(), 1u);
    QCOMPARE(report.pairs.front().shared, 3);
}

void tst_Annotation::kappaOnAKnownTable()
{
    // The textbook table: 20 both yes, 5 first yes only, 10 second yes only, 15 both no.
    const auto digit = [](int value) {
        return storage::Label::fromDigit(value);
    };
    std::vector<std::pair<storage::Label, storage::Label>> ratings;
    ratings.insert(ratings.end(), 20, {digit(1), digit(1)});
    ratings.insert(ratings.end(), 5, {digit(1), digit(0)});
    ratings.insert(ratings.end(), 10, {digit(0), digit(1)});
    ratings.insert(ratings.end(), 15, {digit(0), digit(0)});
    QVERIFY(std::abs(annotation::cohensKappa(ratings) - 0.4) < 1e-9);
    const storage::Label notADigit = storage::Label::notADigit();
    QCOMPARE(annotation::cohensKappa(
                 {{digit(3), digit(3)}, {notADigit, notADigit}, {digit(7), digit(7)}}),
             1.0);
    QVERIFY(annotation::cohensKappa({{digit(1), digit(2)}, {digit(2), digit(1)}}) < 0);
}

QTEST_GUILESS_MAIN(tst_Annotation)
#include "tst_annotation.moc"
