#include "libs/core/text.h"

#include <cstdint>
#include <string>

namespace minitok {

std::optional<std::size_t> CountUtf8CodePoints(std::string_view text) {
  std::size_t count = 0;
  std::size_t i = 0;
  const auto byte = [&](std::size_t at) { return static_cast<std::uint8_t>(text[at]); };
  while (i < text.size()) {
    const std::uint8_t lead = byte(i);
    std::size_t extra = 0;
    std::uint32_t code_point = 0;
    if (lead < 0x80) {
      code_point = lead;
    } else if ((lead & 0xE0) == 0xC0) {
      extra = 1;
      code_point = lead & 0x1F;
    } else if ((lead & 0xF0) == 0xE0) {
      extra = 2;
      code_point = lead & 0x0F;
    } else if ((lead & 0xF8) == 0xF0) {
      extra = 3;
      code_point = lead & 0x07;
    } else {
      return std::nullopt;
    }
    if (i + extra >= text.size() && extra > 0) return std::nullopt;
    for (std::size_t k = 1; k <= extra; ++k) {
      const std::uint8_t next = byte(i + k);
      if ((next & 0xC0) != 0x80) return std::nullopt;
      code_point = (code_point << 6) | (next & 0x3F);
    }
    static constexpr std::uint32_t kMinimum[] = {0, 0x80, 0x800, 0x10000};
    if (code_point < kMinimum[extra] || code_point > 0x10FFFF ||
        (code_point >= 0xD800 && code_point <= 0xDFFF)) {
      return std::nullopt;
    }
    i += extra + 1;
    ++count;
  }
  return count;
}

bool HasControlCharacters(std::string_view text, bool allow_newlines) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<std::uint8_t>(text[i]);
    if (c == '\n' || c == '\t' || c == '\r') {
      if (!allow_newlines) return true;
      continue;
    }
    if (c < 0x20 || c == 0x7F) return true;
    // C1 controls U+0080..U+009F are encoded as C2 80..C2 9F.
    if (c == 0xC2 && i + 1 < text.size()) {
      const auto next = static_cast<std::uint8_t>(text[i + 1]);
      if (next >= 0x80 && next <= 0x9F) return true;
    }
  }
  return false;
}

std::string_view TrimAsciiWhitespace(std::string_view text) {
  const auto is_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

Status ValidateText(std::string_view text, const TextRule& rule) {
  const std::string what(rule.what);
  const auto length = CountUtf8CodePoints(text);
  if (!length) return MakeError(Code::kInvalidArgument, what + " is not valid UTF-8");
  // Present but blank: said as empty, not as missing (a missing parameter is the caller's error).
  if (TrimAsciiWhitespace(text).empty()) return MakeError(Code::kInvalidArgument, what + " must not be empty");
  if (*length > rule.max_characters) {
    return MakeError(Code::kInvalidArgument,
                     what + " must be at most " + std::to_string(rule.max_characters) + " characters");
  }
  if (HasControlCharacters(text, rule.allow_newlines)) {
    return MakeError(Code::kInvalidArgument, what + " must not contain control characters");
  }
  return Ok();
}

}  // namespace minitok
