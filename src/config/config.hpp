// The typed configuration of gridmq, as read from a TOML file.
//
// Plain data: every field has the embedded default, so a default-constructed
// `config` is what the broker runs with when no file is given. Only this
// module sees toml++; app/ turns these structs into each module's options.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "config/listener_url.hpp"

namespace gridmq::config {

enum class log_level : std::uint8_t { trace, debug, info, warn, error, off };
enum class overflow_policy : std::uint8_t { terminate, drop_oldest, drop_new };
enum class shared_strategy : std::uint8_t { round_robin, random };

struct server_settings {
  std::uint32_t threads = 0;  // 0: one worker per core
  log_level level = log_level::info;
};

struct limits_settings {
  std::uint32_t max_packet_size = 512 * 1024;
  std::uint32_t max_session_expiry = 3600;  // seconds
  std::uint32_t max_queued_messages = 100;
  std::uint64_t max_queued_bytes = 1024 * 1024;
  overflow_policy session_overflow = overflow_policy::terminate;
  std::uint16_t receive_maximum = 100;
  std::uint16_t max_keep_alive = 1160;  // seconds
  std::uint16_t topic_alias_maximum = 10;
  std::uint8_t maximum_qos = 2;
  bool retain_available = true;
  std::uint16_t max_client_id_length = 128;
  std::uint32_t max_retained_messages = 100000;
  std::uint32_t connect_timeout = 10;  // seconds
  std::uint16_t max_inflight_messages = 1000;
  std::uint64_t max_outbound_bytes = 8 * 1024 * 1024;
  std::uint32_t max_subscriptions_per_session = 50;
  std::uint32_t max_topic_length = 256;  // bytes
  std::uint32_t max_topic_levels = 15;
};

// A user known to the broker: checked on CONNECT (Username/Password) and
// usable for SCRAM-SHA-256 enhanced authentication.
struct user_entry {
  std::string username;
  std::string password;
};

struct auth_settings {
  bool allow_anonymous = true;
  std::vector<user_entry> users;  // [[auth.users]]
};

struct mqtt_settings {
  std::string response_information_prefix = "responses/";
  bool shared_subscription_available = true;
  bool wildcard_subscription_available = true;
  bool subscription_identifier_available = true;
  shared_strategy shared_subscription_strategy = shared_strategy::round_robin;
  bool validate_utf8_payload = false;
};

struct config {
  server_settings server;
  std::vector<listener_url> listeners{listener_url{"mqtt", "127.0.0.1", 1883}};
  limits_settings limits;
  auth_settings auth;
  mqtt_settings mqtt;
};

// "trace" | "debug" | "info" | "warn" | "error" | "off"
result<log_level, std::string> parse_log_level(std::string_view text);
std::string_view to_string(log_level level);

}  // namespace gridmq::config
