// Helpers shared by the config tests: the message a bad document gives, and
// the check that it names file:line: key.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "config/loader.hpp"

namespace gridmq::config::test_support {

// The message of the config_error that loading `text` throws, or "" if none.
inline std::string error_of(std::string_view text) {
  try {
    load_string(text, "gridmq.toml");
  } catch (const config_error& e) {
    return e.what();
  }
  return "";
}

// Asserts that loading `text` fails and the message names file:line: key.
inline void expect_error(std::string_view text, int line, std::string_view key, std::string_view detail = {}) {
  const std::string msg = error_of(text);
  const std::string where = "gridmq.toml:" + std::to_string(line) + ": " + std::string(key) + ": ";
  EXPECT_EQ(msg.rfind(where, 0), 0u) << "message: " << msg << "\nexpected prefix: " << where;
  EXPECT_NE(msg.find(detail), std::string::npos) << "message: " << msg << "\nexpected: " << detail;
}

}  // namespace gridmq::config::test_support
