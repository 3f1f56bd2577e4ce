#include "annotation/private/datasetverifier.h"

#include "annotation/datasetservice.h"
#include "annotation/private/datasetfiles.h"
#include "annotation/private/pngcodec.h"
#include "storage/blobstore.h"
#include "storage/storageerror.h"

#include <QHash>
#include <QSet>

#include <stdexcept>

namespace digitdesk::annotation {
namespace {

// A damaged pack makes every image after it unreadable: name the first ones, count the rest.
constexpr int MaxImageProblems = 50;

QString messageOf(const std::exception &error)
{
    return QString::fromUtf8(error.what());
}

class VersionCheck final
{
public:
    VersionCheck(const storage::DatasetGit &git, QString tag, QString commit)
        : m_git(git), m_tag(std::move(tag)), m_commit(std::move(commit))
    {}

    QStringList run()
    {
        try {
            for (const QString &problem : m_git.checkObjects(m_commit)) {
                add(problem);
            }
        } catch (const std::exception &error) {
            add(messageOf(error));
        }
        std::vector<DatasetRow> rows;
        try {
            rows = datasetfiles::parseLabels(m_git.readFile(m_commit, datasetfiles::LabelsPath),
                                             datasetfiles::LabelsPath);
        } catch (const std::exception &error) {
            add(messageOf(error));
            return m_problems;
        }
        checkManifest(rows);
        checkImages(rows);
        return m_problems;
    }

private:
    void add(const QString &problem) { m_problems << m_tag + QStringLiteral(": ") + problem; }

    void addImageProblem(const QString &problem)
    {
        if (++m_imageProblems <= MaxImageProblems) {
            add(problem);
        }
    }

    void checkManifest(const std::vector<DatasetRow> &rows)
    {
        try {
            const datasetfiles::Manifest manifest = datasetfiles::parseManifest(
                m_git.readFile(m_commit, datasetfiles::ManifestPath), datasetfiles::ManifestPath);
            if (manifest.imageCount != static_cast<int>(rows.size()) ||
                manifest.histogram != datasetfiles::histogramOf(rows)) {
                add(QStringLiteral("%1: its counts do not match %2 (%3 rows)")
                        .arg(datasetfiles::ManifestPath, datasetfiles::LabelsPath)
                        .arg(rows.size()));
            }
        } catch (const std::exception &error) {
            add(messageOf(error));
        }
    }

    void checkImages(const std::vector<DatasetRow> &rows)
    {
        QStringList files;
        try {
            files = m_git.listFiles(m_commit, datasetfiles::ImagesFolder);
        } catch (const std::exception &error) {
            add(messageOf(error));
        }
        QHash<QString, QByteArray> contents;
        try {
            contents = m_git.readFiles(m_commit, datasetfiles::ImagesFolder);
        } catch (const std::exception &) {
            // read one by one below, each failure with its own reason
        }
        QSet<QString> unlisted(files.begin(), files.end());
        for (const DatasetRow &row : rows) {
            const QString path = datasetfiles::imagePath(row.sha256);
            if (!unlisted.remove(path)) {
                addImageProblem(QStringLiteral("%1: listed in %2 but not in the tree")
                                    .arg(path, datasetfiles::LabelsPath));
                continue;
            }
            QString error;
            QByteArray pixels;
            try {
                const auto found = contents.constFind(path);
                pixels = decodeDatasetPng(found != contents.cend() ? found.value()
                                                                   : m_git.readFile(m_commit, path),
                                          &error);
            } catch (const std::exception &exception) {
                error = messageOf(exception);
            }
            if (pixels.isEmpty()) {
                addImageProblem(QStringLiteral("%1: %2").arg(path, error));
            } else if (storage::BlobStore::digestOf(pixels) != row.sha256) {
                addImageProblem(QStringLiteral("%1: the pixels' SHA-256 is %2, not the name")
                                    .arg(path, storage::BlobStore::digestOf(pixels)));
            }
        }
        QStringList extra(unlisted.begin(), unlisted.end());
        extra.sort();
        for (const QString &path : extra) {
            addImageProblem(QStringLiteral("%1: an image that %2 does not list")
                                .arg(path, datasetfiles::LabelsPath));
        }
        if (m_imageProblems > MaxImageProblems) {
            add(QStringLiteral("... and %1 more image problems")
                    .arg(m_imageProblems - MaxImageProblems));
        }
    }

    const storage::DatasetGit &m_git;
    QString m_tag;
    QString m_commit;
    QStringList m_problems;
    int m_imageProblems = 0;
};

} // namespace

QStringList verifyDatasetVersion(const storage::DatasetGit &git, const QString &tag,
                                 const QString &recordedCommit)
{
    QStringList problems;
    QString tagged;
    try {
        tagged = git.resolve(QStringLiteral("refs/tags/") + tag);
    } catch (const std::exception &error) {
        problems << QStringLiteral("%1: the tag cannot be read from %2: %3")
                        .arg(tag, git.path(), messageOf(error));
    }
    if (!tagged.isEmpty() && tagged != recordedCommit) {
        problems << QStringLiteral("%1: the tag points at commit %2, but the workspace recorded %3")
                        .arg(tag, tagged, recordedCommit);
        problems += VersionCheck(git, tag, tagged).run();
    }
    problems += VersionCheck(git, tag, recordedCommit).run();
    return problems;
}

} // namespace digitdesk::annotation
