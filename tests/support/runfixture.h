#pragma once

// Helpers of tst_runs, tst_retraining and tst_comparison: approved MNIST digits, a workspace of
// them committed as v1, and the real binary as a child the test can signal. Header-only, like
// datasetfixture.h.

#include "annotation/datasetservice.h"
#include "annotation/idxfile.h"
#include "storage/sqlquery.h"
#include "storage/trainingrunrepository.h"
#include "tests/support/datasetfixture.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

#include <memory>

namespace digitdesk::testing {

// MNIST test digits first .. first + count - 1, imported as approved.
inline void addApprovedDigits(const storage::Workspace &workspace, int first, int count)
{
    const annotation::IdxArray images =
        annotation::readIdxFile(demoDataFile(QStringLiteral("mnist-10k-images-idx3-ubyte")));
    const annotation::IdxArray labels =
        annotation::readIdxFile(demoDataFile(QStringLiteral("mnist-10k-labels-idx1-ubyte")));
    storage::ImageRepository repository(workspace.db());
    storage::Transaction transaction(workspace.db());
    for (int i = first; i < first + count; ++i) {
        storage::NewImage image;
        image.pixels = images.data.mid(static_cast<qsizetype>(i) * 784, 784);
        image.sha256 = storage::BlobStore::digestOf(image.pixels);
        image.source = QStringLiteral("mnist");
        image.labelKind = storage::ImportedLabel::Approved;
        image.label = storage::Label::fromDigit(static_cast<unsigned char>(labels.data[i]));
        repository.insert(image, {QStringLiteral("test"), 0, 0});
    }
    transaction.commit();
}

// `digitdesk train ...` as a child the test can signal.
inline std::unique_ptr<QProcess> startDigitdesk(const QStringList &arguments)
{
    auto process = std::make_unique<QProcess>();
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.remove(QStringLiteral("DIGITDESK_WORKSPACE"));
    process->setProcessEnvironment(environment);
    process->start(QStringLiteral(DIGITDESK_BINARY), arguments);
    process->closeWriteChannel();
    process->waitForStarted();
    return process;
}

// Reads the child's stdout until a line holds `needle`; false when it ended first.
inline bool waitForLine(QProcess &process, const QByteArray &needle, int timeoutMs = 120000)
{
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeoutMs) {
        if (process.canReadLine()) {
            if (process.readLine().contains(needle)) {
                return true;
            }
            continue;
        }
        if (process.state() != QProcess::Running && process.bytesAvailable() == 0) {
            return false;
        }
        process.waitForReadyRead(1000);
    }
    return false;
}

inline QJsonObject jsonLine(const QString &out, const QString &event)
{
    for (const QString &line : out.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        const QJsonObject object = QJsonDocument::fromJson(line.toUtf8()).object();
        if (object.value(QStringLiteral("event")).toString() == event) {
            return object;
        }
    }
    return {};
}

// A fresh workspace with 300 approved MNIST digits committed as v1 by the reviewer.
struct RunWorkspace
{
    RunWorkspace()
    {
        people = addPeople(workspace());
        addApprovedDigits(workspace(), 0, 300);
        commit = annotation::DatasetService(workspace().db(), workspace().root())
                     .commit(people.reviewer, QStringLiteral("300 digits"))
                     .commitId;
    }

    TempWorkspace temp;
    People people;
    QString commit; // v1's

    const storage::Workspace &workspace() const { return *temp.workspace; }
    QString folder() const { return temp.folder(); }
    QStringList at() const { return {QStringLiteral("--workspace"), folder()}; }
    qint64 count(const QString &sql) const
    {
        storage::SqlQuery query(workspace().db(), sql, QStringLiteral("test"));
        query.exec();
        return query.next() ? query.value(0).toLongLong() : -1;
    }
    storage::TrainingRunRecord run(qint64 id) const
    {
        return *storage::TrainingRunRepository(workspace().db()).find(id);
    }
};

} // namespace digitdesk::testing
