#include "annotation/metricssnapshot.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace digitdesk::annotation {
namespace {

bool isNameStart(QChar c)
{
    return (c >= QLatin1Char('a') && c <= QLatin1Char('z')) ||
           (c >= QLatin1Char('A') && c <= QLatin1Char('Z')) || c == QLatin1Char('_') ||
           c == QLatin1Char(':');
}

bool isNameChar(QChar c)
{
    return isNameStart(c) || (c >= QLatin1Char('0') && c <= QLatin1Char('9'));
}

// A cursor over one line of the exposition.
class Cursor
{
public:
    explicit Cursor(QStringView text) : m_text(text) {}

    bool atEnd() const { return m_at >= m_text.size(); }
    QChar peek() const { return atEnd() ? QChar() : m_text.at(m_at); }
    QChar take() { return atEnd() ? QChar() : m_text.at(m_at++); }
    void skipSpaces()
    {
        while (!atEnd() && (peek() == QLatin1Char(' ') || peek() == QLatin1Char('\t'))) {
            ++m_at;
        }
    }
    bool accept(QChar c)
    {
        if (peek() != c) {
            return false;
        }
        ++m_at;
        return true;
    }
    QString name()
    {
        const qsizetype start = m_at;
        if (!atEnd() && isNameStart(peek())) {
            ++m_at;
            while (!atEnd() && isNameChar(peek())) {
                ++m_at;
            }
        }
        return m_text.mid(start, m_at - start).toString();
    }
    QStringView token()
    {
        const qsizetype start = m_at;
        while (!atEnd() && peek() != QLatin1Char(' ') && peek() != QLatin1Char('\t')) {
            ++m_at;
        }
        return m_text.mid(start, m_at - start);
    }
    // A double-quoted label value with the format's three escapes: \\, \" and \n.
    bool quoted(QString *out)
    {
        if (!accept(QLatin1Char('"'))) {
            return false;
        }
        while (!atEnd()) {
            const QChar c = take();
            if (c == QLatin1Char('"')) {
                return true;
            }
            if (c == QLatin1Char('\\')) {
                const QChar escaped = take();
                if (escaped == QLatin1Char('n')) {
                    out->append(QLatin1Char('\n'));
                } else if (escaped == QLatin1Char('\\') || escaped == QLatin1Char('"')) {
                    out->append(escaped);
                } else {
                    out->append(QLatin1Char('\\'));
                    out->append(escaped);
                }
            } else {
                out->append(c);
            }
        }
        return false;
    }

private:
    QStringView m_text;
    qsizetype m_at = 0;
};

bool includes(const MetricsSnapshot::Labels &labels, const MetricsSnapshot::Labels &wanted)
{
    for (auto it = wanted.cbegin(); it != wanted.cend(); ++it) {
        const auto found = labels.constFind(it.key());
        if (found == labels.cend() || found.value() != it.value()) {
            return false;
        }
    }
    return true;
}

} // namespace

double MetricsSnapshot::parseValue(QStringView text, bool *ok)
{
    *ok = true;
    if (text.compare(QLatin1String("+Inf"), Qt::CaseInsensitive) == 0 ||
        text.compare(QLatin1String("Inf"), Qt::CaseInsensitive) == 0) {
        return std::numeric_limits<double>::infinity();
    }
    if (text.compare(QLatin1String("-Inf"), Qt::CaseInsensitive) == 0) {
        return -std::numeric_limits<double>::infinity();
    }
    if (text.compare(QLatin1String("NaN"), Qt::CaseInsensitive) == 0) {
        return std::numeric_limits<double>::quiet_NaN();
    }
    const double value = text.toDouble(ok);
    return *ok ? value : std::numeric_limits<double>::quiet_NaN();
}

MetricsSnapshot MetricsSnapshot::parse(const QByteArray &text)
{
    MetricsSnapshot snapshot;
    const QString decoded = QString::fromUtf8(text);
    for (QStringView line : QStringView(decoded).split(QLatin1Char('\n'))) {
        line = line.trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#'))) {
            continue;
        }
        if (!snapshot.parseLine(line)) {
            ++snapshot.m_malformed;
        }
    }
    return snapshot;
}

bool MetricsSnapshot::parseLine(QStringView line)
{
    Cursor cursor(line);
    const QString name = cursor.name();
    if (name.isEmpty()) {
        return false;
    }
    Sample sample;
    cursor.skipSpaces();
    if (cursor.accept(QLatin1Char('{'))) {
        for (;;) {
            cursor.skipSpaces();
            if (cursor.accept(QLatin1Char('}'))) {
                break;
            }
            const QString label = cursor.name();
            cursor.skipSpaces();
            if (label.isEmpty() || !cursor.accept(QLatin1Char('='))) {
                return false;
            }
            cursor.skipSpaces();
            QString value;
            if (!cursor.quoted(&value)) {
                return false;
            }
            sample.labels.insert(label, value);
            cursor.skipSpaces();
            if (!cursor.accept(QLatin1Char(',')) && cursor.peek() != QLatin1Char('}')) {
                return false;
            }
        }
    }
    cursor.skipSpaces();
    bool ok = false;
    sample.value = parseValue(cursor.token(), &ok);
    if (!ok) {
        return false;
    }
    m_samples[name].push_back(std::move(sample));
    return true;
}

double MetricsSnapshot::value(const QString &name, const Labels &labels) const
{
    const auto found = m_samples.find(name);
    if (found == m_samples.end()) {
        return 0;
    }
    double total = 0;
    for (const Sample &sample : found->second) {
        if (includes(sample.labels, labels)) {
            total += sample.value;
        }
    }
    return total;
}

std::vector<MetricsSnapshot::Sample> MetricsSnapshot::samples(const QString &name) const
{
    const auto found = m_samples.find(name);
    return found == m_samples.end() ? std::vector<Sample>() : found->second;
}

std::vector<std::pair<double, double>> MetricsSnapshot::buckets(const QString &name) const
{
    const QString suffix = QStringLiteral("_bucket");
    const auto found = m_samples.find(name.endsWith(suffix) ? name : name + suffix);
    if (found == m_samples.end()) {
        return {};
    }
    std::map<double, double> byBound;
    for (const Sample &sample : found->second) {
        bool ok = false;
        const double le = parseValue(sample.labels.value(QStringLiteral("le")), &ok);
        if (ok && !std::isnan(le)) {
            byBound[le] += sample.value;
        }
    }
    return {byBound.begin(), byBound.end()};
}

} // namespace digitdesk::annotation
