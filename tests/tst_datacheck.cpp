// Data checks on dataset versions (issue 16): `digitdesk dataset check` run as a user runs it,
// its findings against what was planted, and the loop back to review.

#include "annotation/datacheckservice.h"
#include "annotation/datacheckthresholds.h"
#include "annotation/datasetservice.h"
#include "annotation/heldoutsplit.h"
#include "annotation/idxfile.h"
#include "annotation/releasechecklist.h"
#include "annotation/reviewservice.h"
#include "storage/modelrepository.h"
#include "storage/servingpredictionrepository.h"
#include "storage/sqlquery.h"
#include "tests/support/datacheckfixture.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTest>

#include <numeric>
#include <random>
#include <set>

using namespace digitdesk;
using namespace digitdesk::testing;

namespace {

// The digits the check learns from: 4 folds of 6 epochs find 2% flips among 5,000 digits.
constexpr int FlipDigits = 5000;
constexpr const char *FlipFolds = "4";
constexpr const char *FlipEpochs = "6";

} // namespace

class tst_DataCheck final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void findsFlippedLabels();
    void reportsLeakageAcrossTheSplit();
    void classBalanceAndLabelDrift();
    void sendsSuspectsToAnotherReviewerOnce();
    void refusesWhatItMayNot();
};

void tst_DataCheck::findsFlippedLabels()
{
    const Mnist mnist;
    TempWorkspace temp;
    // 2% flipped by a seeded generator; every other flip to the class it is most often confused
    // with, the rest to any other class.
    const std::map<int, int> confusable = {{4, 9}, {9, 4}, {3, 5}, {5, 3}, {7, 1},
                                           {1, 7}, {8, 3}, {2, 7}, {6, 0}, {0, 6}};
    std::mt19937 random(16);
    std::vector<int> order(FlipDigits);
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), random);
    std::vector<QByteArray> pixels;
    std::vector<int> labels;
    for (int i = 0; i < FlipDigits; ++i) {
        pixels.push_back(mnist.pixels(i));
        labels.push_back(mnist.label(i));
    }
    const int flipCount = FlipDigits / 50;
    std::set<int> flipped;
    for (int k = 0; k < flipCount; ++k) {
        const int i = order[k];
        const int given = labels[i];
        int wrong = k % 2 == 0 ? confusable.at(given) : int(random() % 9);
        if (k % 2 != 0 && wrong >= given) {
            ++wrong;
        }
        labels[i] = wrong;
        flipped.insert(i);
    }
    const QStringList shas = addApproved(*temp.workspace, pixels, labels);
    QSet<QString> flippedShas;
    for (int i : flipped) {
        flippedShas << shas[i];
    }
    commitVersion(*temp.workspace, "digits with 2% flipped");

    int exitCode = -1;
    const QJsonObject report =
        checkJson(temp.folder(),
                  {QStringLiteral("v1"), QStringLiteral("--folds"), QString::fromLatin1(FlipFolds),
                   QStringLiteral("--epochs"), QString::fromLatin1(FlipEpochs)},
                  &exitCode);
    QCOMPARE(exitCode, 0); // 2% suspected is within the default 3%
    QCOMPARE(report.value(QStringLiteral("images")).toInt(), FlipDigits);
    const QJsonArray suspects = report.value(QStringLiteral("label_errors"))
                                    .toObject()
                                    .value(QStringLiteral("suspects"))
                                    .toArray();
    int found = 0;
    for (const QJsonValue &value : suspects) {
        const QJsonObject suspect = value.toObject();
        if (flippedShas.contains(suspect.value(QStringLiteral("sha256")).toString())) {
            ++found;
        }
    }
    const double recall = double(found) / flipCount;
    const double precision = suspects.isEmpty() ? 0 : double(found) / suspects.size();
    qInfo("%d flips, %lld suspects, %d right: recall %.3f, precision %.3f, %.0f s", flipCount,
          qlonglong(suspects.size()), found, recall, precision,
          report.value(QStringLiteral("seconds")).toDouble());
    QVERIFY2(recall >= 0.8, qPrintable(QString::number(recall)));
    QVERIFY2(precision >= 0.8, qPrintable(QString::number(precision)));
    // Ranked by margin, and each carries the evidence a reviewer sees.
    const QJsonObject first = suspects.first().toObject();
    QVERIFY(first.value(QStringLiteral("confidence")).toDouble() >
            first.value(QStringLiteral("given_probability")).toDouble());
    QVERIFY(first.value(QStringLiteral("given")).toInt() !=
            first.value(QStringLiteral("suspected")).toInt());

    // Stored with the version: the check's row and one row per suspect.
    const qint64 checkId = report.value(QStringLiteral("check")).toInteger();
    const auto stored =
        storage::DataCheckRepository(temp.workspace->db()).latestFinished(QStringLiteral("v1"));
    QVERIFY(stored);
    QCOMPARE(stored->id, checkId);
    QCOMPARE(stored->suspected, int(suspects.size()));
    QCOMPARE(int(storage::LabelSuspectRepository(temp.workspace->db()).forCheck(checkId).size()),
             int(suspects.size()));
}

void tst_DataCheck::reportsLeakageAcrossTheSplit()
{
    const Mnist mnist;
    TempWorkspace temp;
    std::vector<QByteArray> pixels;
    std::vector<int> labels;
    for (int i = 6000; i < 6300; ++i) {
        pixels.push_back(mnist.pixels(i));
        labels.push_back(mnist.label(i));
    }
    // Copies of 24 digits: 12 shifted by a pixel, 12 touched up; and 12 identical copies.
    std::vector<std::pair<int, int>> copies; // original, copy
    for (int k = 0; k < 24; ++k) {
        const int original = k * 11;
        copies.emplace_back(original, int(pixels.size()));
        pixels.push_back(k < 12 ? shifted(pixels[original], 1) : touchedUp(pixels[original]));
        labels.push_back(labels[original]);
    }
    for (int k = 0; k < 12; ++k) {
        pixels.push_back(pixels[k * 7 + 3]);
        labels.push_back(labels[k * 7 + 3]);
    }
    const QStringList shas = addApproved(*temp.workspace, pixels, labels);
    const annotation::DatasetVersion version = commitVersion(*temp.workspace, "with copies");
    QCOMPARE(version.imageCount, 324); // an identical copy is the same image

    // Where the trainer puts each image: its split over the version's digits in labels.csv order.
    const auto rows = annotation::DatasetService(temp.workspace->db(), temp.workspace->root())
                          .rows(annotation::Principal::localOperator(), QStringLiteral("v1"));
    std::map<QString, size_t> position;
    for (const annotation::DatasetRow &row : rows) {
        position.emplace(row.sha256, position.size());
    }
    std::set<size_t> heldOut;
    for (size_t index : annotation::heldOutSplit(rows.size()).heldOut) {
        heldOut.insert(index);
    }

    const QJsonObject report = checkJson(
        temp.folder(), {QStringLiteral("v1"), QStringLiteral("--folds"), QStringLiteral("2"),
                        QStringLiteral("--epochs"), QStringLiteral("1")});
    const QJsonObject duplicates = report.value(QStringLiteral("duplicates")).toObject();
    std::map<std::pair<QString, QString>, bool> reported;
    for (const QJsonValue &value : duplicates.value(QStringLiteral("near_duplicates")).toArray()) {
        const QJsonObject pair = value.toObject();
        QString a = pair.value(QStringLiteral("first")).toString();
        QString b = pair.value(QStringLiteral("second")).toString();
        reported[{std::min(a, b), std::max(a, b)}] = pair.value(QStringLiteral("leakage")).toBool();
    }
    int straddling = 0;
    std::set<QString> leakingHeldOut;
    for (const auto &[original, copy] : copies) {
        const QString a = shas[original];
        const QString b = shas[copy];
        const auto found = reported.find({std::min(a, b), std::max(a, b)});
        QVERIFY2(found != reported.end(),
                 qPrintable(QStringLiteral("copy of %1 not found").arg(a)));
        const bool aHeld = heldOut.count(position.at(a)) > 0;
        const bool bHeld = heldOut.count(position.at(b)) > 0;
        QCOMPARE(found->second, aHeld != bHeld);
        if (aHeld != bHeld) {
            ++straddling;
            leakingHeldOut.insert(aHeld ? a : b);
        }
    }
    QVERIFY(straddling > 0);
    QCOMPARE(duplicates.value(QStringLiteral("held_out")).toInt(), int(heldOut.size()));
    QVERIFY(duplicates.value(QStringLiteral("leaking_held_out")).toInt() >=
            int(leakingHeldOut.size()));
    // Nothing but the planted copies is reported among 300 distinct digits.
    QCOMPARE(reported.size(), copies.size());
}

void tst_DataCheck::classBalanceAndLabelDrift()
{
    TempWorkspace temp;
    const auto ring = [](int from, int count, int label, std::vector<QByteArray> *pixels,
                         std::vector<int> *labels) {
        for (int i = from; i < from + count; ++i) {
            pixels->push_back(ringPixels(i));
            labels->push_back(label);
        }
    };
    std::vector<QByteArray> pixels;
    std::vector<int> labels;
    for (int label = 0; label < 10; ++label) {
        ring(label * 30, 30, label, &pixels, &labels);
    }
    addApproved(*temp.workspace, pixels, labels);
    commitVersion(*temp.workspace, "30 of each");
    pixels.clear();
    labels.clear();
    ring(1000, 30, 3, &pixels, &labels);
    addApproved(*temp.workspace, pixels, labels);
    commitVersion(*temp.workspace, "30 more threes");
    // The production model answered 100 of each class but 300 sevens in the last hour.
    const auto engineer =
        addUser(*temp.workspace, QStringLiteral("eve"), annotation::Role::MlEngineer);
    const qint64 model = addUntrainedModel(temp, engineer);
    storage::ModelRepository(temp.workspace->db())
        .moveAlias(QStringLiteral("production"), model, {QStringLiteral("test"), 0, 0},
                   QStringLiteral("test"));
    std::vector<storage::ServingPredictionCount> served;
    const qint64 minute = QDateTime::currentSecsSinceEpoch() / 60 - 30;
    for (int label = 0; label < 10; ++label) {
        served.push_back({minute, model, label, 19, false, label == 7 ? 300 : 100});
    }
    storage::ServingPredictionRepository(temp.workspace->db()).add(served);

    const QJsonObject report = checkJson(
        temp.folder(), {QStringLiteral("v2"), QStringLiteral("--folds"), QStringLiteral("2"),
                        QStringLiteral("--epochs"), QStringLiteral("1")});
    const QJsonObject balance = report.value(QStringLiteral("balance")).toObject();
    const QJsonArray counts = balance.value(QStringLiteral("counts")).toArray();
    for (int label = 0; label < 10; ++label) {
        QCOMPARE(counts.at(label).toInt(), label == 3 ? 60 : 30);
    }
    QCOMPARE(balance.value(QStringLiteral("imbalance_ratio")).toDouble(), 2.0);
    // Against v1's uniform shares: E = 33 each; (60-33)^2/33 + 9 (30-33)^2/33 = 810/33.
    const QJsonObject previous = balance.value(QStringLiteral("previous")).toObject();
    QCOMPARE(previous.value(QStringLiteral("against")).toString(), QStringLiteral("v1"));
    QVERIFY(qAbs(previous.value(QStringLiteral("chi_square")).toDouble() - 810.0 / 33) < 1e-9);
    QCOMPARE(previous.value(QStringLiteral("degrees_of_freedom")).toInt(), 9);
    const QJsonArray change = previous.value(QStringLiteral("share_change")).toArray();
    QVERIFY(qAbs(change.at(3).toDouble() - (60.0 / 330 - 0.1)) < 1e-12);
    QVERIFY(qAbs(change.at(0).toDouble() - (30.0 / 330 - 0.1)) < 1e-12);
    // Against the served answers: E = 82.5 for 7, 27.5 for the others.
    const QJsonObject traffic = balance.value(QStringLiteral("served")).toObject();
    const double expected = 52.5 * 52.5 / 82.5 + 32.5 * 32.5 / 27.5 + 8 * 2.5 * 2.5 / 27.5;
    QVERIFY(qAbs(traffic.value(QStringLiteral("chi_square")).toDouble() - expected) < 1e-9);
    QVERIFY(traffic.value(QStringLiteral("p_value")).toDouble() < 1e-6);
    QVERIFY(traffic.value(QStringLiteral("against")).toString().contains(QString::number(model)));
}

void tst_DataCheck::sendsSuspectsToAnotherReviewerOnce()
{
    const Mnist mnist;
    TempWorkspace temp;
    const auto annotator =
        addUser(*temp.workspace, QStringLiteral("ann"), annotation::Role::Annotator);
    const auto rita = addUser(*temp.workspace, QStringLiteral("rita"), annotation::Role::Reviewer);
    const auto rob = addUser(*temp.workspace, QStringLiteral("rob"), annotation::Role::Reviewer);
    // 400 digits labelled by ann, every 25th wrongly, all approved by rita.
    std::vector<QByteArray> pixels;
    std::vector<int> labels;
    for (int i = 0; i < 400; ++i) {
        pixels.push_back(mnist.pixels(7000 + i));
        labels.push_back(i % 25 == 0 ? (mnist.label(7000 + i) + 5) % 10 : mnist.label(7000 + i));
    }
    {
        storage::ImageRepository images(temp.workspace->db());
        storage::Transaction transaction(temp.workspace->db());
        for (const QByteArray &image : pixels) {
            storage::NewImage item;
            item.pixels = image;
            item.sha256 = storage::BlobStore::digestOf(image);
            item.source = QStringLiteral("scanner");
            images.insert(item, {QStringLiteral("test"), 0, 0});
        }
        transaction.commit();
    }
    std::map<QString, int> wanted;
    for (size_t i = 0; i < pixels.size(); ++i) {
        wanted[storage::BlobStore::digestOf(pixels[i])] = labels[i];
    }
    annotation::AnnotationService annotate(temp.workspace->db());
    while (const auto item = annotate.next(annotator)) {
        annotate.label(
            annotator, item->imageId,
            storage::Label::fromDigit(wanted.at(storage::BlobStore::digestOf(item->pixels))), 500);
    }
    annotation::ReviewService review(temp.workspace->db());
    while (const auto item = review.next(rita)) {
        review.approve(rita, item->imageId);
    }
    commitVersion(*temp.workspace, "labelled by ann, approved by rita");

    const QJsonObject report =
        checkJson(temp.folder(), {QStringLiteral("v1"), QStringLiteral("--folds"),
                                  QStringLiteral("2"), QStringLiteral("--epochs"),
                                  QStringLiteral("4"), QStringLiteral("--send-to-review")});
    const int suspects = int(report.value(QStringLiteral("label_errors"))
                                 .toObject()
                                 .value(QStringLiteral("suspects"))
                                 .toArray()
                                 .size());
    QVERIFY(suspects >= 2);
    const QJsonObject sent = report.value(QStringLiteral("sent_to_review")).toObject();
    QCOMPARE(sent.value(QStringLiteral("sent")).toInt(), suspects);
    const QString waiting = QStringLiteral("SELECT COUNT(*) FROM images WHERE status = 'labelled'");
    QCOMPARE(scalar(*temp.workspace, waiting), suspects);

    // Sending again creates nothing.
    const auto operatorPrincipal = annotation::Principal::localOperator();
    annotation::DataCheckService checks(temp.workspace->db(), temp.workspace->root());
    const qint64 checkId = report.value(QStringLiteral("check")).toInteger();
    const annotation::SentToReview again = checks.sendToReview(operatorPrincipal, checkId);
    QCOMPARE(again.sent, 0);
    QCOMPARE(again.alreadySent, suspects);
    QCOMPARE(scalar(*temp.workspace, waiting), suspects);

    // Rita approved them: the queue gives her none, and she may not decide one.
    QVERIFY(!review.next(rita));
    const auto first = review.next(rob);
    QVERIFY(first);
    QVERIFY(first->suspectedError);
    QCOMPARE(first->suspectedError->checkedVersion, QStringLiteral("v1"));
    QCOMPARE(first->suspectedError->previousReviewer, QStringLiteral("rita"));
    QVERIFY(first->suspectedError->givenLabel != first->suspectedError->suspectedLabel);
    QVERIFY(first->suspectedError->confidence > 0);
    QVERIFY(throws<annotation::PermissionDenied>([&] { review.approve(rita, first->imageId); }));

    // Rob confirms one (corrects it to the suspected label) and keeps another.
    review.correct(rob, first->imageId,
                   storage::Label::fromDigit(first->suspectedError->suspectedLabel));
    const auto second = review.next(rob);
    QVERIFY(second && second->suspectedError);
    review.approve(rob, second->imageId);
    const storage::SuspectDecisions decisions = checks.decisions(operatorPrincipal);
    QCOMPARE(decisions.sent, suspects);
    QCOMPARE(decisions.decided, 2);
    QCOMPARE(decisions.confirmed, 1);
    QCOMPARE(scalar(*temp.workspace, waiting), suspects - 2);
    QCOMPARE(approvedLabels(*temp.workspace).at(storage::BlobStore::digestOf(first->pixels)),
             first->suspectedError->suspectedLabel);

    // Over a threshold: the version is marked, training on it needs a confirmation.
    QCOMPARE(
        runDigitdeskOn(temp.folder(), "settings set checks.max_suspected_share 0.001").exitCode, 0);
    QVERIFY(!annotation::dataCheckItem(temp.workspace->db(), QStringLiteral("v1")).passed);
    const CliRun refused = runDigitdeskOn(temp.folder(), "train --dataset v1 --epochs 1");
    QCOMPARE(refused.exitCode, 2);
    QVERIFY2(refused.err.contains(QStringLiteral("over the data-check thresholds")) &&
                 refused.err.contains(QStringLiteral("--confirm-checks")),
             qPrintable(refused.err));
}

void tst_DataCheck::refusesWhatItMayNot()
{
    TempWorkspace temp;
    const auto reviewer =
        addUser(*temp.workspace, QStringLiteral("rita"), annotation::Role::Reviewer);
    addApprovedImages(*temp.workspace, 0, 100);
    commitVersion(*temp.workspace, "rings");
    annotation::DataCheckService checks(temp.workspace->db(), temp.workspace->root());
    QVERIFY(throws<annotation::PermissionDenied>(
        [&] { checks.run(reviewer, QStringLiteral("v1"), annotation::DataCheckOptions{}); }));

    const CliRun missing = runDigitdeskOn(temp.folder(), "dataset check v9");
    QCOMPARE(missing.exitCode, 2);
    QVERIFY2(missing.err.contains(QStringLiteral("v9")), qPrintable(missing.err));
    const CliRun tooSmall = runDigitdeskOn(temp.folder(), "dataset check v1 --folds 10");
    QCOMPARE(tooSmall.exitCode, 2);
    QVERIFY2(tooSmall.err.contains(QStringLiteral("v1")) &&
                 tooSmall.err.contains(QStringLiteral("too few")),
             qPrintable(tooSmall.err));
    const CliRun badFolds = runDigitdeskOn(temp.folder(), "dataset check --folds 1 v1");
    QCOMPARE(badFolds.exitCode, 1);
    QVERIFY2(badFolds.err.contains(QStringLiteral("--folds")), qPrintable(badFolds.err));
    QCOMPARE(runDigitdeskOn(temp.folder(), "dataset check").exitCode, 1);
}

QTEST_GUILESS_MAIN(tst_DataCheck)
#include "tst_datacheck.moc"
