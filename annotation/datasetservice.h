#pragma once

#include "annotation/accesscontrol.h"
#include "annotation/principal.h"
#include "storage/label.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

#include <array>
#include <atomic>
#include <functional>
#include <optional>
#include <stdexcept>
#include <vector>

namespace digitdesk::annotation {

// One row of a version's labels.csv: an approved image and who stands behind its label.
struct DatasetRow
{
    QString sha256; // of the 784 normalised pixels; the image is images/<ab>/<sha256>.png
    storage::Label label = storage::Label::notADigit();
    QString annotator;
    QString reviewer;
    QString source;
    QDateTime approvedAt; // UTC
};

// A dataset version: a commit of dataset.git tagged vN, and its row in the workspace.
struct DatasetVersion
{
    QString tag;      // "v3"; "origin/v3" for a version fetched from a remote
    int number = 0;   // 3
    QString commitId; // 40 hex digits
    QString author;   // the user who committed it (not the operator)
    QDateTime createdAt;
    QString message;
    int imageCount = 0;
    // Images per class, by storage::Label::index(): 0-9, and [10] for "not a digit".
    std::array<int, storage::Label::Classes> histogram{};
    QString parentTag; // the version it was made from, empty for the first
    QString origin;    // empty for this workspace's own versions, else the remote's name
};

// What changed from one version to another, by image (its SHA-256 names it).
struct DatasetDiff
{
    QString fromTag;
    QString toTag;
    std::vector<DatasetRow> added;
    std::vector<DatasetRow> deleted;
    std::vector<std::pair<DatasetRow, DatasetRow>> relabelled; // before, after
    // The shape of `dvc diff --json`: {"added": [{"path": ...}], "deleted": [...],
    // "modified": [{"path": "images/ab/<sha>.png", "before": {...}, "after": {...}}],
    // "renamed": []}.
    QJsonDocument toJson() const;
};

enum class ExportFormat
{
    ImageFolder, // DIR/<label>/<sha256>.png ("not a digit" in DIR/x/)
    Idx,         // DIR/images-idx3-ubyte and DIR/labels-idx1-ubyte (digits only)
    Csv          // DIR/<tag>.csv: label then 784 pixels per line (digits only)
};

struct DatasetExport
{
    int images = 0;
    int skipped = 0; // "not a digit" items a format cannot hold
    QStringList files;
};

// What a push sent to a remote.
struct DatasetPush
{
    QString mainCommit; // where the remote's main moved; empty when it had all of it already
    // Own versions sent, each with its name on the remote: "v2", or "v2-1a2b3c4d" (its commit's
    // first 8 hex digits) where the remote's v2 is another workspace's version.
    std::vector<std::pair<QString, QString>> tags;
};

// A commit or an export stopped by its caller's cancel flag; nothing of it is left behind.
class DatasetWorkCancelled final : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

// Lineage: a model, the version it learnt from, and who stands behind each label of it.
struct ModelLineage
{
    qint64 modelId = 0;
    DatasetVersion version;
    std::vector<DatasetRow> rows;
};

// Dataset versions: the approved labels committed to the workspace's dataset.git as tagged
// commits (DESIGN.md: dataset.json, labels.csv sorted by SHA-256, images/ab/<sha256>.png), their
// history, differences, exports, and sharing through git remotes. Every call is checked against
// the caller's role: reviewers and above see and commit versions; ml_engineers and admins also
// export, push, pull and import them.
class DatasetService final
{
public:
    using Progress = std::function<void(qint64 done, qint64 total)>;
    static constexpr int SchemaVersion = 1;

    DatasetService(const QSqlDatabase &db, QString workspaceRoot);

    // Commits every approved label as the next version vN with the message. Only the images
    // new since the previous version are encoded and written. Serialised with every other
    // commit on the workspace (another process's commit makes this one wait, then refused
    // after a while with the reason). Throws InvalidRequest when nothing changed. `cancel`,
    // read between chunks of images and before anything is written to git, throws
    // DatasetWorkCancelled having made no object, commit, tag or row.
    DatasetVersion commit(const Principal &who, const QString &message,
                          const Progress &progress = {}, const std::atomic<bool> *cancel = nullptr);
    // Newest first; this workspace's versions and those pulled from remotes.
    std::vector<DatasetVersion> versions(const Principal &who) const;
    DatasetVersion version(const Principal &who, const QString &tag) const;
    // The version's labels.csv, read from git (not from the live tables).
    std::vector<DatasetRow> rows(const Principal &who, const QString &tag) const;
    // The 28x28 pixels of one image of the version (for thumbnails).
    QByteArray pixels(const Principal &who, const QString &tag, const QString &sha256) const;
    DatasetDiff diff(const Principal &who, const QString &fromTag, const QString &toTag) const;
    // Problems found in a version (every version when `tag` is empty): unreadable or corrupt
    // objects, an image whose pixels do not match its name or its row, a row without an image.
    // Each names the version and the path. Empty when all is well.
    QStringList verify(const Principal &who, const QString &tag = {}) const;
    // Progress counts the version's rows. `cancel`, read between rows, throws
    // DatasetWorkCancelled once what this export wrote is removed (the folder too, when the
    // export created it).
    DatasetExport exportVersion(const Principal &who, const QString &tag, ExportFormat format,
                                const QString &folder, const Progress &progress = {},
                                const std::atomic<bool> *cancel = nullptr) const;
    // Sends this workspace's history, joined with every remote history pulled before, as the
    // remote's main, and with `withTags` the versions the remote does not name yet. Throws
    // storage::RemoteAhead, having sent nothing, when the remote holds versions not pulled here.
    DatasetPush push(const Principal &who, const QString &remote, bool withTags);
    // Fetches a remote's versions as "<name>/vN" (or "<name>/vN-1a2b3c4d", another workspace's
    // vN as the remote names it) and joins the remote's history into what the next push sends;
    // this workspace's own versions and main do not move. Returns every version of the remote.
    std::vector<DatasetVersion> pull(const Principal &who, const QString &remote,
                                     const QString &name = QStringLiteral("origin"));
    // Brings a version's images and labels into this workspace as approved items (a pulled
    // one, typically); the original annotator and reviewer names are kept as text. Returns how
    // many images were new.
    int importVersion(const Principal &who, const QString &tag);
    // Ids of the registered models trained on the version.
    std::vector<qint64> modelsTrainedOn(const Principal &who, const QString &tag) const;
    ModelLineage lineage(const Principal &who, qint64 modelId) const;
    // Where a version's files are checked out for training: the IDX pair written from git.
    // Returns {images file, labels file}.
    std::pair<QString, QString> trainingFiles(const Principal &who, const QString &tag,
                                              const QString &folder) const;
    // The same pair for whoever may see the version (view-datasets): what a model is evaluated
    // on, for ML QA who judge models they may not train.
    std::pair<QString, QString> versionFiles(const Principal &who, const QString &tag,
                                             const QString &folder) const;

private:
    // Takes back, once per service, versions that a process killed mid-commit published to git
    // but never recorded, so dataset.git and the workspace agree on the newest version.
    void recoverOnce() const;

    QSqlDatabase m_db;
    QString m_root;
    AccessControl m_access;
    mutable bool m_recovered = false;
};

} // namespace digitdesk::annotation
