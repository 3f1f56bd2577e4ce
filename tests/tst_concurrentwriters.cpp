#include "storage/connection.h"
#include "storage/databasecopy.h"
#include "storage/imagerepository.h"
#include "storage/onlinebackup.h"
#include "storage/sqlquery.h"
#include "storage/storageerror.h"
#include "storage/transaction.h"
#include "storage/workspace.h"
#include "tests/support/tempworkspace.h"
#include "tests/support/testfiles.h"

#include <QCoreApplication>
#include <QProcess>
#include <QTest>

using namespace digitdesk;

namespace {

// The child side: insert `count` images, each in its own transaction, as a second process.
int runWriter(const QString &folder, int count, int tag)
{
    const auto workspace = storage::Workspace::open(folder);
    storage::ImageRepository images(workspace->db());
    for (int i = 0; i < count; ++i) {
        storage::NewImage image;
        image.pixels = QByteArray(784, '\0');
        image.pixels[0] = static_cast<char>(tag);
        image.pixels[1] = static_cast<char>(i & 0xff);
        image.pixels[2] = static_cast<char>((i >> 8) & 0xff);
        image.sha256 = storage::BlobStore::digestOf(image.pixels);
        image.source = QStringLiteral("writer-%1").arg(tag);
        storage::Transaction transaction(workspace->db());
        images.insert(image, {QStringLiteral("writer"), 0, 0});
        transaction.commit();
    }
    return 0;
}

QProcess *startWriter(QObject *parent, const QString &folder, int count, int tag)
{
    auto *process = new QProcess(parent);
    process->setProcessChannelMode(QProcess::ForwardedChannels);
    process->start(
        QCoreApplication::applicationFilePath(),
        {QStringLiteral("--writer"), folder, QString::number(count), QString::number(tag)});
    return process;
}

// SQLite's online backup; a PostgreSQL workspace is copied from a snapshot into a SQLite file.
int backUp(const storage::Workspace &workspace, const QString &file)
{
    return testing::testsUsePostgresql()
               ? storage::copyDatabaseIntoSqlite(workspace.databasePath(), file)
               : storage::backupDatabase(workspace.db(), file);
}

qint64 imageCount(const QSqlDatabase &db, const QString &source)
{
    storage::ImageFilter filter;
    filter.source = source;
    return storage::ImageRepository(db).count(filter);
}

} // namespace

class tst_ConcurrentWriters : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void twoProcessesLoseNoRow();
    void backupWhileAnotherProcessWrites();
};

void tst_ConcurrentWriters::twoProcessesLoseNoRow()
{
    testing::TempWorkspace temp;
    constexpr int Count = 400;
    QProcess *first = startWriter(this, temp.workspace->root(), Count, 1);
    QProcess *second = startWriter(this, temp.workspace->root(), Count, 2);
    QVERIFY(first->waitForFinished(120000));
    QVERIFY(second->waitForFinished(120000));
    QCOMPARE(first->exitCode(), 0);
    QCOMPARE(second->exitCode(), 0);
    QCOMPARE(imageCount(temp.workspace->db(), QStringLiteral("writer-1")), Count);
    QCOMPARE(imageCount(temp.workspace->db(), QStringLiteral("writer-2")), Count);
}

void tst_ConcurrentWriters::backupWhileAnotherProcessWrites()
{
    testing::TempWorkspace temp;
    constexpr int Count = 600;
    QProcess *writer = startWriter(this, temp.workspace->root(), Count, 3);
    QVERIFY(writer->waitForStarted());
    int backups = 0;
    while (writer->state() != QProcess::NotRunning || backups == 0) {
        const QString file = temp.dir.filePath(QStringLiteral("backup-%1.sqlite").arg(backups));
        QVERIFY(backUp(*temp.workspace, file) > 0);
        const storage::Connection copy(file);
        storage::SqlQuery check(copy.db(), QStringLiteral("PRAGMA integrity_check"),
                                QStringLiteral("check the backup"));
        check.exec();
        QVERIFY(check.next());
        QCOMPARE(check.value(0).toString(), QStringLiteral("ok"));
        const qint64 rows = imageCount(copy.db(), QStringLiteral("writer-3"));
        QVERIFY(rows >= 0 && rows <= Count);
        ++backups;
        writer->waitForFinished(50);
    }
    QCOMPARE(writer->exitCode(), 0);
    QVERIFY(backups >= 1);
    QCOMPARE(imageCount(temp.workspace->db(), QStringLiteral("writer-3")), Count);
    // A backup never overwrites an existing file.
    QVERIFY(testing::throws<storage::StorageError>(
        [&] { backUp(*temp.workspace, temp.dir.filePath(QStringLiteral("backup-0.sqlite"))); }));
}

int main(int argc, char *argv[])
{
    QCoreApplication application(argc, argv);
    if (argc == 5 && QByteArray(argv[1]) == "--writer") {
        return runWriter(QString::fromLocal8Bit(argv[2]), QByteArray(argv[3]).toInt(),
                         QByteArray(argv[4]).toInt());
    }
    tst_ConcurrentWriters test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_concurrentwriters.moc"
