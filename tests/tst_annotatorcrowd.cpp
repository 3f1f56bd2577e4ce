#include "annotation/accesscontrol.h"
#include "annotation/annotationservice.h"
#include "annotation/authservice.h"
#include "annotation/reviewservice.h"
#include "annotation/userservice.h"
#include "storage/dialect.h"
#include "storage/labelrepository.h"
#include "storage/settingsrepository.h"
#include "storage/sqlquery.h"
#include "storage/workspace.h"
#include "tests/support/testdata.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QProcess>
#include <QSet>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <vector>

using namespace digitdesk;

namespace {

constexpr int ItemsEach = 200;
const QString Password = QStringLiteral("correct horse");
const QString FourEyesRefusal = QStringLiteral("refused: own label (four eyes)");

// The child: one person at the annotate and then the review screen, through the services the
// GUI uses. It labels `count` items, tries once to approve its own label, prints LABELLED and
// waits for the parent's plan on stdin before it reviews, so that nobody finds the review
// queue empty only because the others are still labelling. The review queue leases nothing:
// reviewers who ask ReviewService::next at once are all shown the same image and all but one
// lose the race, so the plan splits the backlog as a team lead would, each image given to two
// reviewers from opposite ends, and the queue takes whatever is left. One log line per lease,
// label and review goes to `logFile` (stdout would fill its pipe while the parent waits on
// another child).
int runAnnotator(const QString &folder, const QString &name, int count, const QString &logFile)
{
    QFile log(logFile);
    if (!log.open(QIODevice::WriteOnly | QIODevice::Text)) {
        std::fprintf(stderr, "%s: cannot write %s: %s\n", qPrintable(name), qPrintable(logFile),
                     qPrintable(log.errorString()));
        return 1;
    }
    const auto write = [&log](const QString &line) {
        log.write(line.toUtf8() + '\n');
    };
    const auto workspace = storage::Workspace::open(folder);
    const annotation::LoginResult login = annotation::AuthService(workspace->db())
                                              .login(name, Password, QStringLiteral("crowd-test"));
    if (!login.ok()) {
        std::fprintf(stderr, "%s: %s\n", qPrintable(name), qPrintable(login.message));
        return 1;
    }
    const annotation::Principal &who = login.principal;
    annotation::AnnotationService annotation(workspace->db());
    annotation::ReviewService review(workspace->db());

    write(QStringLiteral("START %1").arg(QDateTime::currentMSecsSinceEpoch()));
    qint64 lastImage = 0;
    QElapsedTimer call;
    for (int i = 0; i < count; ++i) {
        const auto item = annotation.next(who);
        if (!item) {
            std::fprintf(stderr, "%s: the queue ran dry after %d labels\n", qPrintable(name), i);
            return 1;
        }
        write(QStringLiteral("LEASED %1").arg(item->imageId));
        const auto label = storage::Label::fromIndex(
            static_cast<int>((item->imageId + who.userId) % storage::Label::Classes));
        call.start();
        const annotation::LabelDecision decision = annotation.label(who, item->imageId, label, 0);
        const qint64 micros = call.nsecsElapsed() / 1000;
        write(QStringLiteral("ACK %1 %2 %3 %4")
                  .arg(decision.labelId)
                  .arg(decision.imageId)
                  .arg(decision.label.index())
                  .arg(micros));
        lastImage = decision.imageId;
    }
    write(QStringLiteral("END %1").arg(QDateTime::currentMSecsSinceEpoch()));

    // Nobody reviews before the parent's word, so the own label is still waiting for review.
    try {
        review.approve(who, lastImage);
        write(QStringLiteral("APPROVED-OWN %1").arg(lastImage));
    } catch (const annotation::PermissionDenied &) {
        write(QStringLiteral("REFUSED %1").arg(lastImage));
    }
    log.flush();
    std::printf("LABELLED\n");
    std::fflush(stdout);
    // The parent's word is the images this reviewer is to review, in order.
    QFile input;
    if (!input.open(stdin, QIODevice::ReadOnly)) {
        std::fprintf(stderr, "%s: cannot read stdin\n", qPrintable(name));
        return 1;
    }
    const QList<QByteArray> plan = input.readLine().trimmed().split(' ');
    if (plan.value(0) != "review") {
        std::fprintf(stderr, "%s: the parent went away before the review\n", qPrintable(name));
        return 1;
    }

    write(QStringLiteral("REVIEW-START %1").arg(QDateTime::currentMSecsSinceEpoch()));
    int lost = 0;
    const auto approve = [&](qint64 imageId) {
        try {
            review.approve(who, imageId);
            write(QStringLiteral("REVIEWED %1").arg(imageId));
        } catch (const annotation::InvalidRequest &) {
            ++lost; // another reviewer was first
        }
    };
    for (qsizetype i = 1; i < plan.size(); ++i) {
        approve(plan[i].toLongLong());
    }
    // Then the queue, as the review screen offers it, until it has nothing left for them.
    while (const auto item = review.next(who)) {
        approve(item->imageId);
    }
    write(QStringLiteral("LOST %1").arg(lost));
    write(QStringLiteral("REVIEW-END %1").arg(QDateTime::currentMSecsSinceEpoch()));
    return 0;
}

struct Ack
{
    qint64 labelId = 0;
    qint64 imageId = 0;
    int labelIndex = 0;
    qint64 micros = 0;
};

// What one child logged: its lists, and by their first word the lines that come once (START,
// END, REVIEW-START, REVIEW-END, REFUSED, APPROVED-OWN, LOST).
struct ChildLog
{
    QString name;
    qint64 userId = 0;
    std::vector<qint64> leased;
    std::vector<Ack> acks;
    std::vector<qint64> reviewed;
    QHash<QByteArray, qint64> once;
};

ChildLog readLog(const QString &path)
{
    ChildLog result;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
        return result;
    }
    while (!file.atEnd()) {
        const QList<QByteArray> fields = file.readLine().trimmed().split(' ');
        if (fields[0] == "ACK" && fields.size() == 5) {
            result.acks.push_back({fields[1].toLongLong(), fields[2].toLongLong(),
                                   fields[3].toInt(), fields[4].toLongLong()});
        } else if (fields.size() == 2) {
            const qint64 value = fields[1].toLongLong();
            if (fields[0] == "LEASED") {
                result.leased.push_back(value);
            } else if (fields[0] == "REVIEWED") {
                result.reviewed.push_back(value);
            } else {
                result.once.insert(fields[0], value);
            }
        }
    }
    return result;
}

// Reads the child's stdout until `line`; false when it ended or the deadline passed first.
bool waitForLine(QProcess &process, const QByteArray &line, const QDeadlineTimer &deadline)
{
    for (;;) {
        while (process.canReadLine()) {
            if (process.readLine().trimmed() == line) {
                return true;
            }
        }
        if (process.state() == QProcess::NotRunning || deadline.hasExpired()) {
            return false;
        }
        process.waitForReadyRead(static_cast<int>(deadline.remainingTime()));
    }
}

qint64 countOf(const QSqlDatabase &db, const QString &sql,
               std::initializer_list<std::pair<QString, QVariant>> values = {})
{
    storage::SqlQuery query(db, sql, QStringLiteral("count for the crowd test"));
    query.bindAll(values);
    query.exec();
    return query.next() ? query.value(0).toLongLong() : -1;
}

} // namespace

class tst_AnnotatorCrowd : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void crowdLabelsAndReviewsEveryItemOnce();
};

void tst_AnnotatorCrowd::crowdLabelsAndReviewsEveryItemOnce()
{
    QElapsedTimer wall;
    wall.start();
    testing::TempWorkspace temp;
    const QSqlDatabase db = temp.workspace->db();
    const storage::Dialect &dialect = storage::Dialect::of(db);
    // Twenty people on a server; SQLite's one writer is meant for a few. DIGITDESK_CROWD sets
    // another size (3 at least: each reviewer reviews two others), for the figures at 3 and 5.
    const int crowd = qEnvironmentVariableIsSet("DIGITDESK_CROWD")
                          ? std::clamp(qEnvironmentVariableIntValue("DIGITDESK_CROWD"), 3, 64)
                      : dialect.engine() == storage::Engine::PostgreSql ? 20
                                                                        : 4;
    const int total = crowd * ItemsEach;

    std::vector<double> confidences;
    for (int i = 0; i < total; ++i) {
        confidences.push_back(0.2 + 0.007 * ((i * 37) % 100));
    }
    testing::addPredictedImages(*temp.workspace, confidences);
    storage::SettingsRepository settings(db);
    settings.setValue(QString::fromLatin1(annotation::AnnotationService::OverlapSetting),
                      QStringLiteral("1"));
    settings.setValue(QString::fromLatin1(annotation::AnnotationService::LeaseSetting),
                      QStringLiteral("600"));
    // Reviewers label too, so each of them both annotates and reviews the others.
    QHash<QString, qint64> userIds;
    for (int k = 0; k < crowd; ++k) {
        const QString name = QStringLiteral("crowd%1").arg(k, 2, 10, QLatin1Char('0'));
        userIds.insert(
            name,
            testing::addUser(*temp.workspace, name, annotation::Role::Reviewer, Password).userId);
    }

    const qint64 setupMs = wall.elapsed();
    QStringList names = userIds.keys();
    names.sort();
    std::vector<std::unique_ptr<QProcess>> children; // killed by their destructors on failure
    for (const QString &name : names) {
        auto child = std::make_unique<QProcess>();
        child->setProcessChannelMode(QProcess::ForwardedErrorChannel);
        child->start(QCoreApplication::applicationFilePath(),
                     {QStringLiteral("--annotator"), temp.workspace->root(), name,
                      QString::number(ItemsEach),
                      temp.dir.filePath(name + QStringLiteral(".log"))});
        children.push_back(std::move(child));
    }
    const QDeadlineTimer deadline(600000 * testing::SanitizerTimeFactor);
    for (size_t k = 0; k < children.size(); ++k) {
        QVERIFY2(waitForLine(*children[k], "LABELLED", deadline),
                 qPrintable(QStringLiteral("%1 did not finish labelling").arg(names[k])));
    }
    // Reviewer k takes the labels of k-1 from the lowest image up and those of k-2 from the top
    // down, turn about, so two reviewers race for every image near the middle. The plan is
    // written out now, not when the parent next waits on that child: all review at once.
    std::vector<std::vector<qint64>> labelled;
    for (const QString &name : names) {
        std::vector<qint64> ids;
        for (const Ack &ack : readLog(temp.dir.filePath(name + QStringLiteral(".log"))).acks) {
            ids.push_back(ack.imageId);
        }
        std::sort(ids.begin(), ids.end());
        labelled.push_back(ids);
    }
    for (int k = 0; k < crowd; ++k) {
        const std::vector<qint64> &up = labelled[(k + crowd - 1) % crowd];
        const std::vector<qint64> &down = labelled[(k + crowd - 2) % crowd];
        QByteArray plan = "review";
        for (size_t i = 0; i < std::max(up.size(), down.size()); ++i) {
            if (i < up.size()) {
                plan += ' ' + QByteArray::number(up[i]);
            }
            if (i < down.size()) {
                plan += ' ' + QByteArray::number(down[down.size() - 1 - i]);
            }
        }
        QProcess &child = *children[k];
        child.write(plan + '\n');
        QVERIFY(child.waitForBytesWritten(static_cast<int>(deadline.remainingTime())));
        child.closeWriteChannel();
    }
    for (size_t k = 0; k < children.size(); ++k) {
        QProcess &child = *children[k];
        QVERIFY2(child.waitForFinished(static_cast<int>(deadline.remainingTime())),
                 qPrintable(names[k]));
        QCOMPARE(child.exitStatus(), QProcess::NormalExit);
        QCOMPARE(child.exitCode(), 0);
    }

    // What the children saw: every image leased once, by one of them, and labelled by them.
    std::vector<ChildLog> logs;
    QSet<qint64> leased;
    QSet<qint64> reviewed;
    for (const QString &name : names) {
        ChildLog log = readLog(temp.dir.filePath(name + QStringLiteral(".log")));
        log.name = name;
        log.userId = userIds.value(name);
        QCOMPARE(log.leased.size(), size_t(ItemsEach));
        QCOMPARE(log.acks.size(), size_t(ItemsEach));
        for (size_t i = 0; i < log.leased.size(); ++i) {
            QVERIFY2(!leased.contains(log.leased[i]),
                     qPrintable(QStringLiteral("image %1 leased twice").arg(log.leased[i])));
            leased.insert(log.leased[i]);
            QCOMPARE(log.acks[i].imageId, log.leased[i]);
        }
        for (qint64 id : log.reviewed) {
            QVERIFY2(!reviewed.contains(id),
                     qPrintable(QStringLiteral("image %1 reviewed twice").arg(id)));
            reviewed.insert(id);
        }
        QCOMPARE(log.once.value("APPROVED-OWN"), qint64(0));
        QCOMPARE(log.once.value("REFUSED"), log.leased.back());
        QVERIFY(log.once.value("LOST", -1) >= 0);
        logs.push_back(std::move(log));
    }
    QCOMPARE(leased.size(), qsizetype(total));
    QCOMPARE(reviewed, leased);

    // What the database holds: every acknowledged label with its digit, one per image, 200 per
    // annotator, each reviewed once by somebody else, every image approved.
    const storage::LabelRepository labels(db);
    for (const ChildLog &log : logs) {
        for (const Ack &ack : log.acks) {
            const auto row = labels.findLabel(ack.labelId);
            QVERIFY2(row.has_value(), qPrintable(QStringLiteral("label %1").arg(ack.labelId)));
            QCOMPARE(row->imageId, ack.imageId);
            QCOMPARE(row->annotatorId, log.userId);
            QCOMPARE(row->label, storage::Label::fromIndex(ack.labelIndex));
        }
        for (qint64 id : log.reviewed) {
            QVERIFY2(std::find(log.leased.begin(), log.leased.end(), id) == log.leased.end(),
                     qPrintable(QStringLiteral("%1 reviewed own image %2").arg(log.name).arg(id)));
        }
        QCOMPARE(countOf(db,
                         QStringLiteral("SELECT COUNT(*) FROM labels WHERE annotator_id = :user"
                                        " AND retracted_at IS NULL AND gold_check = 0"),
                         {{QStringLiteral(":user"), log.userId}}),
                 qint64(ItemsEach));
    }
    QCOMPARE(countOf(db, QStringLiteral("SELECT COUNT(*) FROM labels")), qint64(total));
    QCOMPARE(countOf(db, QStringLiteral("SELECT COUNT(DISTINCT image_id) FROM labels")),
             qint64(total));
    QCOMPARE(countOf(db, QStringLiteral("SELECT COUNT(*) FROM reviews")), qint64(total));
    QCOMPARE(countOf(db,
                     QStringLiteral("SELECT COUNT(DISTINCT label_id) FROM reviews WHERE"
                                    " verdict = :approved"),
                     {{QStringLiteral(":approved"), QStringLiteral("approved")}}),
             qint64(total));
    QCOMPARE(countOf(db, QStringLiteral("SELECT COUNT(*) FROM reviews r JOIN labels l"
                                        " ON l.id = r.label_id"
                                        " WHERE r.reviewer_id IS NULL OR r.reviewer_id ="
                                        " l.annotator_id")),
             qint64(0));
    QCOMPARE(countOf(db, QStringLiteral("SELECT COUNT(*) FROM images WHERE status = :approved"),
                     {{QStringLiteral(":approved"), QStringLiteral("approved")}}),
             qint64(total));
    QCOMPARE(countOf(db, QStringLiteral("SELECT COUNT(*) FROM leases")), qint64(0));

    // Each refused approval of an own label is in the audit log, as the refused person's.
    for (const ChildLog &log : logs) {
        QCOMPARE(
            countOf(db,
                    QStringLiteral("SELECT COUNT(*) FROM audit_log WHERE actor = :actor"
                                   " AND user_id = :user AND action = :action"
                                   " AND target = :target AND detail = :detail"),
                    {{QStringLiteral(":actor"), log.name},
                     {QStringLiteral(":user"), log.userId},
                     {QStringLiteral(":action"), annotation::toString(annotation::Action::Review)},
                     {QStringLiteral(":target"),
                      QStringLiteral("image:%1").arg(log.once.value("REFUSED"))},
                     {QStringLiteral(":detail"), FourEyesRefusal}}),
            qint64(1));
    }
    QCOMPARE(countOf(db, QStringLiteral("SELECT COUNT(*) FROM audit_log WHERE detail = :detail"),
                     {{QStringLiteral(":detail"), FourEyesRefusal}}),
             qint64(crowd));

    // The figures for the closing note: labels per second over the crowd's labelling span, the
    // latency of one label call (its commit included), and the review phase.
    std::vector<qint64> micros;
    qint64 firstStart = std::numeric_limits<qint64>::max();
    qint64 lastEnd = 0;
    qint64 firstReview = std::numeric_limits<qint64>::max();
    qint64 lastReview = 0;
    int lost = 0;
    size_t fewestReviews = total;
    size_t mostReviews = 0;
    for (const ChildLog &log : logs) {
        fewestReviews = std::min(fewestReviews, log.reviewed.size());
        mostReviews = std::max(mostReviews, log.reviewed.size());
        for (const Ack &ack : log.acks) {
            micros.push_back(ack.micros);
        }
        firstStart = std::min(firstStart, log.once.value("START"));
        lastEnd = std::max(lastEnd, log.once.value("END"));
        firstReview = std::min(firstReview, log.once.value("REVIEW-START"));
        lastReview = std::max(lastReview, log.once.value("REVIEW-END"));
        lost += static_cast<int>(log.once.value("LOST"));
    }
    std::sort(micros.begin(), micros.end());
    const auto percentile = [&micros](double p) {
        const auto rank = static_cast<size_t>(std::ceil(p * static_cast<double>(micros.size())));
        return static_cast<double>(micros[std::max<size_t>(rank, 1) - 1]) / 1000.0;
    };
    const double labelling = static_cast<double>(std::max<qint64>(lastEnd - firstStart, 1)) / 1000;
    const double reviewing =
        static_cast<double>(std::max<qint64>(lastReview - firstReview, 1)) / 1000;
    qInfo("%s, %d annotators: %d labels in %.1f s = %.0f labels/s; label call p50 %.1f ms, "
          "p99 %.1f ms, max %.1f ms; %d reviews in %.1f s = %.0f reviews/s (%zu to %zu by one "
          "reviewer), %d review attempts found the image reviewed already; setup %.1f s, whole "
          "test %.1f s",
          qPrintable(dialect.displayName()), crowd, total, labelling, total / labelling,
          percentile(0.50), percentile(0.99), percentile(1.0), total, reviewing, total / reviewing,
          fewestReviews, mostReviews, lost, static_cast<double>(setupMs) / 1000,
          static_cast<double>(wall.elapsed()) / 1000);
}

int main(int argc, char *argv[])
{
    QCoreApplication application(argc, argv);
    if (argc == 6 && QByteArray(argv[1]) == "--annotator") {
        try {
            return runAnnotator(QString::fromLocal8Bit(argv[2]), QString::fromLocal8Bit(argv[3]),
                                QByteArray(argv[4]).toInt(), QString::fromLocal8Bit(argv[5]));
        } catch (const std::exception &error) {
            std::fprintf(stderr, "%s: %s\n", argv[3], error.what());
            return 1;
        }
    }
    tst_AnnotatorCrowd test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_annotatorcrowd.moc"
