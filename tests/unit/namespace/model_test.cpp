// The namespace model: Event Grid's naming rules and limits (eventgrid.md
// 2.1, 5.1), client lookup by authentication name, and the grants of a
// client from groups, topic spaces and permission bindings.
#include <gtest/gtest.h>

#include "namespace/namespace_model.hpp"

namespace gridmq::ns {
namespace {

client named(std::string name, attribute_map attrs = {}) {
  client c;
  c.name = std::move(name);
  c.attributes = std::move(attrs);
  return c;
}

TEST(Model, ClientNamesAndAuthenticationNames) {
  namespace_model m;
  EXPECT_FALSE(m.add_client(named("dev-1.a:b_c")));
  auto e = m.add_client(named("bad name"));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->field, "name");
  EXPECT_TRUE(m.add_client(named(std::string(129, 'a'))));
  EXPECT_EQ(m.add_client(named("dev-1.a:b_c"))->what, "duplicate client name 'dev-1.a:b_c'");
  // The authentication name defaults to the name and is unique case-insensitively.
  auto c = named("other");
  c.authentication_name = "DEV-1.A:B_C";
  auto dup = m.add_client(c);
  ASSERT_TRUE(dup);
  EXPECT_EQ(dup->field, "authentication_name");
  ASSERT_NE(m.find_client("Dev-1.A:b_c"), nullptr);
  EXPECT_EQ(m.find_client("dev-1.a:b_c")->name, "dev-1.a:b_c");
  EXPECT_EQ(m.find_client("nobody"), nullptr);
}

TEST(Model, AttributesAreChecked) {
  namespace_model m;
  EXPECT_EQ(m.add_client(named("a", {{"bad-key", std::string("x")}}))->field, "attributes");
  EXPECT_TRUE(m.add_client(named("b", {{"n", std::int64_t{1} << 40}})));  // int32 only
  EXPECT_TRUE(m.add_client(named("c", {{"big", std::string(5000, 'x')}})));  // < 4 KB
  EXPECT_FALSE(m.add_client(named("d", {{"ok_1", std::vector<std::string>{"x", "y"}}})));
}

TEST(Model, ThumbprintRules) {
  namespace_model m;
  auto c = named("t1");
  c.certificate = certificate_check::thumbprint;
  EXPECT_EQ(m.add_client(c)->field, "allowed_thumbprints");
  c.allowed_thumbprints = {std::string(64, 'a')};
  EXPECT_FALSE(m.add_client(c));
  auto d = named("t2");
  d.allowed_thumbprints = {std::string(64, 'a')};
  EXPECT_EQ(m.add_client(d)->field, "allowed_thumbprints");  // only with thumbprint validation
}

TEST(Model, ResourceNamesLimitsAndReferences) {
  namespace_limits lim;
  lim.max_client_groups = 2;
  namespace_model m(lim);
  EXPECT_EQ(m.add_client_group("ab", "attributes.a = 1")->field, "name");  // 3-50 characters
  EXPECT_EQ(m.add_client_group("g_1", "attributes.a = 1")->field, "name");  // [A-Za-z0-9-]
  EXPECT_EQ(m.add_client_group("grp", "attributes.a = ")->field, "query");
  EXPECT_FALSE(m.add_client_group("grp", "attributes.a = 1"));
  EXPECT_TRUE(m.add_client_group("grp", "attributes.a = 2"));  // duplicate
  EXPECT_FALSE(m.add_client_group("grp2", "attributes.a = 2"));
  EXPECT_NE(m.add_client_group("grp3", "attributes.a = 2")->what.find("more than 2"), std::string::npos);

  EXPECT_EQ(m.add_topic_space("ts1", {})->field, "topic_templates");
  EXPECT_EQ(m.add_topic_space("ts1", std::vector<std::string>(11, "a"))->field, "topic_templates");
  EXPECT_EQ(m.add_topic_space("ts1", {"a/b", "a/#/c"})->field, "topic_templates[1]");
  EXPECT_FALSE(m.add_topic_space("ts1", {"a/b"}));

  EXPECT_EQ(m.add_permission_binding({"bind-1", "nope", "ts1", permission::publisher})->field, "client_group");
  EXPECT_EQ(m.add_permission_binding({"bind-1", "grp", "nope", permission::publisher})->field, "topic_space");
  EXPECT_FALSE(m.add_permission_binding({"bind-1", "$all", "ts1", permission::publisher}));
  EXPECT_TRUE(m.add_permission_binding({"bind-1", "grp", "ts1", permission::publisher}));  // duplicate name
}

TEST(Model, GrantsFromGroupsAndBindings) {
  namespace_model m;
  EXPECT_FALSE(m.add_client(named("sensor-1", {{"type", std::string("sensor")}, {"site", std::string("s7")}})));
  EXPECT_FALSE(m.add_client(named("app-1", {{"type", std::string("app")}})));
  EXPECT_FALSE(m.add_client_group("sensors", "attributes.type = 'sensor'"));
  EXPECT_FALSE(m.add_topic_space("telemetry", {"telemetry/${client.attributes.site}/${client.authenticationName}/#"}));
  EXPECT_FALSE(m.add_topic_space("all-telemetry", {"telemetry/#"}));
  EXPECT_FALSE(m.add_topic_space("commands", {"commands/${client.authenticationName}"}));
  EXPECT_FALSE(m.add_permission_binding({"sensors-pub", "sensors", "telemetry", permission::publisher}));
  EXPECT_FALSE(m.add_permission_binding({"everyone-cmd", "$all", "commands", permission::subscriber}));
  EXPECT_FALSE(m.add_permission_binding({"everyone-read", "$all", "all-telemetry", permission::subscriber}));
  EXPECT_TRUE(m.enabled());

  auto s = m.grants_for(*m.find_client("sensor-1"));
  EXPECT_TRUE(s.may_publish("telemetry/s7/sensor-1/temp"));
  EXPECT_FALSE(s.may_publish("telemetry/s7/app-1/temp"));  // another client's own topic
  EXPECT_TRUE(s.may_subscribe("commands/sensor-1"));
  EXPECT_FALSE(s.may_subscribe("commands/app-1"));

  auto a = m.grants_for(*m.find_client("app-1"));
  EXPECT_FALSE(a.may_publish("telemetry/s7/app-1/temp"));  // not in the sensors group
  EXPECT_TRUE(a.may_subscribe("telemetry/+/+/temp"));
  EXPECT_TRUE(a.publish_filters().empty());
}

TEST(Model, EmptyModelIsDisabled) {
  namespace_model m;
  EXPECT_FALSE(m.enabled());
}

}  // namespace
}  // namespace gridmq::ns
