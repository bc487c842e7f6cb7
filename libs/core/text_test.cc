#include "libs/core/text.h"

#include <gtest/gtest.h>

namespace minitok {
namespace {

TEST(CountUtf8CodePointsTest, CountsCharactersNotBytes) {
  EXPECT_EQ(CountUtf8CodePoints(""), 0u);
  EXPECT_EQ(CountUtf8CodePoints("abc"), 3u);
  EXPECT_EQ(CountUtf8CodePoints("测试评论"), 4u);
  EXPECT_EQ(CountUtf8CodePoints("\xF0\x9F\x98\x80"), 1u);  // emoji
}

TEST(CountUtf8CodePointsTest, RefusesMalformed) {
  EXPECT_EQ(CountUtf8CodePoints("\xFF"), std::nullopt);
  EXPECT_EQ(CountUtf8CodePoints("\xC3"), std::nullopt);          // truncated
  EXPECT_EQ(CountUtf8CodePoints("\xC0\xAF"), std::nullopt);      // overlong '/'
  EXPECT_EQ(CountUtf8CodePoints("\xED\xA0\x80"), std::nullopt);  // surrogate
  EXPECT_EQ(CountUtf8CodePoints("\xF4\x90\x80\x80"), std::nullopt);  // above U+10FFFF
  EXPECT_EQ(CountUtf8CodePoints("a\xE6\xB5"), std::nullopt);
}

TEST(HasControlCharactersTest, FindsControls) {
  EXPECT_FALSE(HasControlCharacters("hello 你好", false));
  EXPECT_TRUE(HasControlCharacters(std::string_view("a\0b", 3), false));
  EXPECT_TRUE(HasControlCharacters("a\nb", false));
  EXPECT_FALSE(HasControlCharacters("a\nb", true));
  EXPECT_TRUE(HasControlCharacters("a\x7f", true));
  EXPECT_TRUE(HasControlCharacters("a\xC2\x85", true));
}

TEST(TrimAsciiWhitespaceTest, Trims) {
  EXPECT_EQ(TrimAsciiWhitespace("  a b \n"), "a b");
  EXPECT_EQ(TrimAsciiWhitespace("   "), "");
}

}  // namespace
}  // namespace minitok

namespace minitok {
namespace {

TEST(ValidateTextTest, AppliesEveryRuleAndNamesTheText) {
  const TextRule rule{.what = "comment", .max_characters = 4, .allow_newlines = true};
  EXPECT_TRUE(ValidateText("测试评论", rule).ok());
  EXPECT_TRUE(ValidateText("a\nb", rule).ok());
  EXPECT_EQ(ValidateText("", rule).error().message, "comment must not be empty");
  EXPECT_EQ(ValidateText(" \t ", rule).error().message, "comment must not be empty");
  EXPECT_EQ(ValidateText("12345", rule).error().message, "comment must be at most 4 characters");
  EXPECT_EQ(ValidateText("\xFF", rule).error().message, "comment is not valid UTF-8");
  EXPECT_FALSE(ValidateText("a\x01", rule).ok());
  EXPECT_FALSE(ValidateText("a\nb", {.what = "title", .max_characters = 9, .allow_newlines = false}).ok());
}

}  // namespace
}  // namespace minitok
