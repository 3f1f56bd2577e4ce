#include "app/serve/servingtoken.h"

#include "app/serve/servingsettings.h"

#include <QByteArray>
#include <QCryptographicHash>
#include <QList>
#include <QRandomGenerator>

namespace digitdesk::app {

namespace {

const QString Scheme = QStringLiteral("sha256");
constexpr int SaltBytes = 16;

QByteArray digestOf(const QByteArray &salt, std::string_view token)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(salt);
    hash.addData(QByteArrayView(token.data(), static_cast<qsizetype>(token.size())));
    return hash.result();
}

// Compares without an early exit, so the time taken says nothing about the secret.
bool sameBytes(QByteArrayView given, QByteArrayView expected)
{
    unsigned char difference = given.size() == expected.size() ? 0 : 1;
    const qsizetype length = std::max<qsizetype>(1, expected.size());
    for (qsizetype i = 0; i < given.size(); ++i) {
        difference |= static_cast<unsigned char>(given[i]) ^
                      static_cast<unsigned char>(expected.isEmpty() ? 0 : expected[i % length]);
    }
    return difference == 0 && !expected.isEmpty();
}

} // namespace

QString hashServingToken(const QString &token)
{
    QByteArray salt(SaltBytes, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(salt.data()),
                                          SaltBytes / static_cast<int>(sizeof(quint32)));
    const QByteArray utf8 = token.toUtf8();
    const QByteArray digest =
        digestOf(salt, std::string_view(utf8.constData(), static_cast<size_t>(utf8.size())));
    return QStringLiteral("%1:%2:%3")
        .arg(Scheme, QString::fromLatin1(salt.toHex()), QString::fromLatin1(digest.toHex()));
}

bool isHashedServingToken(const QString &stored)
{
    return stored.startsWith(Scheme + QLatin1Char(':')) && stored.count(QLatin1Char(':')) == 2;
}

bool servingTokenConfigured(const QString &stored)
{
    return isHashedServingToken(stored) || stored.size() >= MinimumTokenLength;
}

bool servingTokenMatches(std::string_view given, const QString &stored)
{
    if (!isHashedServingToken(stored)) {
        const QByteArray plain = stored.toUtf8();
        return sameBytes(QByteArrayView(given.data(), static_cast<qsizetype>(given.size())), plain);
    }
    const QStringList parts = stored.split(QLatin1Char(':'));
    const QByteArray salt = QByteArray::fromHex(parts.at(1).toLatin1());
    const QByteArray expected = QByteArray::fromHex(parts.at(2).toLatin1());
    return sameBytes(digestOf(salt, given), expected);
}

} // namespace digitdesk::app
