// Topic templates (eventgrid.md 2.3): variables, their substitution, and the
// values that must never widen what a template grants.
#include <gtest/gtest.h>

#include "namespace/topic_template.hpp"

namespace gridmq::ns {
namespace {

std::vector<std::string> expand(std::string_view text, const client& c) {
  auto t = topic_template::parse(text);
  EXPECT_TRUE(t) << text << ": " << (t ? "" : t.error());
  std::vector<std::string> out;
  if (t) t->substitute(c, out);
  return out;
}

client machine() {
  client c;
  c.name = "m1";
  c.authentication_name = "Machine1";
  c.attributes["site"] = std::string("plant-7");
  c.attributes["line"] = std::int64_t{42};
  c.attributes["zones"] = std::vector<std::string>{"a", "b"};
  return c;
}

using v = std::vector<std::string>;

TEST(TopicTemplate, WholeLevelVariables) {
  EXPECT_EQ(expand("machines/${client.authenticationName}/temp", machine()), v{"machines/Machine1/temp"});
  EXPECT_EQ(expand("sites/${client.attributes.site}/lines/${client.attributes.line}/#", machine()),
            v{"sites/plant-7/lines/42/#"});
  EXPECT_EQ(expand("plain/+/x", machine()), v{"plain/+/x"});
}

TEST(TopicTemplate, PartOfALevelAndTheBarSuffix) {
  // The documentation's example: machines/${client.authenticationName|.factory1}/temp
  EXPECT_EQ(expand("machines/${client.authenticationName|.factory1}/temp", machine()),
            v{"machines/Machine1.factory1/temp"});
  EXPECT_EQ(expand("m/id-${client.attributes.line}-x", machine()), v{"m/id-42-x"});
}

TEST(TopicTemplate, ArrayAttributeGivesOneFilterPerElement) {
  EXPECT_EQ(expand("zones/${client.attributes.zones}/${client.attributes.zones}", machine()),
            (v{"zones/a/a", "zones/a/b", "zones/b/a", "zones/b/b"}));
}

TEST(TopicTemplate, MissingOrUnsafeValuesGrantNothing) {
  EXPECT_TRUE(expand("x/${client.attributes.nope}", machine()).empty());
  auto c = machine();
  for (const char* bad : {"#", "+", "a/b", ""}) {
    c.attributes["site"] = std::string(bad);
    EXPECT_TRUE(expand("sites/${client.attributes.site}", c).empty()) << bad;
  }
  c.authentication_name = "$SYS";  // a value must not reach the reserved '$' topics
  EXPECT_TRUE(expand("${client.authenticationName}/x", c).empty());
}

TEST(TopicTemplate, ExpansionIsBounded) {
  auto c = machine();
  std::vector<std::string> many;
  for (int i = 0; i < 20; ++i) many.push_back("z" + std::to_string(i));
  c.attributes["zones"] = many;
  auto out = expand("${client.attributes.zones}/${client.attributes.zones}", c);
  EXPECT_EQ(out.size(), topic_template::max_expansions);
}

TEST(TopicTemplate, ParseErrors) {
  for (const char* bad : {"", "$SYS/x", "a/${client.name}", "a/${client.attributes.}", "a/${client.attributes.a-b}",
                          "a/${client.authenticationName", "a/#/b", "a/b+", "a/${client.authenticationName}#",
                          "a/${client.authenticationName|x/y}"}) {
    EXPECT_FALSE(topic_template::parse(bad)) << bad;
  }
  EXPECT_TRUE(topic_template::parse("a/$b/${client.authenticationName}"));  // '$' not first is ordinary
}

}  // namespace
}  // namespace gridmq::ns
