#include "libs/core/numbers.h"

#include <gtest/gtest.h>

namespace minitok {
namespace {

TEST(ParseExactIntegerTest, AcceptsDecimal) {
  EXPECT_EQ(ParseExactInteger("0"), 0);
  EXPECT_EQ(ParseExactInteger("42"), 42);
  EXPECT_EQ(ParseExactInteger("-7"), -7);
  EXPECT_EQ(ParseExactInteger("9223372036854775807"), INT64_MAX);
  EXPECT_EQ(ParseExactInteger("-9223372036854775808"), INT64_MIN);
}

TEST(ParseExactIntegerTest, AcceptsExactExponentFormAsGoPrintsIt) {
  EXPECT_EQ(ParseExactInteger("1.234567e+06"), 1234567);
  EXPECT_EQ(ParseExactInteger("1e3"), 1000);
  EXPECT_EQ(ParseExactInteger("1.5e1"), 15);
  EXPECT_EQ(ParseExactInteger("1.0"), 1);
  EXPECT_EQ(ParseExactInteger("2.50E+01"), 25);
  EXPECT_EQ(ParseExactInteger("1500e-2"), 15);
}

TEST(ParseExactIntegerTest, RefusesInexactMalformedAndOverflowing) {
  EXPECT_EQ(ParseExactInteger(""), std::nullopt);
  EXPECT_EQ(ParseExactInteger("1.5"), std::nullopt);
  EXPECT_EQ(ParseExactInteger("1.2345675e+06"), std::nullopt);
  EXPECT_EQ(ParseExactInteger("abc"), std::nullopt);
  EXPECT_EQ(ParseExactInteger("12abc"), std::nullopt);
  EXPECT_EQ(ParseExactInteger("1e"), std::nullopt);
  EXPECT_EQ(ParseExactInteger("."), std::nullopt);
  EXPECT_EQ(ParseExactInteger(" 1"), std::nullopt);
  EXPECT_EQ(ParseExactInteger("99999999999999999999"), std::nullopt);
  EXPECT_EQ(ParseExactInteger("1e19"), std::nullopt);
  EXPECT_EQ(ParseExactInteger("1e999"), std::nullopt);
  EXPECT_EQ(ParseExactInteger("0x10"), std::nullopt);
}

}  // namespace
}  // namespace minitok
