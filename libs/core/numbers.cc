#include "libs/core/numbers.h"

#include <charconv>
#include <limits>
#include <string>

namespace minitok {
namespace {

bool AllDigits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

std::optional<std::int64_t> ParseExactInteger(std::string_view text) {
  if (text.empty() || text.size() > 64) return std::nullopt;
  bool negative = false;
  if (text.front() == '-' || text.front() == '+') {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  // Split into digits [. fraction] [e|E [sign] exponent].
  std::string_view mantissa = text;
  std::string_view exponent_text;
  if (const auto e = text.find_first_of("eE"); e != std::string_view::npos) {
    mantissa = text.substr(0, e);
    exponent_text = text.substr(e + 1);
    if (exponent_text.empty()) return std::nullopt;
  }
  std::string_view integer_part = mantissa;
  std::string_view fraction;
  if (const auto dot = mantissa.find('.'); dot != std::string_view::npos) {
    integer_part = mantissa.substr(0, dot);
    fraction = mantissa.substr(dot + 1);
    if (!fraction.empty() && !AllDigits(fraction)) return std::nullopt;
    if (integer_part.empty() && fraction.empty()) return std::nullopt;
  }
  if (!AllDigits(integer_part)) return std::nullopt;

  int exponent = 0;
  if (!exponent_text.empty()) {
    bool exponent_negative = false;
    if (exponent_text.front() == '+' || exponent_text.front() == '-') {
      exponent_negative = exponent_text.front() == '-';
      exponent_text.remove_prefix(1);
    }
    if (!AllDigits(exponent_text) || exponent_text.size() > 3) return std::nullopt;
    std::from_chars(exponent_text.data(), exponent_text.data() + exponent_text.size(), exponent);
    if (exponent_negative) exponent = -exponent;
  }

  // Shift the decimal point: digits = integer_part + fraction, scaled by 10^(exponent - |fraction|).
  std::string digits(integer_part);
  digits.append(fraction);
  int scale = exponent - static_cast<int>(fraction.size());
  while (scale < 0) {
    if (digits.empty() || digits.back() != '0') return std::nullopt;  // inexact
    digits.pop_back();
    ++scale;
  }
  if (scale > 19) {
    // Only zero survives a large positive scale without overflowing.
    if (digits.find_first_not_of('0') != std::string::npos) return std::nullopt;
    return 0;
  }
  digits.append(static_cast<std::size_t>(scale), '0');
  const auto first = digits.find_first_not_of('0');
  if (first == std::string::npos) return 0;
  std::string_view significant = std::string_view(digits).substr(first);
  std::uint64_t magnitude = 0;
  const auto [end, ec] =
      std::from_chars(significant.data(), significant.data() + significant.size(), magnitude);
  if (ec != std::errc() || end != significant.data() + significant.size()) return std::nullopt;
  constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (negative) {
    if (magnitude > kMax + 1) return std::nullopt;
    return static_cast<std::int64_t>(0 - magnitude);
  }
  if (magnitude > kMax) return std::nullopt;
  return static_cast<std::int64_t>(magnitude);
}

}  // namespace minitok
