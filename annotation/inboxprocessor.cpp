#include "annotation/inboxprocessor.h"

#include "annotation/importer.h"
#include "annotation/modelregistry.h"
#include "models/predictor.h"
#include "storage/blobstore.h"
#include "storage/inboxrepository.h"
#include "storage/predictionrepository.h"
#include "storage/transaction.h"

#include <QDate>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QSaveFile>
#include <QSet>

namespace digitdesk::annotation {
namespace {

constexpr int PredictionBatch = 512;

struct Pending
{
    QString path;
    storage::InboxFileRecord record;
    bool known = false;      // already imported: only moved
    bool journalled = false; // this very file was recorded, then the process died
};

// Files that hold many images are folder imports, not scans; the importer would take them.
bool isMultiImageFile(const QString &fileName)
{
    const QString lower = fileName.toLower();
    return lower.endsWith(QStringLiteral(".csv")) || lower.endsWith(QStringLiteral(".gz")) ||
           lower.contains(QStringLiteral("-ubyte"));
}

// `name` in `folder`, or name-1.ext, name-2.ext... when it is taken.
QString freeName(const QDir &folder, const QString &name)
{
    const QFileInfo info(name);
    const QString base = info.completeBaseName();
    const QString suffix = info.suffix().isEmpty() ? QString() : QLatin1Char('.') + info.suffix();
    QString candidate = name;
    for (int n = 1;
         folder.exists(candidate) || folder.exists(candidate + QStringLiteral(".error.txt")); ++n) {
        candidate = QStringLiteral("%1-%2%3").arg(base).arg(n).arg(suffix);
    }
    return candidate;
}

// Moves `path` into `inbox`/`subfolder`; returns the new path relative to the inbox, or an
// empty string with `problem` set.
QString moveInto(const QString &inbox, const QString &subfolder, const QString &path,
                 const QString &errorText, QString *problem)
{
    const QDir root(inbox);
    if (!root.mkpath(subfolder)) {
        *problem = QStringLiteral("cannot make %1").arg(root.filePath(subfolder));
        return {};
    }
    const QDir folder(root.filePath(subfolder));
    const QString name = freeName(folder, QFileInfo(path).fileName());
    if (!errorText.isEmpty()) {
        QSaveFile reason(folder.filePath(name + QStringLiteral(".error.txt")));
        if (!reason.open(QIODevice::WriteOnly) || reason.write(errorText.toUtf8() + '\n') < 0 ||
            !reason.commit()) {
            *problem =
                QStringLiteral("cannot write %1: %2").arg(reason.fileName(), reason.errorString());
            return {};
        }
    }
    if (!QFile::rename(path, folder.filePath(name))) {
        *problem = QStringLiteral("cannot move %1 to %2").arg(path, folder.path());
        return {};
    }
    return root.relativeFilePath(folder.filePath(name));
}

} // namespace

InboxProcessor::InboxProcessor(const QSqlDatabase &db, const storage::BlobStore &blobs,
                               QString workspaceRoot, Principal who)
    : m_db(db), m_blobs(blobs), m_root(std::move(workspaceRoot)), m_who(std::move(who))
{}

InboxProcessor::~InboxProcessor() = default;

InboxBatchReport InboxProcessor::process(const QString &inbox, const QStringList &files)
{
    InboxBatchReport report;
    storage::InboxRepository journal(m_db);
    std::vector<Pending> pending;
    QStringList toImport;
    for (const QString &path : files) {
        Pending file;
        file.path = QFileInfo(path).absoluteFilePath();
        file.record.name = QFileInfo(path).fileName();
        QFile in(file.path);
        if (isMultiImageFile(file.record.name)) {
            file.record.outcome = storage::InboxOutcome::Failed;
            file.record.reason = QStringLiteral("the inbox takes single scans (PNG, JPEG, BMP, "
                                                "TIFF); import IDX and CSV files with "
                                                "`digitdesk import`");
        } else if (in.size() > Importer::MaxFileBytes) {
            toImport << file.path; // the importer refuses it with its own words
        } else if (!in.open(QIODevice::ReadOnly)) {
            ++report.left; // gone since the scan, or not readable yet: seen again at the next
            continue;
        } else {
            file.record.sha256 = storage::BlobStore::digestOf(in.readAll());
            file.record.imageId = journal.imageOfOriginal(file.record.sha256);
            if (file.record.imageId > 0) {
                file.known = true;
                const QStringList names = journal.importedNames(file.record.sha256);
                if (names.contains(file.record.name)) {
                    file.journalled = true;
                } else if (!names.isEmpty()) {
                    file.record.outcome = storage::InboxOutcome::AlreadyImported;
                    file.record.reason =
                        QStringLiteral("the same file was imported before, from %1")
                            .arg(names.front());
                }
            } else {
                toImport << file.path;
            }
        }
        pending.push_back(std::move(file));
    }

    QHash<QString, QString> problems;
    QSet<QString> duplicates;
    if (!toImport.isEmpty()) {
        ImportOptions options;
        options.source = QString::fromLatin1(Source);
        options.labels = LabelPolicy::Ignore;
        const ImportReport imported = Importer(m_db, m_blobs, m_who).run(toImport, options);
        for (const ImportProblem &problem : imported.problems) {
            problems.insert(problem.item, problem.reason);
        }
        duplicates = QSet<QString>(imported.duplicateItems.begin(), imported.duplicateItems.end());
        if (imported.imported > 0) {
            report.predicted = predict(&report.problem);
        }
    }
    for (Pending &file : pending) {
        if (file.known || file.record.outcome == storage::InboxOutcome::Failed) {
            continue;
        }
        if (const auto problem = problems.constFind(file.path); problem != problems.cend()) {
            file.record.outcome = storage::InboxOutcome::Failed;
            file.record.reason = *problem;
        } else if (duplicates.contains(file.path)) {
            file.record.outcome = storage::InboxOutcome::Duplicate;
            file.record.reason = QStringLiteral("a duplicate: the same image is already in the "
                                                "workspace, so it was not imported again");
        } else {
            file.record.imageId = journal.imageOfOriginal(file.record.sha256);
        }
    }

    // Recorded before the move: a crash in between leaves a file whose bytes are known.
    const QString today = QDate::currentDate().toString(Qt::ISODate);
    std::vector<storage::InboxFileRecord> records;
    for (Pending &file : pending) {
        const bool failed = file.record.outcome == storage::InboxOutcome::Failed ||
                            file.record.outcome == storage::InboxOutcome::Duplicate;
        file.record.movedTo =
            failed ? QString::fromLatin1(FailedFolder)
                   : QStringLiteral("%1/%2").arg(QString::fromLatin1(ProcessedFolder), today);
        if (!file.journalled) {
            records.push_back(file.record);
        }
    }
    if (!records.empty()) {
        storage::Transaction transaction(m_db);
        journal.record(records);
        transaction.commit();
    }
    for (const Pending &file : pending) {
        const bool failed = file.record.outcome == storage::InboxOutcome::Failed ||
                            file.record.outcome == storage::InboxOutcome::Duplicate;
        QString problem;
        const QString moved = moveInto(
            inbox, file.record.movedTo, file.path,
            failed ? QStringLiteral("%1: %2").arg(file.record.name, file.record.reason) : QString(),
            &problem);
        if (moved.isEmpty()) {
            ++report.left;
            report.problem = problem;
        } else if (failed) {
            ++report.failed;
            report.lastFailure = QStringLiteral("%1: %2").arg(file.record.name, file.record.reason);
        } else if (file.record.outcome == storage::InboxOutcome::AlreadyImported) {
            ++report.alreadyImported;
        } else {
            ++report.imported;
        }
    }
    return report;
}

qint64 InboxProcessor::predict(QString *problem)
{
    try {
        const ModelRegistry registry(m_db, m_root);
        const auto production = registry.production();
        if (!production) {
            m_predictor.reset();
            m_predictorModel = 0;
            return 0;
        }
        if (!m_predictor || m_predictorModel != *production) {
            m_predictor.reset();
            m_predictor = registry.openPredictor(*production, models::DeviceRequest::Auto);
            m_predictorModel = *production;
        }
        storage::PredictionRepository predictions(m_db);
        qint64 stored = 0;
        for (;;) {
            const std::vector<storage::PendingImage> images =
                predictions.unlabelledWithoutPrediction(m_predictorModel, PredictionBatch);
            if (images.empty()) {
                break;
            }
            std::vector<uint8_t> pixels;
            pixels.reserve(images.size() * 784);
            for (const storage::PendingImage &image : images) {
                pixels.insert(pixels.end(), image.pixels.begin(), image.pixels.end());
            }
            const std::vector<models::Prediction> answers =
                m_predictor->predict(pixels.data(), static_cast<int>(images.size()));
            std::vector<storage::StoredPrediction> rows;
            rows.reserve(images.size());
            for (size_t i = 0; i < images.size(); ++i) {
                rows.push_back({images[i].id, answers[i].label, answers[i].confidence,
                                answers[i].probabilities});
            }
            storage::Transaction transaction(m_db);
            predictions.store(m_predictorModel, rows);
            transaction.commit();
            stored += static_cast<qint64>(rows.size());
            if (images.size() < static_cast<size_t>(PredictionBatch)) {
                break;
            }
        }
        return stored;
    } catch (const std::exception &error) {
        m_predictor.reset();
        m_predictorModel = 0;
        *problem =
            QStringLiteral("predictions not stored: %1").arg(QString::fromUtf8(error.what()));
        return 0;
    }
}

} // namespace digitdesk::annotation
