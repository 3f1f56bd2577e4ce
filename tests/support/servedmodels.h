#pragma once

// The TorchScript models of tests/fixtures/make_served_models.py, with known answers, imported
// into a test's workspace. Header-only, like signoff.h.

#include "annotation/modelregistry.h"
#include "annotation/principal.h"
#include "storage/workspace.h"
#include "tests/support/testdata.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QMap>
#include <QString>
#include <QStringList>

namespace digitdesk::testing {

// nan3.pt and fails3.pt misbehave on full-ink pixels, which the import check runs every model on,
// so `digitdesk models import` refuses them (tst_modelimport). The endpoint's tests need them
// served all the same, as models whose fault shows only on input no check tried: they go into
// the registry's table and models/ folder directly.
inline qint64 registerUnchecked(const storage::Workspace &workspace,
                                const annotation::Principal &engineer, const QString &file,
                                const QString &note)
{
    QFile source(file);
    if (!source.open(QIODevice::ReadOnly)) {
        return 0;
    }
    const QByteArray bytes = source.readAll();
    storage::ModelRecord record;
    record.architecture = QStringLiteral("torchscript");
    record.fileSha256 =
        QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
    record.sourceDigest = record.fileSha256;
    record.temperature = 1.0;
    record.note = note;
    record.filePath = QStringLiteral("models/unplaced");
    storage::ModelRepository repository(workspace.db());
    const qint64 id = repository.addModel(record, engineer.actorRef());
    const QString relative = QStringLiteral("models/%1.pt").arg(id);
    repository.setFilePath(id, relative);
    return QFile::copy(file, QDir(workspace.root()).filePath(relative)) ? id : 0;
}

// Writes the models into `folder` and imports the ones named ("sure7.pt", ...): their registry
// ids by name. Empty when the script failed.
inline QMap<QString, qint64> importServedModels(const storage::Workspace &workspace,
                                                const annotation::Principal &engineer,
                                                const QString &folder, const QStringList &names)
{
    if (!runPython(fixtureScript(QStringLiteral("make_served_models.py")), {folder})) {
        return {};
    }
    annotation::ModelRegistry registry(workspace.db(), workspace.root());
    registry.setImportCheck(annotation::ModelImportCheck(QStringLiteral(DIGITDESK_BINARY)));
    QMap<QString, qint64> ids;
    for (const QString &name : names) {
        const QString file = folder + QLatin1Char('/') + name;
        ids.insert(name, name == QStringLiteral("nan3.pt") || name == QStringLiteral("fails3.pt")
                             ? registerUnchecked(workspace, engineer, file, name)
                             : registry.importTorchScript(engineer, file, name));
    }
    return ids;
}

} // namespace digitdesk::testing
