#include "annotation/private/pngcodec.h"
#include "storage/blobstore.h"
#include "storage/imagerepository.h"
#include "storage/workspace.h"
#include "tests/support/childmemory.h"
#include "tests/support/testdata.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

using namespace digitdesk;
using testing::MeasuredRun;

namespace {

// As in tst_importlimits: the binary with LibTorch loaded takes about 180 MB before it reads a
// byte; one batch adds at most 64 MiB of files and decoded pixels. A killed child fails the test.
constexpr qint64 MemoryBoundKb = 400 * 1024 * testing::SanitizerMemoryFactor;
constexpr qint64 CeilingKb = 1536 * 1024;
// A scan of 12,000 bytes: under QFile's 16 KiB write buffer, where a failed write used to wait
// for close(), which dropped the error.
constexpr int ScanBytes = 12000;

// A 28x28 digit in MNIST form (kept as it is, so every seed is a different image) with random
// bytes after its end, which decoders ignore: `bytes` long and incompressible.
QByteArray scan(int seed, int bytes = ScanBytes)
{
    QByteArray png = annotation::encodeDatasetPng(testing::ringPixels(seed));
    while (png.size() < bytes) {
        png.append(static_cast<char>(QRandomGenerator::global()->bounded(256)));
    }
    return png;
}

// Runs a system command (mount, umount); empty when it succeeded, else what it said.
QString runSystem(const QString &program, const QStringList &arguments)
{
    QProcess process;
    process.start(program, arguments);
    if (!process.waitForFinished(30000) || process.exitStatus() != QProcess::NormalExit ||
        process.exitCode() != 0) {
        const QString said = QString::fromLocal8Bit(process.readAllStandardError()).trimmed();
        return QStringLiteral("%1 %2: %3")
            .arg(program, arguments.join(QLatin1Char(' ')),
                 said.isEmpty() ? process.errorString() : said);
    }
    return {};
}

// A mount that is taken away with the test, whatever its outcome.
class Mount final
{
public:
    explicit Mount(QString at) : m_at(std::move(at)) {}
    ~Mount()
    {
        if (m_mounted) {
            runSystem(QStringLiteral("umount"), {QStringLiteral("-l"), m_at});
        }
    }
    Q_DISABLE_COPY_MOVE(Mount)
    QString mount(const QStringList &arguments)
    {
        const QString error = runSystem(QStringLiteral("mount"), arguments + QStringList{m_at});
        m_mounted = m_mounted || error.isEmpty();
        return error;
    }

private:
    QString m_at;
    bool m_mounted = false;
};

// `digitdesk ARGUMENTS...`, its memory watched.
MeasuredRun runDigitdesk(const QStringList &arguments)
{
    return testing::runMeasured(QStringLiteral(DIGITDESK_BINARY), arguments, CeilingKb, 120000);
}

// Every scan the database names is in the blob store whole (its SHA-256 is its name); empty
// when so, else the first that is not.
QString brokenBlob(const QString &workspaceFolder, qint64 *rows)
{
    const auto workspace = storage::Workspace::open(workspaceFolder);
    const storage::BlobStore &blobs = workspace->blobs();
    const QStringList digests = storage::ImageRepository(workspace->db()).originalDigests();
    *rows = digests.size();
    for (const QString &digest : digests) {
        if (!blobs.contains(digest)) {
            return digest + QStringLiteral(" is missing");
        }
        const QByteArray bytes = blobs.read(digest);
        if (storage::BlobStore::digestOf(bytes) != digest) {
            return QStringLiteral("%1 holds %2 bytes that do not hash to its name")
                .arg(digest)
                .arg(bytes.size());
        }
    }
    QDirIterator files(blobs.root(), QDir::Files, QDirIterator::Subdirectories);
    while (files.hasNext()) {
        if (files.next().contains(QStringLiteral(".tmp-"))) {
            return files.filePath() + QStringLiteral(" is a temporary file left behind");
        }
    }
    return {};
}

void appendChunk(QByteArray *png, const char *type, const QByteArray &data)
{
    for (int shift = 24; shift >= 0; shift -= 8) {
        png->append(static_cast<char>((data.size() >> shift) & 0xff));
    }
    const QByteArray typed = QByteArray(type, 4) + data;
    png->append(typed);
    const uLong crc = crc32(0, reinterpret_cast<const Bytef *>(typed.constData()),
                            static_cast<uInt>(typed.size()));
    for (int shift = 24; shift >= 0; shift -= 8) {
        png->append(static_cast<char>((crc >> shift) & 0xff));
    }
}

// A valid PNG of `side` x `side` pixels of 16-bit RGBA (fully transparent), deflated row by row
// so that its 392 MB of pixels never sit in this process: it is a few hundred KB on disk.
bool writeHugePng(const QString &path, quint32 side)
{
    QByteArray png("\x89PNG\r\n\x1a\n", 8);
    QByteArray header;
    for (const quint32 value : {side, side}) {
        for (int shift = 24; shift >= 0; shift -= 8) {
            header.append(static_cast<char>((value >> shift) & 0xff));
        }
    }
    header.append(QByteArray("\x10\x06\x00\x00\x00", 5)); // 16 bits, RGBA, no interlace
    appendChunk(&png, "IHDR", header);
    z_stream stream{};
    if (deflateInit2(&stream, 9, Z_DEFLATED, MAX_WBITS, 9, Z_RLE) != Z_OK) {
        return false;
    }
    const QByteArray row(1 + static_cast<qsizetype>(side) * 8, '\0'); // filter 0, then pixels
    QByteArray out(1 << 20, Qt::Uninitialized);
    for (quint32 y = 0; y <= side; ++y) {
        const bool last = y == side;
        stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(row.constData()));
        stream.avail_in = last ? 0 : static_cast<uInt>(row.size());
        do {
            stream.next_out = reinterpret_cast<Bytef *>(out.data());
            stream.avail_out = static_cast<uInt>(out.size());
            deflate(&stream, last ? Z_FINISH : Z_NO_FLUSH);
            const qsizetype produced = out.size() - stream.avail_out;
            if (produced > 0) {
                appendChunk(&png, "IDAT", out.left(produced));
            }
        } while (stream.avail_out == 0);
    }
    deflateEnd(&stream);
    appendChunk(&png, "IEND", {});
    return testing::writeFile(path, png);
}

} // namespace

// Imports that the disk, the file system or the files themselves work against, run as the
// real `digitdesk import` with its memory watched: each ends by itself with its documented
// exit code and a clear reason, within its memory, and what it reports stored is stored whole.
class tst_AdversarialImport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void fullDiskThenMoreSpace();
    void hugePngIsRefusedFromItsHeader();
    void symbolicLinkLoops();
    void readOnlyWorkspace();
    void cleanupTestCase();

private:
    QString path(const QString &relative) const { return m_dir.filePath(relative); }
    QString newWorkspace(const QString &name) const;
    bool writeScans(const QString &folder, int first, int count) const;

    QTemporaryDir m_dir;
};

void tst_AdversarialImport::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY(QFile::exists(QStringLiteral(DIGITDESK_BINARY)));
}

QString tst_AdversarialImport::newWorkspace(const QString &name) const
{
    const QString folder = path(name);
    storage::Workspace::create(folder);
    return folder;
}

bool tst_AdversarialImport::writeScans(const QString &folder, int first, int count) const
{
    for (int i = first; i < first + count; ++i) {
        if (!testing::writeFile(QDir(folder).filePath(QStringLiteral("scan%1.png").arg(i)),
                                scan(i))) {
            return false;
        }
    }
    return true;
}

// blobs/ on a 2 MB tmpfs, folders of 60 scans imported one after another until the disk is
// full: that import fails naming the scan and "No space left on device", and every row
// committed before names a whole blob. With room again, importing everything again stores
// everything, whole.
void tst_AdversarialImport::fullDiskThenMoreSpace()
{
    constexpr int Folders = 6;
    constexpr int PerFolder = 60; // 360 scans of 12 KB: twice what 2 MB holds
    const QString workspace = newWorkspace(QStringLiteral("full"));
    Mount blobs(workspace + QStringLiteral("/blobs"));
    const QString refused =
        blobs.mount({QStringLiteral("-t"), QStringLiteral("tmpfs"), QStringLiteral("-o"),
                     QStringLiteral("size=2m"), QStringLiteral("tmpfs")});
    if (!refused.isEmpty()) {
        QSKIP(qPrintable(QStringLiteral("a full disk needs a tmpfs mount: %1").arg(refused)));
    }
    QStringList folders;
    for (int f = 0; f < Folders; ++f) {
        folders << path(QStringLiteral("scans/f%1").arg(f));
        QVERIFY(writeScans(folders.back(), f * PerFolder, PerFolder));
    }

    int failedAt = -1;
    for (int f = 0; f < Folders && failedAt < 0; ++f) {
        const MeasuredRun run = runDigitdesk(
            {QStringLiteral("import"), folders[f], QStringLiteral("--workspace"), workspace});
        QVERIFY2(run.finished, qPrintable(run.describe()));
        QVERIFY2(run.peakKb <= MemoryBoundKb, qPrintable(run.describe()));
        if (run.exitCode != 0) {
            QCOMPARE(run.exitCode, 2);
            QVERIFY2(run.err.contains(QStringLiteral("cannot store the scan %1/").arg(folders[f])),
                     qPrintable(run.err));
            QVERIFY2(run.err.contains(QStringLiteral("No space left on device")),
                     qPrintable(run.err));
            failedAt = f;
        }
    }
    QVERIFY2(failedAt > 0, "the imports should fill the disk, and not with the first folder");
    qint64 rows = 0;
    QString broken = brokenBlob(workspace, &rows);
    QVERIFY2(broken.isEmpty(), qPrintable(broken));
    QVERIFY(rows >= PerFolder * failedAt);
    MeasuredRun check = runDigitdesk({QStringLiteral("workspace"), QStringLiteral("check"),
                                      QStringLiteral("--workspace"), workspace});
    QVERIFY2(check.finished && check.exitCode == 0, qPrintable(check.describe() + check.out));

    QVERIFY2(blobs.mount({QStringLiteral("-o"), QStringLiteral("remount,size=64m")}).isEmpty(),
             "remount the tmpfs bigger");
    const MeasuredRun again = runDigitdesk(QStringList{QStringLiteral("import")} + folders +
                                           QStringList{QStringLiteral("--workspace"), workspace});
    QVERIFY2(again.finished && again.exitCode == 0, qPrintable(again.describe()));
    broken = brokenBlob(workspace, &rows);
    QVERIFY2(broken.isEmpty(), qPrintable(broken));
    QCOMPARE(rows, qint64(Folders * PerFolder));
    check = runDigitdesk({QStringLiteral("workspace"), QStringLiteral("check"),
                          QStringLiteral("--workspace"), workspace});
    QVERIFY2(check.finished && check.exitCode == 0, qPrintable(check.describe()));
    QVERIFY2(check.out.contains(QStringLiteral(": ok; %1 blob(s) verified").arg(rows)),
             qPrintable(check.out));
}

// 7000 x 7000 pixels is under the 50-megapixel limit, but as 16-bit RGBA it decodes to 392 MB:
// it is refused from its header, never decoded, and the rest of its folder goes in.
void tst_AdversarialImport::hugePngIsRefusedFromItsHeader()
{
    const QString workspace = newWorkspace(QStringLiteral("huge"));
    const QString folder = path(QStringLiteral("huge-scans"));
    QVERIFY(writeScans(folder, 0, 5));
    const QString huge = folder + QStringLiteral("/huge.png");
    QVERIFY(writeHugePng(huge, 7000));
    QVERIFY(QFileInfo(huge).size() < 2 * 1024 * 1024);

    const MeasuredRun run =
        runDigitdesk({QStringLiteral("import"), folder, QStringLiteral("--workspace"), workspace});
    QVERIFY2(run.finished, qPrintable(run.describe()));
    QCOMPARE(run.exitCode, 5);
    QVERIFY2(run.err.contains(QStringLiteral("skipped %1: too large to decode: 7000 x 7000 pixels "
                                             "of 4 channel(s) at 16 bits would take 373 MB, over "
                                             "the 256 MB limit")
                                  .arg(huge)),
             qPrintable(run.err));
    QVERIFY2(run.out.contains(QStringLiteral("Imported 5 image(s)")), qPrintable(run.out));
    QVERIFY2(run.peakKb <= MemoryBoundKb, qPrintable(run.describe()));
}

// A file link loop (a -> b -> a), a folder link to its own parent, a link to nothing and a
// named pipe, in a folder and named on the command line: the import walks each folder once,
// reports each of them, imports the scans and ends.
void tst_AdversarialImport::symbolicLinkLoops()
{
    const QString workspace = newWorkspace(QStringLiteral("links"));
    const QString folder = path(QStringLiteral("linked"));
    QVERIFY(writeScans(folder + QStringLiteral("/scans"), 0, 5));
    QVERIFY(QFile::link(QStringLiteral("b.png"), folder + QStringLiteral("/a.png")));
    QVERIFY(QFile::link(QStringLiteral("a.png"), folder + QStringLiteral("/b.png")));
    QVERIFY(QFile::link(QStringLiteral(".."), folder + QStringLiteral("/scans/up")));
    QVERIFY(QFile::link(QStringLiteral("gone.png"), folder + QStringLiteral("/dangling.png")));
    const QString pipe = folder + QStringLiteral("/pipe.png");
    QCOMPARE(::mkfifo(QFile::encodeName(pipe).constData(), 0600), 0);

    const MeasuredRun run =
        runDigitdesk({QStringLiteral("import"), folder, pipe, folder + QStringLiteral("/a.png"),
                      QStringLiteral("--workspace"), workspace});
    QVERIFY2(run.finished, qPrintable(run.describe()));
    QCOMPARE(run.exitCode, 5);
    for (const QString &expected :
         {QStringLiteral("skipped %1/a.png: a symbolic link loop").arg(folder),
          QStringLiteral("skipped %1/b.png: a symbolic link loop").arg(folder),
          QStringLiteral("skipped %1/scans/up: a symbolic link or mount back to %1, a folder it "
                         "is in: a loop, not followed")
              .arg(folder),
          QStringLiteral("skipped %1/dangling.png: a symbolic link to %1/gone.png, which does "
                         "not exist")
              .arg(folder),
          QStringLiteral("skipped %1: not a regular file (a pipe, socket or device)").arg(pipe)}) {
        QVERIFY2(run.err.contains(expected), qPrintable(expected + QStringLiteral("\n") + run.err));
    }
    // The folder's pipe is not a scan: ignored, as a text file would be.
    QVERIFY2(run.out.contains(QStringLiteral("Imported 5 image(s)")), qPrintable(run.out));
    QVERIFY2(run.out.contains(QStringLiteral("1 other file(s) ignored")), qPrintable(run.out));
    QVERIFY2(run.peakKb <= MemoryBoundKb, qPrintable(run.describe()));
}

// Root writes through file modes, so the workspace is a read-only bind mount: `workspace check`
// reads it and reports what it finds, and an import is refused up front, saying why.
void tst_AdversarialImport::readOnlyWorkspace()
{
    const QString workspace = newWorkspace(QStringLiteral("writable"));
    const QString folder = path(QStringLiteral("ro-scans"));
    QVERIFY(writeScans(folder, 0, 3));
    MeasuredRun run =
        runDigitdesk({QStringLiteral("import"), folder, QStringLiteral("--workspace"), workspace});
    QVERIFY2(run.finished && run.exitCode == 0, qPrintable(run.describe()));
    QString damaged;
    {
        const auto opened = storage::Workspace::open(workspace);
        damaged = opened->blobs().pathOf(
            storage::ImageRepository(opened->db()).originalDigests().front());
    }
    QFile blob(damaged);
    QVERIFY(blob.resize(100));

    const QString readOnly = path(QStringLiteral("read-only"));
    QVERIFY(QDir().mkpath(readOnly));
    Mount mount(readOnly);
    QString refused = mount.mount({QStringLiteral("--bind"), workspace});
    if (refused.isEmpty()) {
        refused = mount.mount({QStringLiteral("-o"), QStringLiteral("remount,bind,ro")});
    }
    if (!refused.isEmpty()) {
        QSKIP(qPrintable(
            QStringLiteral("a read-only workspace needs a bind mount: %1").arg(refused)));
    }

    run = runDigitdesk({QStringLiteral("workspace"), QStringLiteral("check"),
                        QStringLiteral("--workspace"), readOnly});
    QVERIFY2(run.finished, qPrintable(run.describe()));
    QCOMPARE(run.exitCode, 5);
    QVERIFY2(run.out.contains(QStringLiteral("content is damaged")), qPrintable(run.out));
    QVERIFY2(run.out.contains(QStringLiteral("The workspace is read-only (%1: Read-only file "
                                             "system)")
                                  .arg(readOnly)),
             qPrintable(run.out));
    QVERIFY2(run.out.contains(QStringLiteral("1 problem(s); 3 blob(s) verified")),
             qPrintable(run.out));
    QVERIFY2(run.peakKb <= MemoryBoundKb, qPrintable(run.describe()));

    run = runDigitdesk({QStringLiteral("import"), folder, QStringLiteral("--workspace"), readOnly});
    QVERIFY2(run.finished, qPrintable(run.describe()));
    QCOMPARE(run.exitCode, 4);
    QVERIFY2(run.err.contains(QStringLiteral("cannot write to %1: the workspace is read-only "
                                             "(%1: Read-only file system)")
                                  .arg(readOnly)),
             qPrintable(run.err));
    QVERIFY2(run.peakKb <= MemoryBoundKb, qPrintable(run.describe()));
}

void tst_AdversarialImport::cleanupTestCase()
{
    QVERIFY2(
        testing::childrenPeakKb() <= MemoryBoundKb,
        qPrintable(QStringLiteral("a child reached %1 MB").arg(testing::childrenPeakKb() / 1024)));
}

QTEST_GUILESS_MAIN(tst_AdversarialImport)
#include "tst_adversarialimport.moc"
