#include "libs/json/json_writer.h"

#include <charconv>
#include <cstdint>
#include <cstring>
#include <cmath>

namespace minitok::json {

void AppendQuoted(std::string& out, std::string_view value) {
  out.push_back('"');
  AppendEscaped(out, value);
  out.push_back('"');
}

namespace {

/// Whether any of the 8 bytes in `word` is a control character, a quote or a backslash: the
/// classic "has a byte less than n" and "has a zero byte" word tricks, 8 bytes per step.
bool NeedsEscape(std::uint64_t word) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHighs = 0x8080808080808080ULL;
  const auto has_zero = [](std::uint64_t w) { return (w - kOnes) & ~w & kHighs; };
  const std::uint64_t below_space = (word - kOnes * 0x20) & ~word & kHighs;
  return (below_space | has_zero(word ^ (kOnes * '"')) | has_zero(word ^ (kOnes * '\\'))) != 0;
}

}  // namespace

void AppendEscaped(std::string& out, std::string_view value) {
  static constexpr char kHex[] = "0123456789abcdef";
  // Copy runs of plain bytes at once; only quotes, backslashes and controls need escapes.
  std::size_t run_start = 0;
  std::size_t i = 0;
  while (i < value.size()) {
    if (value.size() - i >= 8) {
      std::uint64_t word;
      std::memcpy(&word, value.data() + i, sizeof word);
      if (!NeedsEscape(word)) {
        i += 8;
        continue;
      }
    }
    const auto byte = static_cast<unsigned char>(value[i++]);
    if (byte >= 0x20 && byte != '"' && byte != '\\') continue;
    out.append(value.data() + run_start, i - 1 - run_start);
    run_start = i;
    switch (byte) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      default:
        out.append("\\u00");
        out.push_back(kHex[byte >> 4]);
        out.push_back(kHex[byte & 0xF]);
    }
  }
  out.append(value.data() + run_start, value.size() - run_start);
}

void JsonWriter::BeforeValue() {
  if (need_comma_) out_.push_back(',');
  need_comma_ = true;
}

JsonWriter& JsonWriter::BeginObject() {
  BeforeValue();
  out_.push_back('{');
  need_comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::EndObject() {
  out_.push_back('}');
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::BeginArray() {
  BeforeValue();
  out_.push_back('[');
  need_comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::EndArray() {
  out_.push_back(']');
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::Key(std::string_view key) {
  BeforeValue();
  // Keys are this program's own names, never user data: nothing in them needs escaping.
  out_.push_back('"');
  out_.append(key);
  out_.append("\":", 2);
  need_comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::String(std::string_view value) {
  BeforeValue();
  AppendQuoted(out_, value);
  return *this;
}

JsonWriter& JsonWriter::Concat(std::initializer_list<std::string_view> pieces) {
  BeforeValue();
  out_.push_back('"');
  for (const auto piece : pieces) AppendEscaped(out_, piece);
  out_.push_back('"');
  return *this;
}

JsonWriter& JsonWriter::RawValue(std::initializer_list<std::string_view> pieces) {
  BeforeValue();
  for (const auto piece : pieces) out_.append(piece);
  return *this;
}

JsonWriter& JsonWriter::Int(std::int64_t value) {
  BeforeValue();
  char buffer[24];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out_.append(buffer, end);
  return *this;
}

JsonWriter& JsonWriter::Double(double value) {
  if (!std::isfinite(value)) return Null();
  BeforeValue();
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out_.append(buffer, end);
  return *this;
}

JsonWriter& JsonWriter::Bool(bool value) {
  BeforeValue();
  out_.append(value ? "true" : "false");
  return *this;
}

JsonWriter& JsonWriter::Null() {
  BeforeValue();
  out_.append("null");
  return *this;
}

}  // namespace minitok::json
