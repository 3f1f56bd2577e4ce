#pragma once

#include "annotation/datasetservice.h"

#include <QList>
#include <QWidget>

class QLabel;

namespace digitdesk::ui {

class DatasetHistogramChart;

// One dataset version in detail: its counts, author, parent and message as plain text, the
// models trained on it with where their lineage comes from, and its images per class as bars.
class DatasetDetailsPane final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DatasetDetailsPane)

public:
    explicit DatasetDetailsPane(QWidget *parent = nullptr);

    // `parent` is the version it was made from, when known here.
    void showVersion(const annotation::DatasetVersion &version,
                     const annotation::DatasetVersion *parent);
    void clear();
    // The version shown, empty when none.
    QString tag() const { return m_tag; }
    DatasetHistogramChart *histogram() const { return m_histogram; }
    void showModels(const QString &tag, const QList<qint64> &modelIds);
    void showModelsFailed(const QString &tag, const QString &reason);

private:
    QString m_tag;
    QLabel *m_details;
    QLabel *m_models;
    DatasetHistogramChart *m_histogram;
};

} // namespace digitdesk::ui
