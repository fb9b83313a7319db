#include "config/listener_url.hpp"

#include <gtest/gtest.h>

namespace gridmq::config {
namespace {

TEST(listener_url, ipv4_with_port) {
  auto url = parse_listener_url("mqtt://127.0.0.1:1883");
  ASSERT_TRUE(url) << url.error();
  EXPECT_EQ(url->scheme, "mqtt");
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->port, 1883);
  EXPECT_EQ(to_string(*url), "mqtt://127.0.0.1:1883");
}

TEST(listener_url, ipv6_in_brackets) {
  auto url = parse_listener_url("mqtt://[::1]:0");
  ASSERT_TRUE(url) << url.error();
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, 0);
  EXPECT_EQ(to_string(*url), "mqtt://[::1]:0");
}

TEST(listener_url, name_and_default_port) {
  auto url = parse_listener_url("mqtt://localhost");
  ASSERT_TRUE(url) << url.error();
  EXPECT_EQ(url->host, "localhost");
  EXPECT_EQ(url->port, 1883);
}

TEST(listener_url, port_bounds) {
  EXPECT_TRUE(parse_listener_url("mqtt://h:65535"));
  EXPECT_FALSE(parse_listener_url("mqtt://h:65536"));
  EXPECT_FALSE(parse_listener_url("mqtt://h:123456"));
  EXPECT_FALSE(parse_listener_url("mqtt://h:"));
  EXPECT_FALSE(parse_listener_url("mqtt://h:-1"));
  EXPECT_FALSE(parse_listener_url("mqtt://h:12a"));
}

TEST(listener_url, every_scheme_and_its_default_port) {
  const std::pair<const char*, std::uint16_t> cases[] = {{"mqtt", 1883}, {"mqtts", 8883}, {"ws", 80},
                                                         {"wss", 443},   {"http", 80},    {"https", 443}};
  for (const auto& [scheme, port] : cases) {
    auto url = parse_listener_url(std::string(scheme) + "://h");
    ASSERT_TRUE(url) << scheme;
    EXPECT_EQ(url->scheme, scheme);
    EXPECT_EQ(url->port, port) << scheme;
  }
  EXPECT_TRUE(uses_tls(*parse_listener_url("mqtts://h")));
  EXPECT_TRUE(uses_tls(*parse_listener_url("wss://h")));
  EXPECT_TRUE(uses_tls(*parse_listener_url("https://h")));
  EXPECT_FALSE(uses_tls(*parse_listener_url("ws://h")));
  EXPECT_TRUE(serves_websocket(*parse_listener_url("https://h")));
  EXPECT_FALSE(serves_websocket(*parse_listener_url("mqtts://h")));
  EXPECT_TRUE(serves_http(*parse_listener_url("http://h")));
  EXPECT_FALSE(serves_http(*parse_listener_url("wss://h")));
}

TEST(listener_url, rejects_malformed) {
  for (const char* text : {"", "mqtt", "127.0.0.1:1883", "mqttx://h:8883", "wss://h:443/mqtt", "mqtt://", "mqtt://:1883",
                           "mqtt://h:1883/path", "mqtt://u@h:1883", "mqtt://::1:1883", "mqtt://[::1:1883",
                           "mqtt://[]:1883", "mqtt://[::1]x", "mqtt://h h:1", "MQTT://h:1"}) {
    auto url = parse_listener_url(text);
    EXPECT_FALSE(url) << text;
    if (!url) {
      EXPECT_NE(url.error().find(text), std::string::npos) << url.error();
    }
  }
}

}  // namespace
}  // namespace gridmq::config
