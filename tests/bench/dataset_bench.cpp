// Dataset versions at the size of a real project: a commit of 60,000 images (the demo's 10,000
// digits and five shifted copies of each), an incremental commit after relabelling 1,000 and
// adding 1,000, a diff of the two versions, an export to IDX and a clone with the system git.
// Prints wall time, peak memory and `git count-objects -v` after each step, and the repository's
// size against the PNG files it holds.
#include "annotation/datasetservice.h"
#include "annotation/idxfile.h"
#include "annotation/importer.h"
#include "storage/datasetgit.h"
#include "storage/sqlquery.h"
#include "storage/transaction.h"
#include "tests/support/testdata.h"

#include <QCoreApplication>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>

#include <sys/resource.h>

#include <cstdio>

using namespace digitdesk;

namespace {

constexpr int Side = 28;

double peakMegabytes()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

// The digit moved by (dx, dy), what came in from the edge black.
QByteArray shifted(const QByteArray &pixels, int dx, int dy)
{
    QByteArray out(Side * Side, '\0');
    for (int y = 0; y < Side; ++y) {
        for (int x = 0; x < Side; ++x) {
            const int fromX = x - dx;
            const int fromY = y - dy;
            if (fromX >= 0 && fromX < Side && fromY >= 0 && fromY < Side) {
                out[y * Side + x] = pixels[fromY * Side + fromX];
            }
        }
    }
    return out;
}

// Writes an IDX pair of the first `count` demo digits moved by each of `shifts`.
void writeShiftedPair(const annotation::IdxArray &images, const annotation::IdxArray &labels,
                      const std::vector<std::pair<int, int>> &shifts, const QString &stem,
                      int count)
{
    QByteArray allImages;
    QByteArray allLabels;
    for (const auto &[dx, dy] : shifts) {
        for (int i = 0; i < count; ++i) {
            allImages += shifted(
                images.data.mid(static_cast<qsizetype>(i) * Side * Side, Side * Side), dx, dy);
            allLabels += labels.data.at(i);
        }
    }
    const int total = count * static_cast<int>(shifts.size());
    annotation::writeIdxFile(stem + QStringLiteral("-images-idx3-ubyte"), {total, Side, Side},
                             allImages);
    annotation::writeIdxFile(stem + QStringLiteral("-labels-idx1-ubyte"), {total}, allLabels);
}

QString countObjects(const QString &repository)
{
    QProcess git;
    git.start(QStringLiteral("git"), {QStringLiteral("-C"), repository,
                                      QStringLiteral("count-objects"), QStringLiteral("-v")});
    git.waitForFinished(60000);
    return QString::fromUtf8(git.readAllStandardOutput()).simplified();
}

qint64 folderBytes(const QString &folder)
{
    qint64 bytes = 0;
    QDirIterator files(folder, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (files.hasNext()) {
        files.next();
        bytes += files.fileInfo().size();
    }
    return bytes;
}

void report(const char *step, qint64 ms, const QString &repository)
{
    std::printf("%-44s %8.2f s   peak RSS %6.0f MB\n    git count-objects -v: %s\n", step,
                static_cast<double>(ms) / 1000.0, peakMegabytes(),
                countObjects(repository).toUtf8().constData());
    std::fflush(stdout);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication application(argc, argv);
    const QString data =
        argc > 1 ? QString::fromLocal8Bit(argv[1]) : QStringLiteral(DIGITDESK_DATA_DIR);
    const annotation::IdxArray images =
        annotation::readIdxFile(data + QStringLiteral("/mnist-10k-images-idx3-ubyte"));
    const annotation::IdxArray labels =
        annotation::readIdxFile(data + QStringLiteral("/mnist-10k-labels-idx1-ubyte"));
    QTemporaryDir scratch;
    writeShiftedPair(images, labels, {{0, 0}, {1, 0}, {-1, 0}, {0, 1}, {0, -1}, {1, 1}},
                     scratch.filePath(QStringLiteral("sixty")), images.dimensions.front());
    writeShiftedPair(images, labels, {{2, 0}}, scratch.filePath(QStringLiteral("more")), 1000);

    testing::TempWorkspace temp;
    const annotation::Principal rui =
        testing::addUser(*temp.workspace, QStringLiteral("rui"), annotation::Role::Reviewer);
    const annotation::Principal eve =
        testing::addUser(*temp.workspace, QStringLiteral("eve"), annotation::Role::MlEngineer);
    annotation::ImportOptions approved;
    approved.labels = annotation::LabelPolicy::Approved;
    QElapsedTimer clock;
    clock.start();
    const annotation::ImportReport imported =
        annotation::Importer(temp.workspace->db(), temp.workspace->blobs(), eve)
            .run({scratch.filePath(QStringLiteral("sixty-images-idx3-ubyte"))}, approved);
    std::printf("set-up: %lld approved images imported (%lld duplicates) in %.1f s\n",
                static_cast<long long>(imported.imported),
                static_cast<long long>(imported.duplicates),
                static_cast<double>(clock.elapsed()) / 1000.0);

    const QString repository = temp.workspace->datasetRepositoryPath();
    annotation::DatasetService datasets(temp.workspace->db(), temp.workspace->root());
    clock.restart();
    const annotation::DatasetVersion first =
        datasets.commit(rui, QStringLiteral("all approved digits"));
    report(qPrintable(QStringLiteral("commit %1 (%2 images)").arg(first.tag).arg(first.imageCount)),
           clock.elapsed(), repository);

    // 1,000 labels corrected by a reviewer, 1,000 new images approved.
    {
        const QSqlDatabase db = temp.workspace->db();
        storage::Transaction transaction(db);
        storage::SqlQuery relabel(
            db,
            QStringLiteral(
                "INSERT INTO reviews (label_id, verdict, corrected_label, reviewer,"
                " reviewer_id, comment, created_at) SELECT l.id, 'corrected',"
                " (COALESCE(l.label, 0) + 1) % 10, 'rui', :rui, 'bench', :at FROM labels l"
                " WHERE l.id IN (SELECT MAX(id) FROM labels GROUP BY image_id ORDER BY"
                " image_id LIMIT 1000)"),
            QStringLiteral("relabel 1,000"));
        relabel.bindAll({{QStringLiteral(":rui"), rui.userId},
                         {QStringLiteral(":at"), QStringLiteral("2026-11-30T00:00:00.000Z")}});
        relabel.exec();
        transaction.commit();
    }
    annotation::Importer(temp.workspace->db(), temp.workspace->blobs(), eve)
        .run({scratch.filePath(QStringLiteral("more-images-idx3-ubyte"))}, approved);
    clock.restart();
    const annotation::DatasetVersion second =
        datasets.commit(rui, QStringLiteral("1,000 relabelled, 1,000 added"));
    report(qPrintable(QStringLiteral("incremental commit %1 (%2 images)")
                          .arg(second.tag)
                          .arg(second.imageCount)),
           clock.elapsed(), repository);

    clock.restart();
    const annotation::DatasetDiff diff = datasets.diff(rui, first.tag, second.tag);
    const qint64 diffMs = clock.elapsed();
    std::printf("diff %s %s: %zu added, %zu deleted, %zu relabelled\n", qPrintable(first.tag),
                qPrintable(second.tag), diff.added.size(), diff.deleted.size(),
                diff.relabelled.size());
    report("diff", diffMs, repository);

    clock.restart();
    const annotation::DatasetExport exported = datasets.exportVersion(
        eve, second.tag, annotation::ExportFormat::Idx, scratch.filePath(QStringLiteral("export")));
    report(qPrintable(
               QStringLiteral("export %1 to IDX (%2 images)").arg(second.tag).arg(exported.images)),
           clock.elapsed(), repository);

    clock.restart();
    QProcess clone;
    clone.start(QStringLiteral("git"), {QStringLiteral("clone"), QStringLiteral("--quiet"),
                                        repository, scratch.filePath(QStringLiteral("clone"))});
    clone.waitForFinished(300000);
    report("git clone (system git)", clock.elapsed(), repository);

    // The repository against the PNG files it holds.
    const storage::DatasetGit git(repository);
    qint64 pngBytes = 0;
    const QStringList files = git.listFiles(second.commitId, QStringLiteral("images/"));
    for (const QString &file : files) {
        pngBytes += git.readFile(second.commitId, file).size();
    }
    const qint64 repositoryBytes = folderBytes(repository);
    std::printf("repository %.1f MB for %lld PNG files of %.1f MB: %.2fx\n",
                static_cast<double>(repositoryBytes) / 1e6, static_cast<long long>(files.size()),
                static_cast<double>(pngBytes) / 1e6,
                static_cast<double>(repositoryBytes) /
                    static_cast<double>(std::max<qint64>(1, pngBytes)));
    return 0;
}
