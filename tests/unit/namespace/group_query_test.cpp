// Event Grid's client group query language (eventgrid.md 2.2): the examples
// of its documentation, then our rules for arrays, missing attributes, NOT
// and the parse errors.
#include <gtest/gtest.h>

#include "namespace/group_query.hpp"

namespace gridmq::ns {
namespace {

client make_client() {
  client c;
  c.name = "dev-1";
  c.authentication_name = "Device-1";
  c.attributes["type"] = std::string("home-sensors");
  c.attributes["floor"] = std::int64_t{3};
  c.attributes["sensors"] = std::vector<std::string>{"motion", "light"};
  return c;
}

bool eval(std::string_view q, const client& c = make_client()) {
  auto parsed = group_query::parse(q);
  EXPECT_TRUE(parsed) << q << ": " << (parsed ? "" : parsed.error());
  return parsed && parsed->matches(c);
}

TEST(GroupQuery, EventGridDocumentationExamples) {
  EXPECT_TRUE(eval(R"((attributes.sensors = "motion" or attributes.sensors = "humidity") or attributes.type = "home-sensors")"));
  EXPECT_TRUE(eval(R"(attributes.sensors IN ["motion","humidity","temperature"] and attributes.floor <= 5)"));
  EXPECT_FALSE(eval(R"(attributes.sensors IN ["humidity","temperature"] and attributes.floor <= 5)"));
  EXPECT_TRUE(eval("authenticationName IN ['client1','device-1']"));  // case-insensitive, like auth names
}

TEST(GroupQuery, ComparisonsOnIntegers) {
  EXPECT_TRUE(eval("attributes.floor = 3"));
  EXPECT_TRUE(eval("attributes.floor > 2 AND attributes.floor < 4"));
  EXPECT_TRUE(eval("attributes.floor >= 3 and attributes.floor <= 3"));
  EXPECT_FALSE(eval("attributes.floor <> 3"));
  EXPECT_TRUE(eval("attributes.floor != 4"));
  EXPECT_FALSE(eval("attributes.floor = '3'"));  // an integer is not the string "3"
}

TEST(GroupQuery, StringsAndArrays) {
  EXPECT_TRUE(eval("attributes.type = 'home-sensors'"));
  EXPECT_FALSE(eval("attributes.type = 'Home-Sensors'"));  // attribute values are case-sensitive
  EXPECT_TRUE(eval("attributes.sensors = 'light'"));        // an array holds the value
  EXPECT_FALSE(eval("attributes.sensors = 'door'"));
  EXPECT_TRUE(eval("attributes.sensors <> 'door'"));
}

TEST(GroupQuery, AndBindsTighterThanOr) {
  // true or (false and false) = true; (true or false) and false would be false.
  EXPECT_TRUE(eval("attributes.floor = 3 or attributes.floor = 9 and attributes.type = 'x'"));
  EXPECT_FALSE(eval("(attributes.floor = 3 or attributes.floor = 9) and attributes.type = 'x'"));
}

TEST(GroupQuery, MissingAttributeMakesComparisonsFalse) {
  EXPECT_FALSE(eval("attributes.missing = 'x'"));
  EXPECT_FALSE(eval("attributes.missing <> 'x'"));
  EXPECT_FALSE(eval("attributes.missing < 10"));
  EXPECT_TRUE(eval("not attributes.missing = 'x'"));
  EXPECT_TRUE(eval("NOT (attributes.floor = 4 OR attributes.type = 'x')"));
}

TEST(GroupQuery, ParseErrorsSayWhere) {
  struct row {
    const char* text;
    const char* expect;
  };
  for (const auto& r : {row{"", "expected attributes"},
                        row{"attributes.a = ", "expected a quoted string or an integer"},
                        row{"attributes.a = 'x", "unterminated string"},
                        row{"attributes.a < 'x'", "integers only"},
                        row{"attributes.a ~ 1", "expected a comparison"},
                        row{"(attributes.a = 1", "expected ')'"},
                        row{"attributes.a = 1 extra", "unexpected"},
                        row{"attributes.a-b = 1", "expected a comparison"},
                        row{"name = 'x'", "expected attributes"},
                        row{"attributes.a IN 'x'", "expected '['"}}) {
    auto q = group_query::parse(r.text);
    ASSERT_FALSE(q) << r.text;
    EXPECT_NE(q.error().find(r.expect), std::string::npos) << r.text << " -> " << q.error();
  }
}

TEST(GroupQuery, DepthAndLengthAreBounded) {
  std::string deep(100, '(');
  deep += "attributes.a = 1";
  deep += std::string(100, ')');
  auto q = group_query::parse(deep);
  ASSERT_FALSE(q);
  EXPECT_NE(q.error().find("nested too deeply"), std::string::npos);
  std::string nots;
  for (int i = 0; i < 100; ++i) nots += "not ";
  EXPECT_FALSE(group_query::parse(nots + "attributes.a = 1"));
  EXPECT_FALSE(group_query::parse(std::string(3000, ' ') + "attributes.a = 1"));
}

}  // namespace
}  // namespace gridmq::ns
