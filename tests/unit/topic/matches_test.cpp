// The reference matcher against the spec's rules and non-normative examples.
#include "topic/matches.hpp"

#include <gtest/gtest.h>

#include "match_table.hpp"

namespace gridmq::topic {
namespace {

TEST(matches, table) {
  for (const auto& row : test::match_rows) {
    EXPECT_EQ(matches(row.filter, row.topic), row.match)
        << row.rule << ": filter '" << row.filter << "' topic '" << row.topic << "'";
  }
}

TEST(matches, empty_input_never_matches) {
  EXPECT_FALSE(matches("", "a"));
  EXPECT_FALSE(matches("#", ""));
  EXPECT_FALSE(matches("", ""));
}

}  // namespace
}  // namespace gridmq::topic
