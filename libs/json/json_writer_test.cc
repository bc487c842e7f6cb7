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
