// [[clients]], [[client_groups]], [[topic_spaces]], [[permission_bindings]]
// and the [auth] keys of Event Grid's client model: what they load into, and
// errors that name file:line:key.
#include <gtest/gtest.h>

#include "config/loader.hpp"
#include "config_errors.hpp"

namespace gridmq::config {
namespace {

using test_support::error_of;
using test_support::expect_error;

constexpr std::string_view full = R"(
[auth]
authentication_name_sources = ["username", "certificate_cn"]
max_sessions_per_authentication_name = 3

[[permission_bindings]]
name = "sensors-publish"
client_group = "sensors"
topic_space = "telemetry"
permission = "publisher"

[[topic_spaces]]
name = "telemetry"
topic_templates = ["telemetry/${client.authenticationName}/#"]

[[clients]]
name = "sensor-1"
attributes = { type = "sensor", floor = 3, zones = ["a", "b"] }

[[clients]]
name = "old-1"
authentication_name = "Legacy"
state = "disabled"

[[client_groups]]
name = "sensors"
query = "attributes.type = 'sensor'"
)";

TEST(namespace_config, defaults_keep_authorization_off) {
  const config c = load_string("", "gridmq.toml");
  EXPECT_FALSE(c.namespace_model.enabled());
  EXPECT_EQ(c.auth.authentication_name_sources, std::vector<name_source>{name_source::username});
  EXPECT_EQ(c.auth.max_sessions_per_authentication_name, 0u);
}

TEST(namespace_config, loads_resources_in_any_order) {
  const config c = load_string(full, "gridmq.toml");
  EXPECT_EQ(c.auth.authentication_name_sources,
            (std::vector<name_source>{name_source::username, name_source::certificate_cn}));
  EXPECT_EQ(c.auth.max_sessions_per_authentication_name, 3u);
  const auto& m = c.namespace_model;
  ASSERT_TRUE(m.enabled());
  const auto* s = m.find_client("SENSOR-1");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(std::get<std::int64_t>(s->attributes.at("floor")), 3);
  EXPECT_EQ(std::get<std::vector<std::string>>(s->attributes.at("zones")).size(), 2u);
  EXPECT_TRUE(m.grants_for(*s).may_publish("telemetry/sensor-1/temp"));
  const auto* old = m.find_client("legacy");
  ASSERT_NE(old, nullptr);
  EXPECT_FALSE(old->enabled);
  EXPECT_EQ(old->name, "old-1");
}

TEST(namespace_config, errors_name_file_line_and_key) {
  expect_error("[[clients]]\nname = \"bad name\"\n", 2, "clients[0].name", "letters, digits");
  expect_error("[[clients]]\nattributes = {}\n", 1, "clients[0].name", "missing key");
  expect_error("[[clients]]\nname = \"a\"\nattributes = { x = 1.5 }\n", 3, "clients[0].attributes.x",
               "expected a string, an integer or an array of strings");
  expect_error("[[clients]]\nname = \"a\"\nattributes = { x = [1] }\n", 3, "clients[0].attributes.x[0]",
               "expected a string");
  expect_error("[[clients]]\nname = \"a\"\nstate = \"off\"\n", 3, "clients[0].state", "expected one of enabled, disabled");
  expect_error("[[clients]]\nname = \"a\"\n[[clients]]\nname = \"a\"\n", 4, "clients[1].name", "duplicate client name");
  expect_error("[[clients]]\nname = \"a\"\ncertificate_validation = \"thumbprint\"\n", 1,
               "clients[0].allowed_thumbprints", "1 or 2 thumbprints");
  expect_error("[[client_groups]]\nname = \"grp\"\nquery = \"attributes.a < 'x'\"\n", 3, "client_groups[0].query",
               "integers only");
  expect_error("[[client_groups]]\nname = \"grp\"\n", 1, "client_groups[0].query", "missing key");
  expect_error("[[topic_spaces]]\nname = \"ts-1\"\ntopic_templates = [\n  \"a/b\",\n  \"a/#/c\"]\n", 5,
               "topic_spaces[0].topic_templates[1]", "not a valid MQTT topic filter");
  expect_error("[[topic_spaces]]\nname = \"ts-1\"\ntopic_templates = []\n", 3, "topic_spaces[0].topic_templates",
               "1 to 10");
  expect_error("[[topic_spaces]]\nname = \"ts\"\ntopic_templates = [\"a\"]\n", 2, "topic_spaces[0].name",
               "3 to 50");
  expect_error(
      "[[topic_spaces]]\nname = \"ts-1\"\ntopic_templates = [\"a\"]\n[[permission_bindings]]\nname = \"bind\"\n"
      "client_group = \"nobody\"\ntopic_space = \"ts-1\"\npermission = \"publisher\"\n",
      6, "permission_bindings[0].client_group", "no client group named 'nobody'");
  expect_error("[[permission_bindings]]\nname = \"bind\"\npermission = \"owner\"\n", 3,
               "permission_bindings[0].permission", "expected one of publisher, subscriber");
  expect_error("[[permission_bindings]]\nname = \"bind\"\n", 1, "permission_bindings[0].permission", "missing key");
  expect_error("[[clients]]\nname = \"a\"\ncolour = \"red\"\n", 3, "clients[0].colour", "unknown key");
  expect_error("clients = 3\n", 1, "clients", "expected an array of tables");
  expect_error("[auth]\nauthentication_name_sources = [\"password\"]\n", 2, "auth.authentication_name_sources",
               "expected names among");
  expect_error("[auth]\nauthentication_name_sources = []\n", 2, "auth.authentication_name_sources", "non-empty");
  expect_error("[auth]\nmax_sessions_per_authentication_name = 101\n", 2,
               "auth.max_sessions_per_authentication_name", "between 0 and 100");
}

TEST(namespace_config, limits_of_event_grid) {
  std::string text;
  for (int i = 0; i < 11; ++i) text += "[[client_groups]]\nname = \"grp-" + std::to_string(i) + "\"\nquery = \"attributes.a = 1\"\n";
  expect_error(text, 32, "client_groups[10].name", "more than 10 client groups");
}

}  // namespace
}  // namespace gridmq::config
