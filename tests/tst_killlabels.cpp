#include "annotation/annotationservice.h"
#include "annotation/authservice.h"
#include "storage/labelrepository.h"
#include "storage/sqlquery.h"
#include "storage/workspace.h"
#include "storage/workspacechecker.h"
#include "tests/support/testdata.h"

#include <QCoreApplication>
#include <QProcess>
#include <QTest>

#include <csignal>
#include <cstdio>

using namespace digitdesk;

namespace {

// The child: labels items through the same service code the GUI uses and prints an
// acknowledgement after each commit, as the GUI shows the next image only after one.
int runLabeller(const QString &folder)
{
    const auto workspace = storage::Workspace::open(folder);
    const auto who = annotation::AuthService(workspace->db())
                         .login(QStringLiteral("ana"), QStringLiteral("correct horse"),
                                QStringLiteral("kill-test"))
                         .principal;
    annotation::AnnotationService service(workspace->db());
    for (int i = 0;; ++i) {
        const auto item = service.next(who);
        if (!item) {
            return 0;
        }
        const auto decision =
            service.label(who, item->imageId, storage::Label::fromDigit(i % 10), 100);
        std::printf("ACK %lld %lld %d\n", static_cast<long long>(decision.labelId),
                    static_cast<long long>(decision.imageId), decision.label.digit());
        std::fflush(stdout);
    }
}

} // namespace

class tst_KillLabels : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void killNineLosesNoAcknowledgedLabel();
};

void tst_KillLabels::killNineLosesNoAcknowledgedLabel()
{
    testing::TempWorkspace temp;
    std::vector<double> confidences(3000, 0.5);
    testing::addPredictedImages(*temp.workspace, confidences);
    testing::addUser(*temp.workspace, QStringLiteral("ana"), annotation::Role::Annotator);

    QProcess child;
    child.start(QCoreApplication::applicationFilePath(),
                {QStringLiteral("--labeller"), temp.workspace->root()});
    QVERIFY(child.waitForStarted());
    QList<QByteArray> acks;
    while (acks.size() < 150 && child.state() == QProcess::Running) {
        child.waitForReadyRead(10000);
        while (child.canReadLine()) {
            acks << child.readLine().trimmed();
        }
    }
    QVERIFY2(acks.size() >= 150, "the labeller stopped early");
    ::kill(static_cast<pid_t>(child.processId()), SIGKILL); // mid-run, no chance to clean up
    QVERIFY(child.waitForFinished(10000));
    QCOMPARE(child.exitStatus(), QProcess::CrashExit);
    acks += child.readAllStandardOutput().split('\n');

    // Reopen as the next process would: intact, and every acknowledged label is there.
    temp.workspace.reset();
    const auto workspace = storage::Workspace::open(temp.folder());
    const storage::WorkspaceCheckReport report = storage::checkWorkspace(*workspace);
    QVERIFY2(report.ok(), qPrintable(report.problems.join(QLatin1Char('\n'))));
    const storage::LabelRepository repository(workspace->db());
    int verified = 0;
    for (const QByteArray &ack : acks) {
        const QList<QByteArray> fields = ack.split(' ');
        if (fields.size() != 4 || fields[0] != "ACK") {
            continue;
        }
        const auto label = repository.findLabel(fields[1].toLongLong());
        QVERIFY2(label.has_value(), ack.constData());
        QCOMPARE(label->imageId, fields[2].toLongLong());
        QCOMPARE(label->label, storage::Label::fromDigit(fields[3].toInt()));
        ++verified;
    }
    QVERIFY(verified >= 150);
}

int main(int argc, char *argv[])
{
    QCoreApplication application(argc, argv);
    if (argc == 3 && QByteArray(argv[1]) == "--labeller") {
        return runLabeller(QString::fromLocal8Bit(argv[2]));
    }
    tst_KillLabels test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_killlabels.moc"
