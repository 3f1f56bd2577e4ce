#pragma once

#include <QString>

namespace digitdesk::annotation {

// argon2id through libsodium's crypto_pwhash_str: the salt and the cost parameters are kept
// inside the stored string, so raising the cost later only needs needsRehash().
class PasswordHasher final
{
public:
    static QString hash(const QString &password);
    static bool verify(const QString &storedHash, const QString &password);
    static bool needsRehash(const QString &storedHash);
};

} // namespace digitdesk::annotation
