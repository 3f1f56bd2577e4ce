#include "annotation/datasetservice.h"
#include "annotation/heldoutsplit.h"
#include "annotation/idxfile.h"
#include "annotation/modelcomparison.h"
#include "annotation/modelregistry.h"
#include "storage/blobstore.h"
#include "storage/imagerepository.h"
#include "tests/support/runfixture.h"
#include "tests/support/signoff.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTest>

#include <atomic>

using namespace digitdesk;
using annotation::ModelComparison;
using annotation::ModelComparisonResult;
using testing::addApprovedDigits;
using testing::runDigitdeskOn;

namespace {

// The SHA-256s of the training or the held-out part of a version's training files, read as
// the trainer reads them.
QSet<QString> trainingImages(const storage::Workspace &workspace, const QString &tag,
                             const QString &folder, bool heldOut)
{
    const auto [imagesPath, labelsPath] =
        annotation::DatasetService(workspace.db(), workspace.root())
            .trainingFiles(annotation::Principal::localOperator(), tag, folder);
    const annotation::IdxArray images = annotation::readIdxFile(imagesPath);
    const annotation::HeldOutSplit split =
        annotation::heldOutSplit(static_cast<size_t>(images.itemCount()));
    QSet<QString> shas;
    for (size_t index : heldOut ? split.heldOut : split.train) {
        shas.insert(storage::BlobStore::digestOf(
            images.data.mid(static_cast<qsizetype>(index) * 784, 784)));
    }
    return shas;
}

QJsonObject jsonOf(const QString &text)
{
    return QJsonDocument::fromJson(text.toUtf8()).object();
}

} // namespace

class tst_Comparison : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void heldOutIsWhatTrainingNeverSaw();
    void cliPrintsTheComparison();
    void usageErrors_data();
    void usageErrors();
    void permissions();
    void cancel();
    void learntFromAnotherVersion();

private:
    ModelComparisonResult compare(const QString &tag = QStringLiteral("v1")) const;

    // v1: 400 MNIST digits and 3 "not a digit"; 60 digits and 1 "not a digit" approved since.
    std::unique_ptr<testing::TempWorkspace> m_temp;
    testing::People m_people;
    qint64 m_trained = 0;   // `digitdesk train --dataset v1 --epochs 2 --batch 16`
    qint64 m_untrained = 0; // registered untrained: answers nearly at random
};

ModelComparisonResult tst_Comparison::compare(const QString &tag) const
{
    annotation::ComparisonRequest request;
    request.modelA = QString::number(m_trained);
    request.modelB = QString::number(m_untrained);
    request.datasetTag = tag;
    return ModelComparison(m_temp->workspace->db(), m_temp->workspace->root())
        .compare(m_people.engineer, request);
}

void tst_Comparison::initTestCase()
{
    QVERIFY(QFile::exists(QStringLiteral(DIGITDESK_BINARY)));
    m_temp = std::make_unique<testing::TempWorkspace>();
    const storage::Workspace &workspace = *m_temp->workspace;
    m_people = testing::addPeople(workspace);
    addApprovedDigits(workspace, 0, 400);
    testing::labelAndApprove(workspace, 0, {-1, -1, -1}, m_people.annotator, m_people.reviewer);
    annotation::DatasetService(workspace.db(), workspace.root())
        .commit(m_people.reviewer, QStringLiteral("400 digits"));
    addApprovedDigits(workspace, 400, 60);
    testing::labelAndApprove(workspace, 3, {-1}, m_people.annotator, m_people.reviewer);

    const testing::CliRun run =
        runDigitdeskOn(m_temp->folder(), "train --dataset v1 --epochs 2 --batch 16");
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    const annotation::ModelRegistry registry(workspace.db(), workspace.root());
    m_trained = registry.list().back().id;
    m_untrained = testing::addUntrainedModel(*m_temp, m_people.engineer);
    QVERIFY(m_untrained != m_trained);
}

void tst_Comparison::heldOutIsWhatTrainingNeverSaw()
{
    const ModelComparisonResult result = compare();
    // The trainer's own figures for its held-out split, as `digitdesk train` recorded them.
    const annotation::ModelRegistry registry(m_temp->workspace->db(), m_temp->workspace->root());
    const QJsonObject metrics = jsonOf(registry.find(m_trained).metrics);
    QCOMPARE(result.heldOut.count, 80); // floor(400 * 0.2): "not a digit" is never trained on
    QCOMPARE(metrics.value(QStringLiteral("validation_count")).toInt(), result.heldOut.count);
    QCOMPARE(result.heldOut.a.accuracy, metrics.value(QStringLiteral("validation"))
                                            .toObject()
                                            .value(QStringLiteral("accuracy"))
                                            .toDouble());
    QCOMPARE(result.heldOut.a.learntFrom, 0);
    QCOMPARE(result.heldOut.b.learntFrom, -1); // not trained on a version: unknown
    QCOMPARE(result.a.trainedOn, QStringLiteral("v1"));
    QCOMPARE(result.version.tag, QStringLiteral("v1"));
    QVERIFY(result.b.trainedOn.isEmpty());
    // One epoch on 320 images learns something; an untrained network does not.
    QVERIFY2(result.heldOut.a.accuracy > 0.5,
             qPrintable(QString::number(result.heldOut.a.accuracy)));
    QVERIFY(result.heldOut.mcNemar.b > result.heldOut.mcNemar.c);

    // The approved digits v1 does not hold: the 60 added after it (the "not a digit" left out).
    QCOMPARE(result.newer.count, 60);
    QCOMPARE(result.newer.a.learntFrom, 0);
    QCOMPARE(result.newer.name, QStringLiteral("labels approved since v1"));
    const storage::ImageRepository images(m_temp->workspace->db());
    for (const annotation::SetComparison *set : {&result.heldOut, &result.newer}) {
        QCOMPARE(set->a.count, set->count);
        QCOMPARE(set->bothRight + set->bothWrong + set->mcNemar.b + set->mcNemar.c, set->count);
        QCOMPARE(static_cast<int>(set->disagreements.size()), set->disagreementCount);
        for (const annotation::Disagreement &d : set->disagreements) {
            QVERIFY(d.a.label != d.b.label);
            QCOMPARE(storage::BlobStore::digestOf(d.pixels), d.sha256);
            QVERIFY(d.imageId > 0);
            QCOMPARE(images.details(d.imageId)->sha256, d.sha256);
        }
    }
}

void tst_Comparison::cliPrintsTheComparison()
{
    const ModelComparisonResult result = compare();
    // Options in another order than the usage gives them.
    testing::CliRun run = runDigitdeskOn(
        m_temp->folder(), "eval --dataset v1 --json --against",
        {QString::number(m_untrained), QStringLiteral("--model"), QString::number(m_trained)});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    const QJsonObject json = jsonOf(run.out);
    QCOMPARE(json.value(QStringLiteral("a")).toObject().value(QStringLiteral("id")).toInteger(),
             m_trained);
    QCOMPARE(
        json.value(QStringLiteral("dataset")).toObject().value(QStringLiteral("tag")).toString(),
        QStringLiteral("v1"));
    for (const auto &[key, set] : {std::pair{QStringLiteral("held_out"), &result.heldOut},
                                   std::pair{QStringLiteral("approved_since"), &result.newer}}) {
        const QJsonObject printed = json.value(key).toObject();
        QCOMPARE(printed.value(QStringLiteral("count")).toInt(), set->count);
        const QJsonObject a = printed.value(QStringLiteral("a")).toObject();
        QCOMPARE(a.value(QStringLiteral("accuracy")).toDouble(), set->a.accuracy);
        QCOMPARE(a.value(QStringLiteral("ece")).toDouble(), set->a.ece);
        QCOMPARE(a.value(QStringLiteral("accuracy_ci95")).toArray().at(0).toDouble(),
                 set->a.accuracyInterval.lower);
        QCOMPARE(a.value(QStringLiteral("learnt_from")).toInt(), 0);
        QCOMPARE(a.value(QStringLiteral("confusion")).toArray().at(7).toArray().at(7).toInt(),
                 set->a.confusion[7][7]);
        QVERIFY(
            !printed.value(QStringLiteral("b")).toObject().contains(QStringLiteral("learnt_from")));
        const QJsonObject test = printed.value(QStringLiteral("mcnemar")).toObject();
        QCOMPARE(test.value(QStringLiteral("b")).toInt(), set->mcNemar.b);
        QCOMPARE(test.value(QStringLiteral("c")).toInt(), set->mcNemar.c);
        QCOMPARE(test.value(QStringLiteral("p_value")).toDouble(), set->mcNemar.pValue);
        QCOMPARE(printed.value(QStringLiteral("disagreement_count")).toInt(),
                 set->disagreementCount);
        QCOMPARE(printed.value(QStringLiteral("disagreements")).toArray().size(),
                 static_cast<qsizetype>(set->disagreements.size()));
        QCOMPARE(printed.value(QStringLiteral("verdict")).toString(), set->verdict);
    }

    // The text a person reads: the same figures.
    run = runDigitdeskOn(m_temp->folder(), "eval --model",
                         {QString::number(m_trained), QStringLiteral("--against"),
                          QString::number(m_untrained), QStringLiteral("--dataset"),
                          QStringLiteral("v1")});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    const annotation::ModelFigures &a = result.heldOut.a;
    for (const QString &expected :
         {QStringLiteral("Held-out split of v1: 80 images"),
          QStringLiteral("Labels approved since v1: 60 images"),
          QStringLiteral("%1% (95% CI %2%-%3%)")
              .arg(a.accuracy * 100, 0, 'f', 2)
              .arg(a.accuracyInterval.lower * 100, 0, 'f', 1)
              .arg(a.accuracyInterval.upper * 100, 0, 'f', 1),
          QStringLiteral("only A right %1, only B right %2")
              .arg(result.heldOut.mcNemar.b)
              .arg(result.heldOut.mcNemar.c),
          QStringLiteral("%1 images answered differently").arg(result.heldOut.disagreementCount),
          QString::number(a.ece, 'f', 4), result.heldOut.verdict, result.newer.verdict,
          QStringLiteral("0 of these images"), QStringLiteral("trained on v1")}) {
        QVERIFY2(run.out.contains(expected), qPrintable(expected + QStringLiteral("\n") + run.out));
    }
    QVERIFY2(
        result.heldOut.verdict.startsWith(
            QStringLiteral("model %1 is better than model %2").arg(m_trained).arg(m_untrained)),
        qPrintable(result.heldOut.verdict));

    // An alias names model B as well as its id does.
    testing::approveRelease(*m_temp->workspace, m_untrained);
    annotation::ModelRegistry(m_temp->workspace->db(), m_temp->workspace->root())
        .moveAlias(m_people.engineer, annotation::ProductionAlias, m_untrained,
                   QStringLiteral("the comparison's baseline"));
    run = runDigitdeskOn(m_temp->folder(), "eval --against production --dataset v1 --json --model",
                         {QString::number(m_trained)});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QCOMPARE(jsonOf(run.out)
                 .value(QStringLiteral("held_out"))
                 .toObject()
                 .value(QStringLiteral("verdict"))
                 .toString(),
             result.heldOut.verdict);
}

void tst_Comparison::usageErrors_data()
{
    QTest::addColumn<QString>("arguments");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("message");
    QTest::newRow("no dataset") << "eval --model 1 --against 2" << 1
                                << "a comparison needs both --against B and --dataset vN";
    QTest::newRow("no against") << "eval --model 1 --dataset v1" << 1
                                << "a comparison needs both --against B and --dataset vN";
    QTest::newRow("and data") << "eval --model 1 --against 2 --dataset v1 --data x" << 1
                              << "--data and --split do not apply";
    QTest::newRow("json alone") << "eval --model 1 --data x --json" << 1
                                << "--json prints a comparison";
    QTest::newRow("no model") << "eval --against 2 --dataset v1" << 1 << "--model is required";
    QTest::newRow("no version") << "eval --model 1 --against 2 --dataset v9" << 2
                                << "there is no dataset version 'v9'";
    QTest::newRow("no model 99") << "eval --model 99 --against 2 --dataset v1" << 2
                                 << "there is no model 99";
}

void tst_Comparison::usageErrors()
{
    QFETCH(QString, arguments);
    QFETCH(int, exitCode);
    QFETCH(QString, message);
    const testing::CliRun run = runDigitdeskOn(m_temp->folder(), qPrintable(arguments));
    QCOMPARE(run.exitCode, exitCode);
    QVERIFY2(run.err.contains(message), qPrintable(run.err));
}

void tst_Comparison::permissions()
{
    annotation::ComparisonRequest request;
    request.modelA = QString::number(m_trained);
    request.modelB = QString::number(m_untrained);
    request.datasetTag = QStringLiteral("v1");
    const ModelComparison comparison(m_temp->workspace->db(), m_temp->workspace->root());
    for (const auto &[who, allowed] :
         {std::pair{m_people.annotator, false}, std::pair{m_people.reviewer, false},
          std::pair{m_people.engineer, true}, std::pair{m_people.admin, true}}) {
        const bool denied = testing::throws<annotation::PermissionDenied>(
            [&] { comparison.compare(who, request); });
        QVERIFY2(denied != allowed, qPrintable(who.name));
    }
    // A manager reads the figures but is not shown the images the models disagree on.
    const auto manager =
        testing::addUser(*m_temp->workspace, QStringLiteral("mona"), annotation::Role::Manager);
    const ModelComparisonResult seen = comparison.compare(manager, request);
    QVERIFY(!seen.heldOut.disagreements.empty());
    for (const annotation::SetComparison *set : {&seen.heldOut, &seen.newer}) {
        for (const annotation::Disagreement &d : set->disagreements) {
            QVERIFY(d.pixels.isEmpty());
            QVERIFY(!d.sha256.isEmpty());
        }
    }
}

void tst_Comparison::cancel()
{
    annotation::ComparisonRequest request;
    request.modelA = QString::number(m_trained);
    request.modelB = QString::number(m_untrained);
    request.datasetTag = QStringLiteral("v1");
    std::atomic<bool> cancelled = false;
    std::vector<std::pair<qint64, qint64>> reports;
    const ModelComparisonResult result =
        ModelComparison(m_temp->workspace->db(), m_temp->workspace->root())
            .compare(
                m_people.engineer, request,
                [&](qint64 done, qint64 total) {
                    reports.emplace_back(done, total);
                    cancelled = true; // the first batch answered, then Cancel
                },
                &cancelled);
    QVERIFY(result.cancelled);
    QCOMPARE(reports.size(), 1u);
    QCOMPARE(reports.front(), (std::pair<qint64, qint64>{80, 2 * (80 + 60)}));
    QCOMPARE(result.heldOut.count, 0);
}

void tst_Comparison::learntFromAnotherVersion()
{
    // v2 holds v1 and the 60 since: part of its held-out split is what model A trained on.
    const storage::Workspace &workspace = *m_temp->workspace;
    annotation::DatasetService(workspace.db(), workspace.root())
        .commit(m_people.reviewer, QStringLiteral("60 more"));
    const ModelComparisonResult result = compare(QStringLiteral("v2"));
    QCOMPARE(result.heldOut.count, 92); // floor(460 * 0.2)
    QCOMPARE(result.newer.count, 0);
    QCOMPARE(result.newer.verdict, QStringLiteral("no images to compare on the labels approved "
                                                  "since v2"));
    // Worked out from the training files both versions check out, as the trainer reads them.
    QSet<QString> learnt = trainingImages(workspace, QStringLiteral("v1"),
                                          m_temp->dir.filePath(QStringLiteral("v1")), false);
    learnt.intersect(trainingImages(workspace, QStringLiteral("v2"),
                                    m_temp->dir.filePath(QStringLiteral("v2")), true));
    QVERIFY(!learnt.isEmpty());
    QCOMPARE(result.heldOut.a.learntFrom, static_cast<int>(learnt.size()));
    const testing::CliRun run = runDigitdeskOn(
        m_temp->folder(), "eval --dataset v2 --against",
        {QString::number(m_untrained), QStringLiteral("--model"), QString::number(m_trained)});
    QVERIFY2(run.out.contains(QStringLiteral("%1 of these images").arg(learnt.size())),
             qPrintable(run.out));
}

QTEST_GUILESS_MAIN(tst_Comparison)
#include "tst_comparison.moc"
