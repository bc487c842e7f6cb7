#pragma once
// A streaming JSON writer for responses: no DOM, one growing buffer, correct escaping.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace minitok::json {

/// Writes one JSON document. Callers nest Begin/End calls; commas are inserted automatically.
/// Strings must already be valid UTF-8 (every input is validated at the edge).
class JsonWriter {
 public:
  JsonWriter() { out_.reserve(512); }

  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  /// Starts a member of the current object; the next value call supplies its value. `key` is
  /// written as it is: a name of this program, never user data (nothing in it is escaped).
  JsonWriter& Key(std::string_view key);

  JsonWriter& String(std::string_view value);
  /// One string value made of several pieces, without building it first (URLs: base + path).
  JsonWriter& Concat(std::initializer_list<std::string_view> pieces);
  JsonWriter& Int(std::int64_t value);
  JsonWriter& Bool(bool value);
  /// Shortest round-trip form; non-finite values are written as null.
  JsonWriter& Double(double value);
  JsonWriter& Null();

  JsonWriter& Member(std::string_view key, std::string_view value) { return Key(key).String(value); }
  JsonWriter& Member(std::string_view key, const char* value) { return Key(key).String(value); }
  JsonWriter& Member(std::string_view key, std::int64_t value) { return Key(key).Int(value); }
  JsonWriter& Member(std::string_view key, int value) { return Key(key).Int(value); }
  JsonWriter& Member(std::string_view key, bool value) { return Key(key).Bool(value); }
  JsonWriter& MemberConcat(std::string_view key, std::initializer_list<std::string_view> pieces) {
    return Key(key).Concat(pieces);
  }

  /// Appends one value already encoded as JSON, given in pieces (e.g. a rendered object with
  /// parts filled in per request), with the comma the position needs.
  JsonWriter& RawValue(std::initializer_list<std::string_view> pieces);
  /// Bytes written so far: where the next output starts.
  std::size_t size() const { return out_.size(); }

  /// Makes room for `bytes` more output (a list knows roughly how big it will be).
  void Reserve(std::size_t bytes) { out_.reserve(out_.size() + bytes); }

  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void BeforeValue();

  std::string out_;
  bool need_comma_ = false;
};

/// Appends `value` as a quoted, escaped JSON string.
void AppendQuoted(std::string& out, std::string_view value);
/// Appends `value` escaped, without quotes.
void AppendEscaped(std::string& out, std::string_view value);

}  // namespace minitok::json
