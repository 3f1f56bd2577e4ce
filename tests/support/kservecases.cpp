#include "tests/support/kservecases.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

namespace digitdesk::testing {

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QJsonObject ourInput(int count, bool nested)
{
    QJsonArray row;
    for (int i = 0; i < 28; ++i) {
        row.append(128);
    }
    QJsonArray image;
    for (int i = 0; i < 28; ++i) {
        image.append(row);
    }
    QJsonArray data;
    for (int n = 0; n < count; ++n) {
        if (nested) {
            data.append(QJsonArray{image});
            continue;
        }
        for (int i = 0; i < 784; ++i) {
            data.append(128);
        }
    }
    const QJsonArray shape = nested ? QJsonArray{count, 1, 28, 28} : QJsonArray{count, 784};
    return {{QStringLiteral("name"), QStringLiteral("input")},
            {QStringLiteral("shape"), shape},
            {QStringLiteral("datatype"), QStringLiteral("UINT8")},
            {QStringLiteral("data"), data}};
}

QByteArray int64Bytes(qint64 value)
{
    QByteArray bytes;
    for (int i = 0; i < 8; ++i) {
        bytes += static_cast<char>((value >> (8 * i)) & 0xFF);
    }
    return bytes;
}

QStringList readmeRows()
{
    QFile file(QStringLiteral(DIGITDESK_SOURCE_DIR "/README.md"));
    if (!file.open(QIODevice::ReadOnly)) {
        return {};
    }
    const QString text = QString::fromUtf8(file.readAll());
    const qsizetype start = text.indexOf(QStringLiteral("<!-- kserve-conformance -->"));
    if (start < 0) {
        return {};
    }
    QStringList rows;
    const QStringList lines = text.mid(start).split(QLatin1Char('\n'));
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QString line = lines.at(i).trimmed();
        if (!line.startsWith(QLatin1Char('|'))) {
            if (!rows.isEmpty() || i > 3) {
                break;
            }
            continue;
        }
        QString cell = line.section(QLatin1Char('|'), 1, 1).trimmed();
        if (cell.isEmpty() || cell.startsWith(QStringLiteral("---")) ||
            cell == QStringLiteral("endpoint or field")) {
            continue;
        }
        rows.append(cell.remove(QLatin1Char('`')));
    }
    return rows;
}

} // namespace digitdesk::testing
