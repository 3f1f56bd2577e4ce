#pragma once

// Helpers of tst_datacheck: MNIST digits approved with chosen labels, versions committed by the
// operator, `dataset check --json` run as a user runs it, and copies of a digit that are not the
// same image. Header-only, like datasetfixture.h.

#include "annotation/datasetservice.h"
#include "annotation/idxfile.h"
#include "storage/sqlquery.h"
#include "tests/support/datasetfixture.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <vector>

namespace digitdesk::testing {

struct Mnist
{
    annotation::IdxArray images;
    annotation::IdxArray labels;

    Mnist()
        : images(
              annotation::readIdxFile(demoDataFile(QStringLiteral("mnist-10k-images-idx3-ubyte")))),
          labels(
              annotation::readIdxFile(demoDataFile(QStringLiteral("mnist-10k-labels-idx1-ubyte"))))
    {}
    QByteArray pixels(int i) const { return images.data.mid(qsizetype(i) * 784, 784); }
    int label(int i) const { return static_cast<unsigned char>(labels.data[i]); }
};

// Approved as imported, with the given labels; returns the SHA-256 of each.
inline QStringList addApproved(const storage::Workspace &workspace,
                               const std::vector<QByteArray> &pixels,
                               const std::vector<int> &labels)
{
    storage::ImageRepository repository(workspace.db());
    storage::Transaction transaction(workspace.db());
    QStringList shas;
    for (size_t i = 0; i < pixels.size(); ++i) {
        storage::NewImage image;
        image.pixels = pixels[i];
        image.sha256 = storage::BlobStore::digestOf(image.pixels);
        image.source = QStringLiteral("mnist");
        image.labelKind = storage::ImportedLabel::Approved;
        image.label = storage::Label::fromDigit(labels[i]);
        repository.insert(image, {QStringLiteral("test"), 0, 0});
        shas << image.sha256;
    }
    transaction.commit();
    return shas;
}

inline annotation::DatasetVersion commitVersion(const storage::Workspace &workspace,
                                                const char *message)
{
    return annotation::DatasetService(workspace.db(), workspace.root())
        .commit(annotation::Principal::localOperator(), QString::fromUtf8(message));
}

inline QJsonObject checkJson(const QString &folder, const QStringList &more,
                             int *exitCode = nullptr)
{
    const CliRun run =
        runDigitdesk(QStringList{QStringLiteral("dataset"), QStringLiteral("check")} + more +
                     QStringList{QStringLiteral("--json"), QStringLiteral("--workspace"), folder});
    if (exitCode) {
        *exitCode = run.exitCode;
    }
    const QJsonObject json = QJsonDocument::fromJson(run.out.toUtf8()).object();
    if (json.isEmpty()) {
        qWarning().noquote() << "dataset check:" << run.exitCode << run.out << run.err;
    }
    return json;
}

// Moved `dx` pixels to the right (MNIST digits have empty columns at both sides).
inline QByteArray shifted(const QByteArray &pixels, int dx)
{
    QByteArray moved(784, '\0');
    for (int row = 0; row < 28; ++row) {
        for (int column = 0; column < 28; ++column) {
            if (column + dx >= 0 && column + dx < 28) {
                moved[row * 28 + column + dx] = pixels[row * 28 + column];
            }
        }
    }
    return moved;
}

// One ink pixel one grey level lighter: another image to the hash, the same to the eye.
inline QByteArray touchedUp(const QByteArray &pixels)
{
    QByteArray copy = pixels;
    for (char &value : copy) {
        if (static_cast<unsigned char>(value) > 100) {
            value = static_cast<char>(static_cast<unsigned char>(value) - 1);
            break;
        }
    }
    return copy;
}

inline int scalar(const storage::Workspace &workspace, const QString &sql)
{
    storage::SqlQuery query(workspace.db(), sql, QStringLiteral("test"));
    query.exec();
    return query.next() ? query.value(0).toInt() : -1;
}

} // namespace digitdesk::testing
