#include "annotation/private/datasetfiles.h"

#include "annotation/userservice.h"

#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>

#include <algorithm>

namespace digitdesk::annotation::datasetfiles {
namespace {

const QByteArray Header = QByteArrayLiteral("sha256,label,annotator,reviewer,source,approved_at");
constexpr int FieldCount = 6;

QByteArray csvField(const QString &text)
{
    const QByteArray bytes = text.toUtf8();
    const bool quote =
        bytes.contains(',') || bytes.contains('"') || bytes.contains('\n') || bytes.contains('\r');
    if (!quote) {
        return bytes;
    }
    QByteArray quoted = "\"";
    for (char c : bytes) {
        if (c == '"') {
            quoted += '"';
        }
        quoted += c;
    }
    return quoted + '"';
}

// Names and sources repeat across tens of thousands of rows: each is encoded once.
class FieldCache final
{
public:
    const QByteArray &operator()(const QString &text)
    {
        auto found = m_encoded.find(text);
        if (found == m_encoded.end()) {
            found = m_encoded.insert(text, csvField(text));
        }
        return *found;
    }

private:
    QHash<QString, QByteArray> m_encoded;
};

// "2026-11-23T12:00:00.000Z" read by hand: QDateTime's own parser would be most of the time a
// 60,000-row diff takes.
QDateTime parseTime(const QByteArray &text)
{
    if (text.isEmpty()) {
        return {};
    }
    const auto number = [&text](qsizetype from, qsizetype length) {
        int value = 0;
        for (qsizetype i = from; i < from + length; ++i) {
            if (text[i] < '0' || text[i] > '9') {
                return -1;
            }
            value = value * 10 + (text[i] - '0');
        }
        return value;
    };
    if (text.size() == 24 && text[4] == '-' && text[7] == '-' && text[10] == 'T' &&
        text[13] == ':' && text[16] == ':' && text[19] == '.' && text[23] == 'Z') {
        const QDate date(number(0, 4), number(5, 2), number(8, 2));
        const QTime time(number(11, 2), number(14, 2), number(17, 2), number(20, 3));
        if (date.isValid() && time.isValid()) {
            return QDateTime(date, time, Qt::UTC);
        }
    }
    return QDateTime::fromString(QString::fromLatin1(text), Qt::ISODateWithMs).toUTC();
}

// Text fields repeat (a few annotators, reviewers and sources): each is decoded once.
class TextCache final
{
public:
    QString operator()(const QByteArray &bytes)
    {
        auto found = m_decoded.find(bytes);
        if (found == m_decoded.end()) {
            found = m_decoded.insert(bytes, QString::fromUtf8(bytes));
        }
        return *found;
    }

private:
    QHash<QByteArray, QString> m_decoded;
};

// Splits RFC 4180 CSV into records; a quoted field may hold commas, quotes and line breaks.
class CsvReader final
{
public:
    explicit CsvReader(const QByteArray &bytes) : m_bytes(bytes) {}

    bool atEnd() const { return m_at >= m_bytes.size(); }
    qint64 line() const { return m_line; }

    // The next record's fields; false with the reason when it is malformed.
    bool next(QList<QByteArray> &fields, QString *error)
    {
        fields.clear();
        ++m_line;
        QByteArray field;
        while (true) {
            if (m_at < m_bytes.size() && m_bytes[m_at] == '"') {
                ++m_at;
                while (true) {
                    if (m_at >= m_bytes.size()) {
                        *error = QStringLiteral("a quoted field is not closed");
                        return false;
                    }
                    const char c = m_bytes[m_at++];
                    if (c == '"') {
                        if (m_at < m_bytes.size() && m_bytes[m_at] == '"') {
                            field += '"';
                            ++m_at;
                            continue;
                        }
                        break;
                    }
                    m_line += c == '\n' ? 1 : 0;
                    field += c;
                }
            } else {
                qsizetype end = m_at;
                while (end < m_bytes.size() && m_bytes[end] != ',' && m_bytes[end] != '\n' &&
                       m_bytes[end] != '\r') {
                    ++end;
                }
                field += QByteArray::fromRawData(m_bytes.constData() + m_at, end - m_at);
                m_at = end;
            }
            fields.append(field);
            field.clear();
            if (m_at >= m_bytes.size()) {
                return true;
            }
            const char separator = m_bytes[m_at++];
            if (separator == ',') {
                continue;
            }
            if (separator == '\r' && m_at < m_bytes.size() && m_bytes[m_at] == '\n') {
                ++m_at;
            } else if (separator != '\n' && separator != '\r') {
                *error = QStringLiteral("unexpected text after a quoted field");
                return false;
            }
            return true;
        }
    }

private:
    const QByteArray &m_bytes;
    qsizetype m_at = 0;
    qint64 m_line = 0;
};

} // namespace

QString imagePath(const QString &sha256)
{
    return ImagesFolder + sha256.left(2) + QLatin1Char('/') + sha256 + QStringLiteral(".png");
}

bool isSha256(const QString &text)
{
    return text.size() == 64 && std::all_of(text.begin(), text.end(), [](QChar c) {
               return (c >= QLatin1Char('0') && c <= QLatin1Char('9')) ||
                      (c >= QLatin1Char('a') && c <= QLatin1Char('f'));
           });
}

QByteArray writeLabels(const std::vector<storage::ApprovedImage> &images)
{
    FieldCache encoded;
    QByteArray out;
    out.reserve(static_cast<qsizetype>(images.size()) * 140 + 64);
    out += Header;
    out += '\n';
    for (const storage::ApprovedImage &image : images) {
        out += image.sha256.toLatin1();
        out += ',';
        out += image.label.character();
        out += ',';
        out += encoded(image.annotator);
        out += ',';
        out += encoded(image.reviewer);
        out += ',';
        out += encoded(image.source);
        out += ',';
        out += image.approvedAt.toLatin1();
        out += '\n';
    }
    return out;
}

std::vector<DatasetRow> parseLabels(const QByteArray &csv, const QString &what)
{
    CsvReader reader(csv);
    QList<QByteArray> fields;
    QString error;
    const auto fail = [&](const QString &reason) {
        return InvalidRequest(
            QStringLiteral("%1, line %2: %3").arg(what).arg(reader.line()).arg(reason));
    };
    if (reader.atEnd() || !reader.next(fields, &error) || fields.join(',') != Header) {
        throw fail(error.isEmpty()
                       ? QStringLiteral("the header is not %1").arg(QString::fromLatin1(Header))
                       : error);
    }
    std::vector<DatasetRow> rows;
    QString previous;
    TextCache text;
    while (!reader.atEnd()) {
        if (!reader.next(fields, &error)) {
            throw fail(error);
        }
        if (fields.size() != FieldCount) {
            throw fail(QStringLiteral("%1 fields, expected %2").arg(fields.size()).arg(FieldCount));
        }
        if (static_cast<qsizetype>(rows.size()) >= MaxRows) {
            throw fail(QStringLiteral("more than %1 rows").arg(MaxRows));
        }
        DatasetRow row;
        row.sha256 = QString::fromLatin1(fields[0]);
        if (!isSha256(row.sha256)) {
            throw fail(QStringLiteral("'%1' is not a SHA-256 in lower-case hex")
                           .arg(QString::fromUtf8(fields[0].left(80))));
        }
        if (!previous.isEmpty() && row.sha256 <= previous) {
            throw fail(QStringLiteral("rows are not sorted by SHA-256, or repeat one"));
        }
        const storage::MaybeLabel label = storage::Label::fromText(QString::fromLatin1(fields[1]));
        if (!label) {
            throw fail(QStringLiteral("label '%1' is neither 0-9 nor x")
                           .arg(QString::fromUtf8(fields[1].left(20))));
        }
        row.label = *label;
        row.annotator = text(fields[2]);
        row.reviewer = text(fields[3]);
        row.source = text(fields[4]);
        row.approvedAt = parseTime(fields[5]);
        previous = row.sha256;
        rows.push_back(std::move(row));
    }
    return rows;
}

std::vector<QByteArrayView> imageNamesOf(const QByteArray &csv, const QString &what)
{
    const auto fail = [&](qint64 line, const QString &reason) {
        return InvalidRequest(QStringLiteral("%1, line %2: %3").arg(what).arg(line).arg(reason));
    };
    if (!csv.startsWith(Header + '\n')) {
        throw fail(1, QStringLiteral("the header is not %1").arg(QString::fromLatin1(Header)));
    }
    std::vector<QByteArrayView> names;
    qsizetype at = Header.size() + 1;
    for (qint64 line = 2; at < csv.size(); ++line) {
        const QByteArrayView name(csv.constData() + at, std::min<qsizetype>(64, csv.size() - at));
        if (csv.size() - at < 65 || csv[at + 64] != ',' ||
            !std::all_of(name.begin(), name.end(),
                         [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); })) {
            throw fail(line, QStringLiteral("the row does not start with a SHA-256"));
        }
        if (!names.empty() && !(names.back() < name)) {
            throw fail(line, QStringLiteral("rows are not sorted by SHA-256, or repeat one"));
        }
        names.push_back(name);
        // On to the next record; a quoted field may hold a line break.
        bool quoted = false;
        for (at += 65; at < csv.size(); ++at) {
            if (csv[at] == '"') {
                quoted = !quoted;
            } else if (csv[at] == '\n' && !quoted) {
                ++at;
                break;
            }
        }
    }
    return names;
}

std::array<int, 11> histogramOf(const std::vector<storage::ApprovedImage> &images)
{
    std::array<int, 11> histogram{};
    for (const storage::ApprovedImage &image : images) {
        ++histogram[static_cast<size_t>(image.label.index())];
    }
    return histogram;
}

std::array<int, 11> histogramOf(const std::vector<DatasetRow> &rows)
{
    std::array<int, 11> histogram{};
    for (const DatasetRow &row : rows) {
        ++histogram[static_cast<size_t>(row.label.index())];
    }
    return histogram;
}

QByteArray writeManifest(const Manifest &manifest)
{
    QJsonObject histogram;
    for (int index = 0; index < storage::Label::Classes; ++index) {
        histogram.insert(storage::Label::fromIndex(index).text(),
                         manifest.histogram[static_cast<size_t>(index)]);
    }
    QJsonObject object;
    object.insert(QStringLiteral("schema_version"), manifest.schemaVersion);
    object.insert(QStringLiteral("tag"), manifest.tag);
    object.insert(QStringLiteral("image_count"), manifest.imageCount);
    object.insert(QStringLiteral("histogram"), histogram);
    object.insert(QStringLiteral("parent_tag"), manifest.parentTag.isEmpty()
                                                    ? QJsonValue(QJsonValue::Null)
                                                    : QJsonValue(manifest.parentTag));
    object.insert(QStringLiteral("parent_commit"), manifest.parentCommit.isEmpty()
                                                       ? QJsonValue(QJsonValue::Null)
                                                       : QJsonValue(manifest.parentCommit));
    return QJsonDocument(object).toJson(QJsonDocument::Indented);
}

Manifest parseManifest(const QByteArray &json, const QString &what)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (!document.isObject()) {
        throw InvalidRequest(
            QStringLiteral("%1: not a JSON object (%2)").arg(what, parseError.errorString()));
    }
    const QJsonObject object = document.object();
    Manifest manifest;
    manifest.schemaVersion = object.value(QStringLiteral("schema_version")).toInt(-1);
    if (manifest.schemaVersion < 1 || manifest.schemaVersion > DatasetService::SchemaVersion) {
        throw InvalidRequest(
            QStringLiteral("%1: schema version %2; this DigitDesk reads versions 1 to %3")
                .arg(what)
                .arg(manifest.schemaVersion)
                .arg(DatasetService::SchemaVersion));
    }
    manifest.tag = object.value(QStringLiteral("tag")).toString();
    manifest.imageCount = object.value(QStringLiteral("image_count")).toInt();
    const QJsonObject histogram = object.value(QStringLiteral("histogram")).toObject();
    for (int index = 0; index < storage::Label::Classes; ++index) {
        manifest.histogram[static_cast<size_t>(index)] =
            histogram.value(storage::Label::fromIndex(index).text()).toInt();
    }
    manifest.parentTag = object.value(QStringLiteral("parent_tag")).toString();
    manifest.parentCommit = object.value(QStringLiteral("parent_commit")).toString();
    return manifest;
}

} // namespace digitdesk::annotation::datasetfiles
