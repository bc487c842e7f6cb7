#pragma once
// Validation of user-supplied text: UTF-8 well-formedness and lengths counted in characters.

#include <cstddef>
#include <optional>
#include <string_view>

namespace minitok {

/// Number of Unicode code points if `text` is well-formed UTF-8 (no overlongs, no surrogates,
/// nothing above U+10FFFF), otherwise nullopt.
std::optional<std::size_t> CountUtf8CodePoints(std::string_view text);

/// True when `text` holds a C0/C1 control character or DEL (tab and newline allowed if asked).
bool HasControlCharacters(std::string_view text, bool allow_newlines);

/// `text` without leading and trailing ASCII whitespace.
std::string_view TrimAsciiWhitespace(std::string_view text);

}  // namespace minitok
