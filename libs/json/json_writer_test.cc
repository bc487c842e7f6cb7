#include "libs/json/json_writer.h"

#include <gtest/gtest.h>

namespace minitok::json {
namespace {

TEST(JsonWriterTest, NestsWithCommas) {
  JsonWriter w;
  w.BeginObject().Member("a", 1).Key("list").BeginArray().Int(1).Int(2).EndArray();
  w.Key("o").BeginObject().EndObject().Member("b", true).EndObject();
  EXPECT_EQ(w.str(), R"({"a":1,"list":[1,2],"o":{},"b":true})");
}

TEST(JsonWriterTest, EscapesStrings) {
  JsonWriter w;
  w.BeginArray().String("q\"b\\n\n\x01 中").EndArray();
  EXPECT_EQ(w.str(), "[\"q\\\"b\\\\n\\n\\u0001 中\"]");
}

// Every byte that needs an escape, at every position of strings up to three words long (the
// escaper checks 8 bytes at a time), next to UTF-8 and plain text, against a byte-wise reference.
TEST(JsonWriterTest, EscapesAtEveryPositionOfAWord) {
  const auto reference = [](std::string_view in) {
    std::string out;
    for (const char ch : in) {
      const auto byte = static_cast<unsigned char>(ch);
      if (ch == '"') out += "\\\"";
      else if (ch == '\\') out += "\\\\";
      else if (ch == '\n') out += "\\n";
      else if (ch == '\r') out += "\\r";
      else if (ch == '\t') out += "\\t";
      else if (byte < 0x20) out += "\\u00" + std::string(1, "0123456789abcdef"[byte >> 4]) + "0123456789abcdef"[byte & 0xF];
      else out.push_back(ch);
    }
    return out;
  };
  const std::string specials = std::string("\"\\\n\r\t\x01\x1f", 7) + std::string(1, '\0');
  for (std::size_t length = 1; length <= 24; ++length) {
    for (std::size_t at = 0; at < length; ++at) {
      for (const char special : specials) {
        std::string in(length, 'a');
        if (length > 3) in.replace(0, 3, "\xc3\xa9!");  // a UTF-8 letter: bytes >= 0x80 pass as they are
        in[at] = special;
        std::string out;
        AppendEscaped(out, in);
        ASSERT_EQ(out, reference(in)) << "length " << length << " at " << at << " byte " << int(special);
      }
    }
  }
  std::string plain;
  AppendEscaped(plain, "https://example.com/media/k/play-2.mp4 \xe6\xb5\x8b\xe8\xaf\x95");
  EXPECT_EQ(plain, "https://example.com/media/k/play-2.mp4 \xe6\xb5\x8b\xe8\xaf\x95");
}

TEST(JsonWriterTest, ConcatenatesPiecesIntoOneEscapedString) {
  JsonWriter w;
  w.BeginObject().MemberConcat("url", {"http://h", "/media/", "a\"b"}).EndObject();
  EXPECT_EQ(w.str(), R"({"url":"http://h/media/a\"b"})");
}

TEST(JsonWriterTest, WritesDoubles) {
  JsonWriter w;
  w.BeginArray().Double(0.25).Double(3).Double(1.0 / 0.0).EndArray();
  EXPECT_EQ(w.str(), "[0.25,3,null]");
}

TEST(JsonWriterTest, EmptyArrayIsArray) {
  JsonWriter w;
  w.BeginObject().Key("video_list").BeginArray().EndArray().EndObject();
  EXPECT_EQ(w.str(), R"({"video_list":[]})");
}

}  // namespace
}  // namespace minitok::json
