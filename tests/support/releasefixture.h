#pragma once

// The release suites' fixture: held-out figures made to order, the metrics a registered model
// records, and a team with a registry and the sign-off.

#include "annotation/modelregistry.h"
#include "annotation/releasesignoff.h"
#include "annotation/userservice.h"
#include "models/flopcount.h"
#include "storage/auditlog.h"
#include "storage/releasedecisionrepository.h"
#include "storage/sqlquery.h"
#include "storage/storageerror.h"
#include "tests/support/datasetfixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTest>

namespace digitdesk::testing::release {

using annotation::Role;

// Held-out figures with `count` images of each digit, `correct[c]` of them answered right.
inline annotation::ModelFigures figuresOf(const QList<int> &correct, int count, double ece)
{
    annotation::ModelFigures figures;
    for (int c = 0; c < models::ClassCount; ++c) {
        annotation::ClassFigures &perClass = figures.perClass[static_cast<size_t>(c)];
        perClass.count = correct.at(c) < 0 ? 0 : count;
        perClass.correct = std::max(0, correct.at(c));
        perClass.recall = perClass.count > 0 ? double(perClass.correct) / perClass.count : 0;
        figures.count += perClass.count;
        figures.correct += perClass.correct;
    }
    figures.accuracy = figures.count > 0 ? double(figures.correct) / figures.count : 0;
    figures.accuracyInterval = annotation::wilsonInterval(figures.correct, figures.count);
    figures.ece = ece;
    return figures;
}

// The metrics the trainer records: 20 held-out images of each digit, all right but three 3s
// taken for 5s (recall of 3: 85%), ECE 0.021.
inline QString recordedMetrics()
{
    QJsonArray confusion;
    for (int truth = 0; truth < models::ClassCount; ++truth) {
        QJsonArray row;
        for (int answered = 0; answered < models::ClassCount; ++answered) {
            const int right = truth == 3 ? 17 : 20;
            row.append(answered == truth ? right : truth == 3 && answered == 5 ? 3 : 0);
        }
        confusion.append(row);
    }
    const QJsonObject evaluation{{QStringLiteral("count"), 200},
                                 {QStringLiteral("accuracy"), 0.985},
                                 {QStringLiteral("ece"), 0.021},
                                 {QStringLiteral("confusion"), confusion}};
    return QString::fromUtf8(
        QJsonDocument(QJsonObject{{QStringLiteral("validation"), evaluation},
                                  {QStringLiteral("validation_calibrated"), evaluation}})
            .toJson(QJsonDocument::Compact));
}

// A team: eve trains, ada administers, quinn is ML QA, mia manages, ann labels.
struct Team
{
    Team()
        : eve(testing::addUser(*temp.workspace, QStringLiteral("eve"), Role::MlEngineer)),
          ada(testing::addUser(*temp.workspace, QStringLiteral("ada"), Role::Admin)),
          quinn(testing::addUser(*temp.workspace, QStringLiteral("quinn"), Role::MlQa)),
          mia(testing::addUser(*temp.workspace, QStringLiteral("mia"), Role::Manager)),
          ann(testing::addUser(*temp.workspace, QStringLiteral("ann"), Role::Annotator)),
          registry(temp.workspace->db(), temp.workspace->root()), signOff(temp.workspace->db())
    {}

    // An untrained DigitNet that `who` trained (started its run and registered it).
    qint64 train(const annotation::Principal &who, const QString &metrics = QStringLiteral("{}"))
    {
        const QString file = temp.dir.filePath(QStringLiteral("trained.pt"));
        models::saveUntrained(models::Architecture::DigitNet, file);
        const qint64 run = registry.beginTraining(who, QStringLiteral("fixture"),
                                                  QStringLiteral("digest"), QStringLiteral("{}"));
        annotation::TrainedModel trained;
        trained.file = file;
        trained.metrics = metrics;
        trained.dataDigest = QStringLiteral("digest");
        return registry.registerTrained(who, run, trained);
    }
    QString refusalOfPromote(qint64 id)
    {
        try {
            registry.promote(eve, id, QStringLiteral("try"));
        } catch (const annotation::InvalidRequest &error) {
            return QString::fromUtf8(error.what());
        }
        return {};
    }
    storage::AuditEntry lastAudit() const
    {
        return storage::AuditLog(temp.workspace->db()).latest(1).front();
    }

    testing::TempWorkspace temp;
    annotation::Principal eve, ada, quinn, mia, ann;
    annotation::ModelRegistry registry;
    annotation::ReleaseSignOff signOff;
};

} // namespace digitdesk::testing::release
