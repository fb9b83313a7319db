// The typed configuration of gridmq, as read from a TOML file.
//
// Plain data: every field has the embedded default, so a default-constructed
// `config` is what the broker runs with when no file is given. Only this
// module sees toml++; app/ turns these structs into each module's options.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.hpp"
#include "config/listener_url.hpp"
#include "namespace/certificate_identity.hpp"
#include "namespace/namespace_model.hpp"

namespace gridmq::config {

enum class log_level : std::uint8_t { trace, debug, info, warn, error, off };
enum class overflow_policy : std::uint8_t { terminate, drop_oldest, drop_new };
enum class shared_strategy : std::uint8_t { round_robin, random };
enum class durability : std::uint8_t { sync, batched, none };

struct server_settings {
  std::uint32_t threads = 0;  // 0: one worker per core
  log_level level = log_level::info;
  // Event Grid mode: refuse to start with a plaintext listener (mqtt, ws,
  // http) bound to an address other than loopback.
  bool require_tls = false;
};

enum class client_cert_mode : std::uint8_t { none, optional, required };

// One more certificate, chosen when the client's SNI names `name`.
struct sni_certificate {
  std::string name;  // exact host name, or "*.example.com"
  std::string cert;  // PEM chain file
  std::string key;   // PEM private key file
  friend bool operator==(const sni_certificate&, const sni_certificate&) = default;
};

// TLS settings of a listener ([tls] gives the defaults, a [[listener]] may
// override any key). Paths are used as given (relative: to the working directory).
struct tls_settings {
  std::string cert;          // PEM certificate chain, leaf first
  std::string key;           // PEM private key
  std::string ca;            // PEM bundle of CAs that sign client certificates
  client_cert_mode client_cert = client_cert_mode::none;
  std::string ciphers;       // TLS 1.2 cipher list (OpenSSL syntax); empty: OpenSSL's default
  std::string ciphersuites;  // TLS 1.3 suites; empty: OpenSSL's default
  std::string min_tls = "1.2";  // "1.2" or "1.3"
  std::vector<sni_certificate> sni;
  friend bool operator==(const tls_settings&, const tls_settings&) = default;
};

// A listener: its URL plus the options of its kind. mqtts, wss and https
// listeners use `tls`; ws, wss, http and https serve WebSocket on `path`;
// http and https guard publishing with `bearer_token` (or a client certificate).
struct listener_settings : listener_url {
  listener_settings() = default;
  listener_settings(listener_url url) : listener_url(std::move(url)) {}  // NOLINT: a URL is a listener with defaults
  tls_settings tls;
  std::string path = "/mqtt";
  bool proxy_protocol = false;
  // TCP_NODELAY on accepted sockets, with writes paced by the broker
  // (transport/write_pacer.hpp): a lone packet leaves at once, a stream at
  // most every `write_pacing` microseconds per connection. Off: Nagle and the
  // peer's delayed ACKs decide, which holds data for milliseconds under load
  // (bench/NOTES.md).
  bool no_delay = true;
  std::uint32_t write_pacing = 500;  // 0 = every write at once
  std::string bearer_token;
  friend bool operator==(const listener_settings&, const listener_settings&) = default;
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

// Where a connection's authentication name comes from (Event Grid's
// Username plus alternativeAuthenticationNameSources, eventgrid.md 1.3):
// tried in order, the first one present wins. See namespace/certificate_identity.hpp.
using name_source = ns::name_source;

struct auth_settings {
  bool allow_anonymous = true;
  std::vector<user_entry> users;  // [[auth.users]]
  std::vector<name_source> authentication_name_sources{name_source::username};
  // Sessions (online and offline) one authentication name may hold; 0: no limit.
  std::uint32_t max_sessions_per_authentication_name = 0;
};

struct mqtt_settings {
  std::string response_information_prefix = "responses/";
  bool shared_subscription_available = true;
  bool wildcard_subscription_available = true;
  bool subscription_identifier_available = true;
  shared_strategy shared_subscription_strategy = shared_strategy::round_robin;
  bool validate_utf8_payload = false;
};

// [storage]: where sessions and messages are kept (store/); an empty
// data_dir keeps nothing across a restart.
struct storage_settings {
  std::string data_dir;
  durability level = durability::sync;
  std::uint32_t flush_interval_ms = 100;  // batched: the longest an acknowledged write waits for its fsync
};

struct config {
  server_settings server;
  std::vector<listener_settings> listeners{listener_url{"mqtt", "127.0.0.1", 1883}};
  tls_settings tls;  // [tls]: defaults for every TLS listener, also those given by --listen
  limits_settings limits;
  auth_settings auth;
  mqtt_settings mqtt;
  storage_settings storage;
  // [[clients]], [[client_groups]], [[topic_spaces]], [[permission_bindings]]:
  // when any client or binding is configured, CONNECT, PUBLISH and SUBSCRIBE
  // are authorized by it (namespace_model::enabled()).
  ns::namespace_model namespace_model;
};

// "trace" | "debug" | "info" | "warn" | "error" | "off"
result<log_level, std::string> parse_log_level(std::string_view text);
std::string_view to_string(log_level level);

// [server] require_tls: the first plaintext listener on a non-loopback
// address, as a message; empty when the configuration is acceptable.
std::string require_tls_violation(const config& c);
// The problem with a TLS listener's settings (no cert or key, client_cert
// without ca), or empty.
std::string tls_settings_problem(const listener_settings& l);

}  // namespace gridmq::config
