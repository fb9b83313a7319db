// Topic name / filter validity and $share parsing, one row per spec rule.
#include "topic/validation.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace gridmq::topic {
namespace {

using namespace std::string_literals;

struct validity_row {
  std::string text;
  bool valid;
  const char* rule;
};

TEST(topic_name, table) {
  const validity_row rows[] = {
      {"", false, "[MQTT-4.7.3-1] at least one character"},
      {"a", true, "plain"},
      {"/", true, "4.7.3: a single separator is a valid name (two empty levels)"},
      {"sport/tennis/player1", true, "plain"},
      {"/finance", true, "leading separator is distinct, still valid"},
      {"finance/", true, "trailing separator"},
      {"a//b", true, "empty level"},
      {"Accounts payable", true, "4.7.3: spaces allowed"},
      {"$SYS/monitor/Clients", true, "$ topics are names too"},
      {"sport/+", false, "[MQTT-4.7.1-1] no wildcard in a name"},
      {"sport/#", false, "[MQTT-4.7.1-1] no wildcard in a name"},
      {"+", false, "[MQTT-3.3.2-2]"},
      {"a+b", false, "[MQTT-3.3.2-2] '+' anywhere"},
      {"a#", false, "[MQTT-3.3.2-2] '#' anywhere"},
      {"a\0b"s, false, "[MQTT-4.7.3-2] no U+0000"},
      {std::string(65535, 'x'), true, "[MQTT-4.7.3-3] 65535 bytes fit"},
      {std::string(65536, 'x'), false, "[MQTT-4.7.3-3] more than 65535 bytes"},
  };
  for (const auto& row : rows) {
    EXPECT_EQ(is_valid_topic_name(row.text), row.valid) << row.rule << " text size " << row.text.size();
  }
}

TEST(topic_filter, table) {
  const validity_row rows[] = {
      {"", false, "[MQTT-4.7.3-1] at least one character"},
      {"#", true, "4.7.1.2: '#' alone receives everything"},
      {"sport/tennis/#", true, "4.7.1.2"},
      {"sport/tennis#", false, "[MQTT-4.7.1-2] '#' must be a whole level"},
      {"sport/tennis/#/ranking", false, "[MQTT-4.7.1-2] '#' must be last"},
      {"#/", false, "[MQTT-4.7.1-2] '#' followed by a level"},
      {"##", false, "[MQTT-4.7.1-2]"},
      {"+", true, "4.7.1.3"},
      {"+/tennis/#", true, "4.7.1.3"},
      {"sport+", false, "[MQTT-4.7.1-3] '+' must be a whole level"},
      {"sport/+/player1", true, "4.7.1.3"},
      {"+/+", true, "4.7.1.3"},
      {"/+", true, "4.7.1.3"},
      {"++", false, "[MQTT-4.7.1-3]"},
      {"a/+b/c", false, "[MQTT-4.7.1-3]"},
      {"+/", true, "empty level after '+'"},
      {"/", true, "two empty levels"},
      {"$SYS/#", true, "$ filters"},
      {"a\0b"s, false, "[MQTT-4.7.3-2] no U+0000"},
      {std::string(65535, 'x'), true, "[MQTT-4.7.3-3]"},
      {std::string(65536, 'x'), false, "[MQTT-4.7.3-3]"},
  };
  for (const auto& row : rows) {
    EXPECT_EQ(is_valid_topic_filter(row.text), row.valid) << row.rule << " '" << row.text.substr(0, 40) << "'";
  }
}

TEST(topic_filter, level_limit_is_a_server_limit) {
  std::string at_limit = "a";
  for (std::size_t i = 1; i < max_filter_levels; ++i) at_limit += "/+";
  EXPECT_TRUE(is_valid_topic_filter(at_limit));
  EXPECT_FALSE(is_valid_topic_filter(at_limit + "/a"));
  // Names have no level limit: the index's depth is bounded by filters alone.
  EXPECT_TRUE(is_valid_topic_name(std::string(5000, '/')));
}

struct share_row {
  std::string text;
  share_parse expect;
  std::string_view group;
  std::string_view filter;
  const char* rule;
};

TEST(shared_filter, table) {
  const share_row rows[] = {
      {"$share/g/a/b", share_parse::shared, "g", "a/b", "[MQTT-4.8.2-1]"},
      {"$share/consumer1/sport/tennis/+", share_parse::shared, "consumer1", "sport/tennis/+", "4.8.2 example"},
      {"$share/g/#", share_parse::shared, "g", "#", "wildcard filter"},
      {"$share/g//", share_parse::shared, "g", "/", "filter of empty levels"},
      {"a/b", share_parse::not_shared, "", "", "ordinary"},
      {"$SYS/#", share_parse::not_shared, "", "", "other $ filter"},
      {"$share", share_parse::not_shared, "", "", "no '/' after $share: not a share"},
      {"$shared/g/a", share_parse::not_shared, "", "", "prefix must be exactly $share/"},
      {"$share/", share_parse::invalid, "", "", "[MQTT-4.8.2-1] no ShareName"},
      {"$share//a", share_parse::invalid, "", "", "[MQTT-4.8.2-1] empty ShareName"},
      {"$share/g", share_parse::invalid, "", "", "[MQTT-4.8.2-2] ShareName not followed by '/'"},
      {"$share/g/", share_parse::invalid, "", "", "[MQTT-4.8.2-2] '/' not followed by a filter"},
      {"$share/g+/a", share_parse::invalid, "", "", "[MQTT-4.8.2-2] '+' in ShareName"},
      {"$share/+/a", share_parse::invalid, "", "", "[MQTT-4.8.2-2] '+' in ShareName"},
      {"$share/#/a", share_parse::invalid, "", "", "[MQTT-4.8.2-2] '#' in ShareName"},
      {"$share/g/a#", share_parse::invalid, "", "", "[MQTT-4.7.1-2] inner filter invalid"},
      {"$share/g/a/+x", share_parse::invalid, "", "", "[MQTT-4.7.1-3] inner filter invalid"},
      {"$share/g\0/a"s, share_parse::invalid, "", "", "[MQTT-4.7.3-2] U+0000 in ShareName"},
  };
  for (const auto& row : rows) {
    shared_filter out{"untouched", "untouched"};
    EXPECT_EQ(parse_shared(row.text, out), row.expect) << row.rule << " '" << row.text << "'";
    if (row.expect == share_parse::shared) {
      EXPECT_EQ(out.group, row.group) << row.text;
      EXPECT_EQ(out.filter, row.filter) << row.text;
    } else {
      EXPECT_EQ(out.group, "untouched") << "out written for " << row.text;
    }
  }
}

}  // namespace
}  // namespace gridmq::topic
