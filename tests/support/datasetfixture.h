#pragma once

// Helpers of tst_dataset: images labelled and approved through the services, the real binary
// (clirun.h), and the system git. Header-only, so the suite needs nothing beyond its own
// registration.

#include "annotation/annotationservice.h"
#include "annotation/reviewservice.h"
#include "storage/blobstore.h"
#include "storage/datasetgit.h"
#include "storage/datasetversionrepository.h"
#include "storage/dialect.h"
#include "storage/imagerepository.h"
#include "storage/label.h"
#include "storage/labelrepository.h"
#include "storage/reviewrepository.h"
#include "storage/transaction.h"
#include "tests/support/clirun.h"
#include "tests/support/testdata.h"

#include <QDebug>
#include <QProcess>
#include <QRegularExpression>
#include <QString>
#include <QStringList>

#include <map>
#include <vector>

namespace digitdesk::testing {

// The system git; returns its output, or "FAILED: ..." with its stderr.
inline QString runGit(const QStringList &arguments)
{
    QProcess git;
    git.start(QStringLiteral("git"), arguments);
    git.waitForFinished(120000);
    const QString out = QString::fromUtf8(git.readAllStandardOutput());
    if (git.exitStatus() != QProcess::NormalExit || git.exitCode() != 0) {
        return QStringLiteral("FAILED: git %1: %2%3")
            .arg(arguments.join(QLatin1Char(' ')), out,
                 QString::fromUtf8(git.readAllStandardError()));
    }
    return out;
}

// `git --git-dir GITDIR COMMAND MORE...`
inline QString gitOn(const QString &gitDir, const char *command, const QStringList &more = {})
{
    return runGit(QStringList{QStringLiteral("--git-dir"), gitDir} + words(command) + more);
}

inline qint64 inPackObjects(const QString &gitDir)
{
    const QRegularExpressionMatch match = QRegularExpression(QStringLiteral("in-pack: (\\d+)"))
                                              .match(gitOn(gitDir, "count-objects -v"));
    return match.hasMatch() ? match.captured(1).toLongLong() : -1;
}

// Empty when `git fsck --strict` finds nothing wrong, else what it said.
inline QString fsckProblems(const QString &gitDir)
{
    const QString out = runGit({QStringLiteral("--git-dir"), gitDir, QStringLiteral("fsck"),
                                QStringLiteral("--strict"), QStringLiteral("--no-progress")});
    return out.startsWith(QStringLiteral("FAILED")) ? out : QString();
}

// The people of a dataset test: ann labels, rita reviews, eve is the ML engineer, ada the admin.
struct People
{
    annotation::Principal annotator, reviewer, engineer, admin;
};

inline People addPeople(const storage::Workspace &workspace)
{
    using annotation::Role;
    return {addUser(workspace, QStringLiteral("ann"), Role::Annotator),
            addUser(workspace, QStringLiteral("rita"), Role::Reviewer),
            addUser(workspace, QStringLiteral("eve"), Role::MlEngineer),
            addUser(workspace, QStringLiteral("ada"), Role::Admin)};
}

inline QString shaOf(int seed)
{
    return storage::BlobStore::digestOf(ringPixels(seed));
}

// The workspace's version tags in git (pulled ones left out) and its rows agree, on `tags`.
inline bool ownTagsAre(const storage::Workspace &workspace, QStringList tags)
{
    QStringList inGit;
    for (const storage::GitTag &tag :
         storage::DatasetGit(workspace.datasetRepositoryPath()).tags()) {
        if (!tag.name.contains(QLatin1Char('/'))) {
            inGit << tag.name;
        }
    }
    QStringList inRows;
    for (const auto &version : storage::DatasetVersionRepository(workspace.db()).list()) {
        if (version.origin.isEmpty()) {
            inRows << version.tag;
        }
    }
    for (QStringList *list : {&inGit, &inRows, &tags}) {
        list->sort();
    }
    if (inGit != tags || inRows != tags) {
        qWarning() << "git:" << inGit << "rows:" << inRows << "expected:" << tags;
        return false;
    }
    return true;
}

// The live approved images: SHA-256 -> the label's index (the digit; 10 for "not a digit").
inline std::map<QString, int> approvedLabels(const storage::Workspace &workspace)
{
    std::map<QString, int> labels;
    for (const auto &image : storage::DatasetVersionRepository(workspace.db()).approvedImages()) {
        labels[image.sha256] = image.label.index();
    }
    return labels;
}

// Tables in tests write a label as an int: a digit, or -1 for "not a digit".
inline storage::Label labelOf(int value)
{
    return value < 0 ? storage::Label::notADigit() : storage::Label::fromDigit(value);
}

// Incoming images with pixels ringPixels(first), ringPixels(first + 1), ...; returns their ids.
inline std::vector<qint64> addIncomingImages(const storage::Workspace &workspace, int first,
                                             int count)
{
    storage::ImageRepository images(workspace.db());
    storage::Transaction transaction(workspace.db());
    std::vector<qint64> ids;
    for (int i = 0; i < count; ++i) {
        storage::NewImage image;
        image.pixels = ringPixels(first + i);
        image.sha256 = storage::BlobStore::digestOf(image.pixels);
        image.source = QStringLiteral("scanner,a"); // a comma: labels.csv must quote it
        ids.push_back(images.insert(image, {QStringLiteral("test"), 0, 0}));
    }
    transaction.commit();
    return ids;
}

// Imported as approved in one transaction (digits only): fast enough for 60,000 images.
inline void addApprovedImages(const storage::Workspace &workspace, int first, int count)
{
    storage::ImageRepository images(workspace.db());
    storage::Transaction transaction(workspace.db());
    for (int i = 0; i < count; ++i) {
        storage::NewImage image;
        image.pixels = ringPixels(first + i);
        image.sha256 = storage::BlobStore::digestOf(image.pixels);
        image.source = QStringLiteral("bulk");
        image.labelKind = storage::ImportedLabel::Approved;
        image.label = storage::Label::fromDigit((first + i) % 10);
        images.insert(image, {QStringLiteral("bulk"), 0, 0});
    }
    transaction.commit();
    // As the importer does after thousands of rows.
    storage::Dialect::of(workspace.db()).refreshStatistics(workspace.db());
}

// New images labelled through the annotator's queue (labels[i], -1 for "not a digit") and
// approved by the reviewer, as people do it. Returns the image ids in the order of `labels`.
inline std::vector<qint64> labelAndApprove(const storage::Workspace &workspace, int first,
                                           const std::vector<int> &labels,
                                           const annotation::Principal &annotator,
                                           const annotation::Principal &reviewer)
{
    const std::vector<qint64> ids =
        addIncomingImages(workspace, first, static_cast<int>(labels.size()));
    std::map<qint64, storage::Label> wanted;
    for (size_t i = 0; i < ids.size(); ++i) {
        wanted.emplace(ids[i], labelOf(labels[i]));
    }
    annotation::AnnotationService annotate(workspace.db());
    for (size_t labelled = 0, turns = 0; labelled < ids.size() && turns < 3 * ids.size() + 10;
         ++turns) {
        const auto item = annotate.next(annotator);
        if (!item) {
            break;
        }
        const auto found = wanted.find(item->imageId);
        if (found == wanted.end()) {
            annotate.skip(annotator, item->imageId); // someone else's test image
            continue;
        }
        annotate.label(annotator, item->imageId, found->second, 500);
        ++labelled;
    }
    annotation::ReviewService review(workspace.db());
    for (qint64 id : ids) {
        review.approve(reviewer, id);
    }
    return ids;
}

// An approved image's label changed by a second look: a new label, approved again.
inline void relabel(const storage::Workspace &workspace, qint64 imageId, int label,
                    const annotation::Principal &annotator, const annotation::Principal &reviewer)
{
    storage::Transaction transaction(workspace.db());
    const qint64 labelId = storage::LabelRepository(workspace.db())
                               .addLabel(imageId, labelOf(label), annotator.userId, 0, 100);
    storage::ReviewRepository(workspace.db())
        .addReview(labelId, QStringLiteral("approved"), std::nullopt, reviewer.name,
                   reviewer.userId, 0, {});
    transaction.commit();
}

// An approved image sent back: no longer approved, so the next version deletes it.
inline void unapprove(const storage::Workspace &workspace, qint64 imageId)
{
    storage::LabelRepository repository(workspace.db());
    storage::Transaction transaction(workspace.db());
    for (const storage::LabelRow &row : repository.activeLabels(imageId)) {
        repository.retractLabel(row.id, QStringLiteral("test"));
    }
    repository.setStatus(imageId, storage::ImageStatus::Incoming);
    transaction.commit();
}

} // namespace digitdesk::testing
