#pragma once

#include <QString>
#include <QStringView>

#include <compare>
#include <cstdint>
#include <optional>

namespace digitdesk::storage {

// What a person says an image shows: a digit 0-9, or "not a digit" (unreadable, a letter, a
// blot). "No label" is std::optional<Label> (MaybeLabel), never a value of its own. A model's
// answer is always a digit and stays an int. In SQL, only labelsql.h converts it.
class Label final
{
public:
    static constexpr int Classes = 11; // 0-9 and "not a digit", for histograms and kappa
    static constexpr int NotADigitIndex = 10;

    // Throws std::invalid_argument, naming the value, unless 0 <= digit <= 9.
    static Label fromDigit(int digit);
    static constexpr Label notADigit() { return Label(NotADigitIndex); }
    // 0-9 a digit, 10 "not a digit"; throws std::invalid_argument otherwise.
    static Label fromIndex(int index);
    // "0"-"9", or "x" for "not a digit" (labels.csv, ImageFolder folders, the command line);
    // nullopt for anything else.
    static std::optional<Label> fromText(QStringView text);

    constexpr bool isDigit() const { return m_value != NotADigitIndex; }
    constexpr bool isNotADigit() const { return m_value == NotADigitIndex; }
    // The digit 0-9; throws std::logic_error for "not a digit".
    int digit() const;
    // 0-9, or 10 for "not a digit".
    constexpr int index() const { return m_value; }
    // "0"-"9", or "x" for "not a digit".
    QString text() const;
    char character() const { return m_value == NotADigitIndex ? 'x' : char('0' + m_value); }

    friend constexpr auto operator<=>(Label, Label) = default;

private:
    constexpr explicit Label(int value) : m_value(static_cast<std::int8_t>(value)) {}

    std::int8_t m_value;
};

using MaybeLabel = std::optional<Label>;

} // namespace digitdesk::storage
