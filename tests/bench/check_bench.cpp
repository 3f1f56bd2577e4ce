// Data checks at the demo's size (issue 16): `dataset check` on the 10,000 demo digits with 2%
// of their labels flipped by a seeded generator (every other flip to the class it is most often
// confused with: 4 and 9, 3 and 5, 7 and 1, ...), then on the same digits with no flips. Prints
// recall, precision and wall time of each, and draws the clean run's top 20 suspects as a PNG
// contact sheet (given label, suspected label, confidence) to look at: are they doubtful?
//
//   check_bench [--folds K] [--epochs E] [--out FOLDER]
#include "annotation/datacheckservice.h"
#include "annotation/datasetservice.h"
#include "annotation/idxfile.h"
#include "storage/blobstore.h"
#include "storage/imagerepository.h"
#include "storage/transaction.h"
#include "storage/workspace.h"
#include "tests/support/testdata.h"

#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QGuiApplication>
#include <QImage>
#include <QPainter>
#include <QSet>
#include <QTemporaryDir>

#include <cstdio>
#include <map>
#include <numeric>
#include <random>

using namespace digitdesk;

namespace {

constexpr int Digits = 10000;
constexpr int SheetColumns = 5;
constexpr int SheetRows = 4;
constexpr int CellWidth = 140;
constexpr int CellHeight = 152;
constexpr int Scale = 4;

struct Run
{
    annotation::DataCheckReport report;
    double seconds = 0;
    std::map<QString, QByteArray> pixels; // by SHA-256
};

Run checkDigits(const annotation::IdxArray &images, const std::vector<int> &labels,
                const annotation::DataCheckOptions &options)
{
    QTemporaryDir dir;
    const auto workspace = storage::Workspace::create(dir.filePath(QStringLiteral("ws")));
    Run run;
    {
        storage::ImageRepository repository(workspace->db());
        storage::Transaction transaction(workspace->db());
        for (int i = 0; i < Digits; ++i) {
            storage::NewImage image;
            image.pixels = images.data.mid(qsizetype(i) * 784, 784);
            image.sha256 = storage::BlobStore::digestOf(image.pixels);
            image.source = QStringLiteral("mnist");
            image.labelKind = storage::ImportedLabel::Approved;
            image.label = storage::Label::fromDigit(labels[size_t(i)]);
            repository.insert(image, {QStringLiteral("bench"), 0, 0});
            run.pixels[image.sha256] = image.pixels;
        }
        transaction.commit();
    }
    const annotation::Principal who = annotation::Principal::localOperator();
    annotation::DatasetService(workspace->db(), workspace->root())
        .commit(who, QStringLiteral("demo digits"));
    QElapsedTimer clock;
    clock.start();
    int lastFold = 0;
    run.report = annotation::DataCheckService(workspace->db(), workspace->root())
                     .run(who, QStringLiteral("v1"), options,
                          [&](const annotation::DataCheckProgress &p) {
                              if (p.fold > 0 && p.fold != lastFold) {
                                  lastFold = p.fold;
                                  std::fprintf(stderr, "  fold %d of %d at %.0f s\n", p.fold,
                                               p.folds, double(clock.elapsed()) / 1000);
                              }
                          })
                     .report;
    run.seconds = double(clock.elapsed()) / 1000;
    return run;
}

void printFigures(const char *name, const Run &run)
{
    std::printf("%s: %d digits, %d folds x %d epochs, %.1f s wall; out-of-fold accuracy %.2f%%; "
                "%zu suspects (%.2f%%); %zu near-duplicate pairs, %d of %d held-out images "
                "leak; %d far from every class, %d flagged OOD\n",
                name, run.report.images, run.report.folds, run.report.epochs, run.seconds,
                run.report.outOfFoldAccuracy * 100, run.report.suspects.size(),
                run.report.suspectedShare() * 100, run.report.nearDuplicates.size(),
                run.report.leakingHeldOut, run.report.heldOut, run.report.farCount,
                run.report.oodCount);
}

QString writeContactSheet(const Run &run, const QString &path)
{
    QImage sheet(SheetColumns * CellWidth, SheetRows * CellHeight, QImage::Format_RGB32);
    sheet.fill(Qt::white);
    QPainter painter(&sheet);
    QFont font = painter.font();
    font.setPixelSize(13);
    painter.setFont(font);
    for (int i = 0; i < SheetColumns * SheetRows && i < int(run.report.suspects.size()); ++i) {
        const annotation::SuspectedLabelError &suspect = run.report.suspects[size_t(i)];
        const QByteArray &pixels = run.pixels.at(suspect.sha256);
        QImage digit(28, 28, QImage::Format_Grayscale8);
        for (int row = 0; row < 28; ++row) {
            std::copy_n(pixels.constData() + row * 28, 28, digit.scanLine(row));
        }
        const int x = (i % SheetColumns) * CellWidth;
        const int y = (i / SheetColumns) * CellHeight;
        painter.drawImage(QRect(x + (CellWidth - 28 * Scale) / 2, y + 4, 28 * Scale, 28 * Scale),
                          digit);
        painter.setPen(Qt::black);
        painter.drawText(QRect(x, y + 28 * Scale + 6, CellWidth, 34), Qt::AlignHCenter,
                         QStringLiteral("#%1 given %2\nsuspected %3 (%4)")
                             .arg(i + 1)
                             .arg(suspect.givenLabel)
                             .arg(suspect.suspectedLabel)
                             .arg(suspect.confidence, 0, 'f', 2));
    }
    painter.end();
    return sheet.save(path) ? path : QString();
}

} // namespace

int main(int argc, char *argv[])
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addOption(
        {QStringLiteral("folds"), QStringLiteral("K"), QStringLiteral("K"), QStringLiteral("5")});
    parser.addOption(
        {QStringLiteral("epochs"), QStringLiteral("E"), QStringLiteral("E"), QStringLiteral("3")});
    parser.addOption({QStringLiteral("out"), QStringLiteral("folder"), QStringLiteral("FOLDER"),
                      QDir::temp().filePath(QStringLiteral("check_bench"))});
    parser.process(app);
    annotation::DataCheckOptions options;
    options.folds = parser.value(QStringLiteral("folds")).toInt();
    options.epochs = parser.value(QStringLiteral("epochs")).toInt();
    const QString out = parser.value(QStringLiteral("out"));
    QDir().mkpath(out);

    const annotation::IdxArray images = annotation::readIdxFile(
        testing::demoDataFile(QStringLiteral("mnist-10k-images-idx3-ubyte")));
    const annotation::IdxArray labelFile = annotation::readIdxFile(
        testing::demoDataFile(QStringLiteral("mnist-10k-labels-idx1-ubyte")));
    std::vector<int> clean(Digits);
    for (int i = 0; i < Digits; ++i) {
        clean[size_t(i)] = static_cast<unsigned char>(labelFile.data[i]);
    }

    const std::map<int, int> confusable = {{4, 9}, {9, 4}, {3, 5}, {5, 3}, {7, 1},
                                           {1, 7}, {8, 3}, {2, 7}, {6, 0}, {0, 6}};
    std::mt19937 random(16);
    std::vector<int> order(Digits);
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), random);
    std::vector<int> flippedLabels = clean;
    QSet<QString> flipped;
    const int flipCount = Digits / 50;
    for (int k = 0; k < flipCount; ++k) {
        const int i = order[size_t(k)];
        const int given = clean[size_t(i)];
        int wrong = k % 2 == 0 ? confusable.at(given) : int(random() % 9);
        if (k % 2 != 0 && wrong >= given) {
            ++wrong;
        }
        flippedLabels[size_t(i)] = wrong;
        flipped << storage::BlobStore::digestOf(images.data.mid(qsizetype(i) * 784, 784));
    }

    std::fprintf(stderr, "2%% flipped:\n");
    const Run noisy = checkDigits(images, flippedLabels, options);
    int found = 0;
    for (const annotation::SuspectedLabelError &suspect : noisy.report.suspects) {
        found += flipped.contains(suspect.sha256);
    }
    printFigures("2% flipped", noisy);
    std::printf("  %d flips: %d found; recall %.1f%%, precision %.1f%%\n", flipCount, found,
                100.0 * found / flipCount,
                noisy.report.suspects.empty() ? 0.0 : 100.0 * found / noisy.report.suspects.size());

    std::fprintf(stderr, "no flips:\n");
    const Run plain = checkDigits(images, clean, options);
    printFigures("no flips", plain);
    const QString sheet =
        writeContactSheet(plain, QDir(out).filePath(QStringLiteral("check_bench_top20.png")));
    std::printf("  top 20 suspects of the clean digits: %s\n",
                sheet.isEmpty() ? "(could not write the contact sheet)" : qPrintable(sheet));
    return 0;
}
