#include "config/loader.hpp"
#include "config_errors.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

namespace gridmq::config {
namespace {

using test_support::error_of;
using test_support::expect_error;

TEST(config_loader, empty_document_gives_embedded_defaults) {
  const config c = load_string("", "gridmq.toml");
  const config d;
  EXPECT_EQ(c.server.threads, 0u);
  EXPECT_EQ(c.server.level, log_level::info);
  ASSERT_EQ(c.listeners.size(), 1u);
  EXPECT_EQ(to_string(c.listeners[0]), "mqtt://127.0.0.1:1883");
  EXPECT_EQ(c.limits.max_packet_size, 524288u);
  EXPECT_EQ(c.limits.max_session_expiry, 3600u);
  EXPECT_EQ(c.limits.max_queued_messages, 100u);
  EXPECT_EQ(c.limits.max_queued_bytes, 1048576u);
  EXPECT_EQ(c.limits.session_overflow, overflow_policy::terminate);
  EXPECT_EQ(c.limits.receive_maximum, 100);
  EXPECT_EQ(c.limits.max_keep_alive, 1160);
  EXPECT_EQ(c.limits.topic_alias_maximum, 10);
  EXPECT_EQ(c.limits.maximum_qos, 2);
  EXPECT_TRUE(c.limits.retain_available);
  EXPECT_EQ(c.limits.max_client_id_length, 128);
  EXPECT_EQ(c.limits.max_retained_messages, 100000u);
  EXPECT_EQ(c.limits.connect_timeout, 10u);
  EXPECT_TRUE(c.auth.allow_anonymous);
  EXPECT_EQ(c.limits.max_inflight_messages, 1000);
  EXPECT_EQ(c.limits.max_outbound_bytes, 8u * 1024 * 1024);
  EXPECT_EQ(c.limits.max_subscriptions_per_session, 50u);
  EXPECT_EQ(c.limits.max_topic_length, 256u);
  EXPECT_EQ(c.limits.max_topic_levels, 15u);
  EXPECT_EQ(c.mqtt.response_information_prefix, "responses/");
  EXPECT_TRUE(c.mqtt.shared_subscription_available);
  EXPECT_TRUE(c.mqtt.wildcard_subscription_available);
  EXPECT_TRUE(c.mqtt.subscription_identifier_available);
  EXPECT_EQ(c.mqtt.shared_subscription_strategy, shared_strategy::round_robin);
  EXPECT_FALSE(c.mqtt.validate_utf8_payload);
  EXPECT_EQ(c.listeners, d.listeners);
}

TEST(config_loader, every_key) {
  const config c = load_string(R"(
[server]
threads = 4
log_level = "debug"

[[listener]]
url = "mqtt://0.0.0.0:1884"

[[listener]]
url = "mqtt://[::1]:0"

[limits]
max_packet_size = 1024
max_session_expiry = 60
max_queued_messages = 5
max_queued_bytes = 4096
session_overflow = "drop_oldest"
receive_maximum = 7
max_keep_alive = 30
topic_alias_maximum = 0
maximum_qos = 1
retain_available = false
max_client_id_length = 23
max_retained_messages = 9
connect_timeout = 3
max_inflight_messages = 20
max_outbound_bytes = 65536
max_subscriptions_per_session = 8
max_topic_length = 64
max_topic_levels = 4

[auth]
allow_anonymous = false

[mqtt]
response_information_prefix = "r/"
shared_subscription_available = false
wildcard_subscription_available = false
subscription_identifier_available = false
shared_subscription_strategy = "random"
validate_utf8_payload = true
)",
                               "gridmq.toml");
  EXPECT_EQ(c.server.threads, 4u);
  EXPECT_EQ(c.server.level, log_level::debug);
  ASSERT_EQ(c.listeners.size(), 2u);
  EXPECT_EQ(to_string(c.listeners[0]), "mqtt://0.0.0.0:1884");
  EXPECT_EQ(to_string(c.listeners[1]), "mqtt://[::1]:0");
  EXPECT_EQ(c.limits.max_packet_size, 1024u);
  EXPECT_EQ(c.limits.max_session_expiry, 60u);
  EXPECT_EQ(c.limits.max_queued_messages, 5u);
  EXPECT_EQ(c.limits.max_queued_bytes, 4096u);
  EXPECT_EQ(c.limits.session_overflow, overflow_policy::drop_oldest);
  EXPECT_EQ(c.limits.receive_maximum, 7);
  EXPECT_EQ(c.limits.max_keep_alive, 30);
  EXPECT_EQ(c.limits.topic_alias_maximum, 0);
  EXPECT_EQ(c.limits.maximum_qos, 1);
  EXPECT_FALSE(c.limits.retain_available);
  EXPECT_EQ(c.limits.max_client_id_length, 23);
  EXPECT_EQ(c.limits.max_retained_messages, 9u);
  EXPECT_EQ(c.limits.connect_timeout, 3u);
  EXPECT_FALSE(c.auth.allow_anonymous);
  EXPECT_EQ(c.limits.max_inflight_messages, 20);
  EXPECT_EQ(c.limits.max_outbound_bytes, 65536u);
  EXPECT_EQ(c.limits.max_subscriptions_per_session, 8u);
  EXPECT_EQ(c.limits.max_topic_length, 64u);
  EXPECT_EQ(c.limits.max_topic_levels, 4u);
  EXPECT_EQ(c.mqtt.response_information_prefix, "r/");
  EXPECT_FALSE(c.mqtt.shared_subscription_available);
  EXPECT_FALSE(c.mqtt.wildcard_subscription_available);
  EXPECT_FALSE(c.mqtt.subscription_identifier_available);
  EXPECT_EQ(c.mqtt.shared_subscription_strategy, shared_strategy::random);
  EXPECT_TRUE(c.mqtt.validate_utf8_payload);
}

TEST(config_loader, enum_values) {
  EXPECT_EQ(load_string("limits.session_overflow = \"drop_new\"", "x").limits.session_overflow,
            overflow_policy::drop_new);
  EXPECT_EQ(load_string("limits.session_overflow = \"terminate\"", "x").limits.session_overflow,
            overflow_policy::terminate);
  for (const char* level : {"trace", "debug", "info", "warn", "error", "off"}) {
    const config c = load_string(std::string("server.log_level = \"") + level + "\"", "x");
    EXPECT_EQ(to_string(c.server.level), level);
  }
}

TEST(config_loader, wrong_type) {
  expect_error("[limits]\nmax_packet_size = \"big\"\n", 2, "limits.max_packet_size",
               "expected an integer between 16 and 268435456");
  expect_error("[limits]\n\nmax_packet_size = 1024.0\n", 3, "limits.max_packet_size", "expected an integer");
  expect_error("[limits]\nretain_available = 1\n", 2, "limits.retain_available", "expected true or false");
  expect_error("[auth]\nallow_anonymous = \"yes\"\n", 2, "auth.allow_anonymous", "expected true or false");
  expect_error("[server]\nlog_level = 3\n", 2, "server.log_level", "expected a string");
  expect_error("[mqtt]\nresponse_information_prefix = []\n", 2, "mqtt.response_information_prefix",
               "expected a string");
  expect_error("[mqtt]\nvalidate_utf8_payload = \"no\"\n", 2, "mqtt.validate_utf8_payload", "expected true or false");
  expect_error("\nserver = 1\n", 2, "server", "expected a table");
  expect_error("[listener]\nurl = \"mqtt://h:1\"\n", 1, "listener", "expected an array of tables");
}

TEST(config_loader, out_of_range) {
  expect_error("[limits]\nmax_packet_size = 15\n", 2, "limits.max_packet_size",
               "expected an integer between 16 and 268435456");
  expect_error("[limits]\nmax_packet_size = 268435457\n", 2, "limits.max_packet_size");
  expect_error("[limits]\nreceive_maximum = 0\n", 2, "limits.receive_maximum", "between 1 and 65535");
  expect_error("[limits]\nreceive_maximum = 65536\n", 2, "limits.receive_maximum");
  expect_error("[limits]\nmaximum_qos = 3\n", 2, "limits.maximum_qos", "between 0 and 2");
  expect_error("[limits]\nmax_session_expiry = -1\n", 2, "limits.max_session_expiry");
  expect_error("[limits]\nmax_session_expiry = 4294967296\n", 2, "limits.max_session_expiry");
  expect_error("[limits]\nmax_client_id_length = 22\n", 2, "limits.max_client_id_length");
  expect_error("[limits]\nconnect_timeout = 0\n", 2, "limits.connect_timeout");
  expect_error("[limits]\nmax_queued_bytes = 0\n", 2, "limits.max_queued_bytes");
  expect_error("[server]\nthreads = -2\n", 2, "server.threads");
  expect_error("[server]\nlog_level = \"verbose\"\n", 2, "server.log_level", "expected one of");
  expect_error("[limits]\nsession_overflow = \"drop\"\n", 2, "limits.session_overflow",
               "expected one of terminate, drop_oldest, drop_new");
  expect_error("[limits]\nmax_inflight_messages = 0\n", 2, "limits.max_inflight_messages");
  expect_error("[limits]\nmax_outbound_bytes = 100\n", 2, "limits.max_outbound_bytes");
  expect_error("[limits]\nmax_topic_length = 65536\n", 2, "limits.max_topic_length");
  expect_error("[limits]\nmax_topic_levels = 0\n", 2, "limits.max_topic_levels");
  expect_error("[limits]\nmax_subscriptions_per_session = 0\n", 2, "limits.max_subscriptions_per_session");
  expect_error("[mqtt]\nshared_subscription_strategy = \"first\"\n", 2, "mqtt.shared_subscription_strategy",
               "expected one of round_robin, random");
}

TEST(config_loader, unknown_key_and_section) {
  expect_error("[limits]\nmax_packet_size = 1024\nmax_pakcet_size = 1\n", 3, "limits.max_pakcet_size",
               "unknown key");
  expect_error("\n\n[limit]\nmax_packet_size = 1024\n", 3, "limit", "unknown section");
  expect_error("threads = 2\n", 1, "threads", "unknown key");
  expect_error("[[listener]]\nurl = \"mqtt://h:1\"\nport = 1\n", 3, "listener[0].port", "unknown key");
  expect_error("[server.extra]\nx = 1\n", 1, "server.extra", "unknown key");
}

TEST(config_loader, listener_errors) {
  expect_error("[[listener]]\nurl = \"mqtt://h:1\"\n\n[[listener]]\nurl = \"tcp://h:1\"\n", 5, "listener[1].url",
               "unsupported scheme");
  expect_error("[[listener]]\nurl = 1883\n", 2, "listener[0].url", "expected a string");
  expect_error("[[listener]]\n", 1, "listener[0].url", "missing key");
  expect_error("[[listener]]\nurl = \"mqtt://h:1\"\nno_delay = \"yes\"\n", 3, "listener[0].no_delay", "expected");
}

TEST(config_loader, listener_no_delay_and_write_pacing) {
  const config c = load_string(
      "[[listener]]\nurl = \"mqtt://h:1\"\nno_delay = false\n[[listener]]\nurl = \"ws://h:2\"\nwrite_pacing = 0\n",
      "gridmq.toml");
  ASSERT_EQ(c.listeners.size(), 2u);
  EXPECT_FALSE(c.listeners[0].no_delay);
  EXPECT_EQ(c.listeners[0].write_pacing, 500u);  // the default
  EXPECT_TRUE(c.listeners[1].no_delay);           // paced writes without Nagle unless asked
  EXPECT_EQ(c.listeners[1].write_pacing, 0u);
  expect_error("[[listener]]\nurl = \"mqtt://h:1\"\nwrite_pacing = -1\n", 3, "listener[0].write_pacing", "");
  expect_error("[[listener]]\nurl = \"mqtt://h:1\"\nwrite_pacing = 2000000\n", 3, "listener[0].write_pacing", "");
}

TEST(config_loader, toml_syntax_error_names_line) {
  const std::string msg = error_of("[limits]\nmax_packet_size = = 3\n");
  EXPECT_EQ(msg.rfind("gridmq.toml:2: ", 0), 0u) << msg;
  EXPECT_NE(msg.find("syntax error"), std::string::npos) << msg;

  const std::string dup = error_of("[limits]\nmaximum_qos = 1\nmaximum_qos = 2\n");
  EXPECT_EQ(dup.rfind("gridmq.toml:3: ", 0), 0u) << dup;
}

TEST(config_loader, load_file_reads_and_names_path) {
  const std::string path = ::testing::TempDir() + "gridmq_config_test.toml";
  {
    std::ofstream out(path);
    out << "[server]\nthreads = 2\n\n[limits]\nmaximum_qos = 9\n";
  }
  try {
    load_file(path);
    ADD_FAILURE() << "expected config_error";
  } catch (const config_error& e) {
    EXPECT_EQ(std::string(e.what()).rfind(path + ":5: limits.maximum_qos: ", 0), 0u) << e.what();
  }
  {
    std::ofstream out(path);
    out << "[server]\nthreads = 2\n";
  }
  EXPECT_EQ(load_file(path).server.threads, 2u);
  std::remove(path.c_str());
}

TEST(config_loader, missing_file) {
  try {
    load_file("/nonexistent/gridmq.toml");
    ADD_FAILURE() << "expected config_error";
  } catch (const config_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/gridmq.toml"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace gridmq::config

namespace gridmq::config {
namespace {

TEST(config_loader, auth_users) {
  const config c = load_string(
      "[auth]\nallow_anonymous = false\n[[auth.users]]\nusername = \"alice\"\npassword = \"s3cret\"\n"
      "[[auth.users]]\nusername = \"bob\"\npassword = \"\"\n",
      "gridmq.toml");
  EXPECT_FALSE(c.auth.allow_anonymous);
  ASSERT_EQ(c.auth.users.size(), 2u);
  EXPECT_EQ(c.auth.users[0].username, "alice");
  EXPECT_EQ(c.auth.users[0].password, "s3cret");
  EXPECT_EQ(c.auth.users[1].username, "bob");
}

TEST(config_loader, auth_user_errors_name_line_and_key) {
  expect_error("[auth]\nusers = 3\n", 2, "auth.users", "array of tables");
  expect_error("[[auth.users]]\npassword = \"x\"\n", 1, "auth.users[0].username", "missing");
  expect_error("[[auth.users]]\nusername = \"a\"\nrole = \"x\"\n", 3, "auth.users[0].role", "unknown key");
  expect_error("[[auth.users]]\nusername = \"a\"\n[[auth.users]]\nusername = \"a\"\n", 3, "auth.users[1].username",
               "duplicate");
}

}  // namespace
}  // namespace gridmq::config

namespace gridmq::config {
namespace {

TEST(config_loader, storage_keys) {
  const config c = load_string("[storage]\ndata_dir = \"/var/lib/gridmq\"\ndurability = \"batched\"\nflush_interval = 50\n",
                               "gridmq.toml");
  EXPECT_EQ(c.storage.data_dir, "/var/lib/gridmq");
  EXPECT_EQ(c.storage.level, durability::batched);
  EXPECT_EQ(c.storage.flush_interval_ms, 50u);
  const config d = load_string("", "gridmq.toml");
  EXPECT_TRUE(d.storage.data_dir.empty());
  EXPECT_EQ(d.storage.level, durability::sync);
}

TEST(config_loader, storage_errors_name_line_and_key) {
  expect_error("[storage]\ndurability = \"fast\"\n", 2, "storage.durability");
  expect_error("[storage]\nflush_interval = 0\n", 2, "storage.flush_interval");
  expect_error("[storage]\ndata_dir = 3\n", 2, "storage.data_dir", "string");
  expect_error("[storage]\nfsync = true\n", 2, "storage.fsync", "unknown key");
}

}  // namespace
}  // namespace gridmq::config
