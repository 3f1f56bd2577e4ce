#pragma once

#include <QString>

#include <string_view>

namespace digitdesk::app {

// The serving token as the workspace's settings hold it: "sha256:SALT:DIGEST" in hex, the
// digest of the salt followed by the token. The token itself is never stored.
QString hashServingToken(const QString &token);
bool isHashedServingToken(const QString &stored);
// Whether clients can be asked for the token `stored` describes: a hash, or a token stored in
// plain text by an older DigitDesk that is long enough.
bool servingTokenConfigured(const QString &stored);
// Whether `given` is the token `stored` describes, in a time that does not depend on where they
// differ. A plain-text token (an older DigitDesk's) is compared as it is.
bool servingTokenMatches(std::string_view given, const QString &stored);

} // namespace digitdesk::app
