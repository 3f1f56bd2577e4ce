#include "tests/support/testdata.h"

#include "annotation/modelregistry.h"
#include "models/flopcount.h"

#include "annotation/userservice.h"
#include "storage/imagerepository.h"
#include "storage/modelrepository.h"
#include "storage/predictionrepository.h"
#include "storage/transaction.h"
#include "storage/userrepository.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace digitdesk::testing {

annotation::Principal addUser(const storage::Workspace &workspace, const QString &name,
                              annotation::Role role, const QString &password)
{
    annotation::UserService(workspace.db())
        .addUser(annotation::Principal::localOperator(), name, password, role);
    const auto user = storage::UserRepository(workspace.db()).findByName(name);
    return {name, role, user ? user->id : 0, 0};
}

QByteArray encodeRing(const QString &extension, int width, int height, int cx, int cy, int radius,
                      bool darkOnLight)
{
    cv::Mat image(height, width, CV_8U, cv::Scalar(darkOnLight ? 235 : 10));
    cv::circle(image, {cx, cy}, radius, cv::Scalar(darkOnLight ? 20 : 245), std::max(2, radius / 3),
               cv::LINE_AA);
    std::vector<uchar> bytes;
    cv::imencode((QLatin1Char('.') + extension).toStdString(), image, bytes);
    return QByteArray(reinterpret_cast<const char *>(bytes.data()),
                      static_cast<qsizetype>(bytes.size()));
}

QByteArray ringPixels(int seed)
{
    cv::Mat image = cv::Mat::zeros(28, 28, CV_8U);
    cv::circle(image, {10 + seed % 8, 10 + (seed / 8) % 8}, 4 + seed % 3, cv::Scalar(255), 2);
    // A faint mark in the corner makes every seed a distinct image.
    image.at<uchar>(0, 0) = static_cast<uchar>(seed & 0xff);
    image.at<uchar>(0, 1) = static_cast<uchar>((seed >> 8) & 0xff);
    return QByteArray(reinterpret_cast<const char *>(image.data), 784);
}

qint64 addFixtureModel(const storage::Workspace &workspace, const QString &datasetCommit)
{
    storage::ModelRecord model;
    model.architecture = QStringLiteral("digitnet");
    model.sourceDigest = QStringLiteral("fixture");
    model.filePath = QStringLiteral("models/fixture.pt");
    model.fileSha256 = QStringLiteral("fixture");
    model.datasetCommit = datasetCommit;
    return storage::ModelRepository(workspace.db()).addModel(model, {QStringLiteral("test"), 0, 0});
}

std::vector<qint64> addPredictedImages(const storage::Workspace &workspace,
                                       const std::vector<double> &confidences)
{
    const QSqlDatabase db = workspace.db();
    storage::ImageRepository images(db);
    storage::ModelRepository models(db);
    storage::Transaction transaction(db);
    qint64 modelId = models.aliasTarget(QStringLiteral("production")).value_or(0);
    if (modelId == 0) {
        modelId = addFixtureModel(workspace);
        models.moveAlias(QStringLiteral("production"), modelId, {QStringLiteral("test"), 0, 0},
                         QStringLiteral("fixture"));
    }
    std::vector<storage::StoredPrediction> predictions;
    std::vector<qint64> ids;
    for (size_t i = 0; i < confidences.size(); ++i) {
        storage::NewImage image;
        image.pixels = ringPixels(static_cast<int>(i));
        image.sha256 = storage::BlobStore::digestOf(image.pixels);
        image.source = QStringLiteral("fixture");
        const qint64 id = images.insert(image, {QStringLiteral("test"), 0, 0});
        ids.push_back(id);
        storage::StoredPrediction prediction;
        prediction.imageId = id;
        prediction.label = static_cast<int>(i % 10);
        prediction.confidence = confidences[i];
        prediction.probabilities[i % 10] = static_cast<float>(confidences[i]);
        prediction.probabilities[(i + 1) % 10] = static_cast<float>(1 - confidences[i]);
        predictions.push_back(prediction);
    }
    storage::PredictionRepository(db).store(modelId, predictions);
    transaction.commit();
    return ids;
}

qint64 addUntrainedModel(const TempWorkspace &temp, const annotation::Principal &who)
{
    annotation::ModelRegistry registry(temp.workspace->db(), temp.workspace->root());
    const QString file = temp.dir.filePath(QStringLiteral("untrained.pt"));
    models::saveUntrained(models::Architecture::DigitNet, file);
    const qint64 run = registry.beginTraining(who, QStringLiteral("fixture"),
                                              QStringLiteral("digest"), QStringLiteral("{}"));
    annotation::TrainedModel trained;
    trained.file = file;
    trained.metrics = QStringLiteral("{\"validation\":{\"accuracy\":0.1}}");
    trained.dataDigest = QStringLiteral("digest");
    return registry.registerTrained(who, run, trained);
}

} // namespace digitdesk::testing
