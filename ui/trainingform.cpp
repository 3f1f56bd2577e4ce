#include "ui/trainingform.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QThread>

namespace digitdesk::ui {

TrainingForm::TrainingForm(QWidget *parent)
    : QWidget(parent), m_version(new QComboBox(this)), m_epochs(new QSpinBox(this)),
      m_batch(new QSpinBox(this)), m_learningRate(new QDoubleSpinBox(this)),
      m_augment(new QCheckBox(tr("Rotate, shift and scale"), this)), m_seed(new QSpinBox(this)),
      m_threads(new QSpinBox(this)), m_device(new QComboBox(this))
{
    m_version->setObjectName(QStringLiteral("trainingVersion"));
    m_version->setToolTip(tr("The dataset version to learn from. The model records its commit, "
                             "so it can always say what it learnt from."));
    m_version->setMinimumContentsLength(28);
    m_version->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_epochs->setObjectName(QStringLiteral("trainingEpochs"));
    m_epochs->setRange(1, 500);
    m_epochs->setToolTip(tr("Passes over the training split (default 15, as `digitdesk train`). "
                            "Fewer is quicker; watch the held-out curve flatten before adding "
                            "more."));
    m_batch->setObjectName(QStringLiteral("trainingBatch"));
    m_batch->setRange(1, 4096);
    m_batch->setToolTip(tr("Images per step (default 128, measured in tests/bench/train_bench). "
                           "Larger batches use the cores better but learn less per image."));
    m_learningRate->setObjectName(QStringLiteral("trainingLearningRate"));
    m_learningRate->setDecimals(5);
    m_learningRate->setRange(0.00001, 1.0);
    m_learningRate->setSingleStep(0.0005);
    m_learningRate->setToolTip(tr("The peak of the one-cycle schedule (AdamW): it rises to this "
                                  "over the first epochs, then anneals towards zero."));
    m_augment->setObjectName(QStringLiteral("trainingAugment"));
    m_augment->setToolTip(tr("Shows each training image slightly rotated, shifted and scaled, "
                             "as handwriting varies; the held-out split is never altered."));
    m_seed->setObjectName(QStringLiteral("trainingSeed"));
    m_seed->setRange(0, 1 << 30);
    m_seed->setToolTip(tr("Seeds initialisation, shuffling and augmentation: the same seed, "
                          "version and settings give the same model. The held-out split does "
                          "not depend on it."));
    m_threads->setObjectName(QStringLiteral("trainingThreads"));
    m_threads->setRange(0, 256);
    m_threads->setSpecialValueText(tr("all cores (%1)").arg(QThread::idealThreadCount()));
    m_threads->setToolTip(tr("LibTorch threads for the run. Leave a core free to keep "
                             "labelling smooth on a small machine."));
    m_device->setObjectName(QStringLiteral("trainingDevice"));
    m_device->addItem(tr("Best available (CUDA, else CPU)"), QStringLiteral("auto"));
    m_device->addItem(tr("CPU"), QStringLiteral("cpu"));
    m_device->addItem(tr("CUDA"), QStringLiteral("cuda"));
    m_device->setToolTip(tr("Where the run computes. CUDA is used when LibTorch was built "
                            "with it and a GPU is present."));

    auto *form = new QFormLayout(this);
    form->setContentsMargins(0, 0, 0, 0);
    form->addRow(tr("Dataset &version:"), m_version);
    form->addRow(tr("&Epochs:"), m_epochs);
    form->addRow(tr("&Batch size:"), m_batch);
    form->addRow(tr("&Learning rate:"), m_learningRate);
    form->addRow(tr("&Augmentation:"), m_augment);
    form->addRow(tr("&Seed:"), m_seed);
    form->addRow(tr("&Threads:"), m_threads);
    form->addRow(tr("&Device:"), m_device);
    connect(m_version, &QComboBox::activated, this, [this] { m_explicitChoice = true; });
    setVersions({}, {});
    setRequest(TrainingRequest{});
}

void TrainingForm::setVersions(const QStringList &tags, const QStringList &descriptions)
{
    // A reload keeps what the user chose; otherwise the newest version is what an engineer
    // usually means, or "commit now" when there is none.
    const QString chosen = m_explicitChoice ? chosenVersion() : QString();
    const QSignalBlocker blocker(m_version);
    m_version->clear();
    m_version->addItem(tr("Commit the approved labels now, then train on them"), CommitNowEntry);
    for (qsizetype i = 0; i < tags.size(); ++i) {
        m_version->addItem(descriptions.value(i, tags.at(i)), tags.at(i));
    }
    const int kept = chosen.isEmpty() ? -1 : m_version->findData(chosen);
    m_version->setCurrentIndex(kept >= 0 ? kept : (tags.isEmpty() ? 0 : 1));
}

void TrainingForm::setCheckWarnings(const QStringList &tags, const QStringList &summaries)
{
    m_checkWarnings.clear();
    for (qsizetype i = 0; i < tags.size(); ++i) {
        m_checkWarnings.insert(tags.at(i), summaries.value(i));
    }
}

QString TrainingForm::chosenVersion() const
{
    return m_version->currentData().toString();
}

void TrainingForm::chooseVersion(const QString &tagOrCommitNow)
{
    const int index = m_version->findData(tagOrCommitNow);
    if (index >= 0) {
        m_version->setCurrentIndex(index);
        m_explicitChoice = true;
    }
}

TrainingRequest TrainingForm::request() const
{
    TrainingRequest request;
    request.epochs = m_epochs->value();
    request.batchSize = m_batch->value();
    request.learningRate = m_learningRate->value();
    request.augment = m_augment->isChecked();
    request.seed = static_cast<quint64>(m_seed->value());
    request.threads = m_threads->value();
    request.device = m_device->currentData().toString();
    return request;
}

void TrainingForm::setRequest(const TrainingRequest &request)
{
    m_epochs->setValue(request.epochs);
    m_batch->setValue(request.batchSize);
    m_learningRate->setValue(request.learningRate);
    m_augment->setChecked(request.augment);
    m_seed->setValue(static_cast<int>(request.seed));
    m_threads->setValue(request.threads);
    m_device->setCurrentIndex(std::max(0, m_device->findData(request.device)));
}

} // namespace digitdesk::ui
