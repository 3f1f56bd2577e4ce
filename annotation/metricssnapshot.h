#pragma once

#include <QByteArray>
#include <QMap>
#include <QString>

#include <map>
#include <utility>
#include <vector>

namespace digitdesk::annotation {

// One scrape of a Prometheus text exposition (`GET /metrics`): every sample by metric name and
// label set. Comments (# HELP, # TYPE) are skipped, values may be +Inf, -Inf or NaN, an
// optional timestamp after the value is ignored, and a line that does not parse is counted in
// malformedLines() rather than failing the whole scrape.
class MetricsSnapshot final
{
public:
    using Labels = QMap<QString, QString>;

    struct Sample
    {
        Labels labels;
        double value = 0;
    };

    static MetricsSnapshot parse(const QByteArray &text);

    bool isEmpty() const { return m_samples.empty(); }
    bool contains(const QString &name) const { return m_samples.contains(name); }
    // The sum over the samples of `name` whose labels include every pair in `labels` (all of
    // them when `labels` is empty), so a label the server adds later does not break a lookup;
    // 0 when there is none.
    double value(const QString &name, const Labels &labels = {}) const;
    double sum(const QString &name) const { return value(name); }
    std::vector<Sample> samples(const QString &name) const;
    // A histogram's cumulative buckets (upper bound `le`, count) from `name`_bucket, summed
    // over its other labels and sorted by bound; `name` may be given with or without the
    // `_bucket` suffix. The +Inf bucket comes last with an infinite bound.
    std::vector<std::pair<double, double>> buckets(const QString &name) const;
    int malformedLines() const { return m_malformed; }

    // A sample value or an `le` bound as the exposition format writes it ("+Inf", "NaN", "1e-3");
    // *ok says whether it was a number at all, since NaN is a valid sample value.
    static double parseValue(QStringView text, bool *ok);

private:
    bool parseLine(QStringView line);

    std::map<QString, std::vector<Sample>> m_samples;
    int m_malformed = 0;
};

} // namespace digitdesk::annotation
