#include "storage/label.h"

#include <stdexcept>
#include <string>

namespace digitdesk::storage {

Label Label::fromDigit(int digit)
{
    if (digit < 0 || digit > 9) {
        throw std::invalid_argument("label " + std::to_string(digit) + " is not a digit 0-9");
    }
    return Label(digit);
}

Label Label::fromIndex(int index)
{
    if (index < 0 || index > NotADigitIndex) {
        throw std::invalid_argument("label index " + std::to_string(index) +
                                    " is neither a digit 0-9 nor 10 for \"not a digit\"");
    }
    return Label(index);
}

std::optional<Label> Label::fromText(QStringView text)
{
    if (text.size() != 1) {
        return std::nullopt;
    }
    const QChar c = text.front();
    if (c == QLatin1Char('x')) {
        return notADigit();
    }
    if (c >= QLatin1Char('0') && c <= QLatin1Char('9')) {
        return Label(c.unicode() - '0');
    }
    return std::nullopt;
}

int Label::digit() const
{
    if (isNotADigit()) {
        throw std::logic_error("the label \"not a digit\" has no digit");
    }
    return m_value;
}

QString Label::text() const
{
    return QString(QLatin1Char(character()));
}

} // namespace digitdesk::storage
