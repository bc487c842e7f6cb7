#pragma once
// Validation of user-supplied text: UTF-8 well-formedness and lengths counted in characters.

#include <cstddef>
#include <optional>
#include <string_view>

#include "libs/core/result.h"

namespace minitok {

/// Number of Unicode code points if `text` is well-formed UTF-8 (no overlongs, no surrogates,
/// nothing above U+10FFFF), otherwise nullopt.
std::optional<std::size_t> CountUtf8CodePoints(std::string_view text);

/// True when `text` holds a C0/C1 control character or DEL (tab and newline allowed if asked).
bool HasControlCharacters(std::string_view text, bool allow_newlines);

/// `text` without leading and trailing ASCII whitespace.
std::string_view TrimAsciiWhitespace(std::string_view text);

/// The rules of one kind of user text (a title, a comment, a message).
struct TextRule {
  std::string_view what;  ///< how the error names it, e.g. "comment"
  std::size_t max_characters;
  bool allow_newlines;
};

/// kInvalidArgument with a message naming `rule.what` unless `text` is valid UTF-8, not blank,
/// at most max_characters code points, and free of control characters.
Status ValidateText(std::string_view text, const TextRule& rule);

}  // namespace minitok
