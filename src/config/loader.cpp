// Design note: the TOML document is parsed by toml++ into a tree whose nodes
// remember their source line. Each section is then read through a small
// table of known keys; anything not in that table is an error, so a typo in a
// key never silently falls back to a default. All messages have the form
// "file:line: key: what is wrong".
#include "config/loader.hpp"

#include <toml++/toml.h>

#include "config/document_reader.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <limits>
#include <sstream>
#include <utility>
#include <vector>

namespace gridmq::config {
namespace detail {

void document_reader::fail(const toml::source_region& where, std::string_view key, std::string_view what) const {
  std::string msg = source_;
  if (where.begin.line > 0) msg.append(":").append(std::to_string(where.begin.line));
  msg.append(": ").append(key).append(": ").append(what);
  throw config_error(msg);
}

std::int64_t document_reader::read_int(const toml::node& node, const std::string& key, std::int64_t lo,
                                       std::int64_t hi) const {
  const auto* v = node.as_integer();
  if (v == nullptr || v->get() < lo || v->get() > hi) {
    fail(node.source(), key, "expected an integer between " + std::to_string(lo) + " and " + std::to_string(hi));
  }
  return v->get();
}

bool document_reader::read_bool(const toml::node& node, const std::string& key) const {
  const auto* v = node.as_boolean();
  if (v == nullptr) fail(node.source(), key, "expected true or false");
  return v->get();
}

std::string document_reader::read_string(const toml::node& node, const std::string& key) const {
  const auto* v = node.as_string();
  if (v == nullptr) fail(node.source(), key, "expected a string");
  return v->get();
}

const toml::table& document_reader::expect_table(const toml::node& node, std::string_view key) const {
  const auto* table = node.as_table();
  if (table == nullptr) fail(node.source(), key, "expected a table ([" + std::string(key) + "])");
  return *table;
}

void document_reader::read_fields(const toml::table& table, std::string_view section,
                                  const std::vector<field>& fields) const {
  for (const auto& [name, node] : table) {
    std::string key = std::string(section).append(".").append(name.str());
    const field* match = nullptr;
    for (const auto& f : fields) {
      if (f.name == name.str()) match = &f;
    }
    if (match == nullptr) fail(name.source(), key, "unknown key");
    match->set(node, key);
  }
}

void document_reader::read_auth(const toml::table& table, auth_settings& a) const {
  read_section(table, "auth",
               {{"allow_anonymous", bool_field(a.allow_anonymous)},
                {"users", [&](const toml::node& n, const std::string&) { read_users(n, a); }},
                {"authentication_name_sources",
                 [&](const toml::node& n, const std::string& key) { read_name_sources(n, key, a); }},
                // Event Grid allows 1-100 (default 1); 0 here means no limit.
                {"max_sessions_per_authentication_name", int_field(a.max_sessions_per_authentication_name, 0, 100)}});
}

void document_reader::read_users(const toml::node& node, auth_settings& a) const {
  const auto* array = node.as_array();
  if (array == nullptr || !array->is_array_of_tables()) {
    fail(node.source(), "auth.users", "expected an array of tables ([[auth.users]])");
  }
  std::size_t index = 0;
  for (const auto& element : *array) {
    const std::string prefix = "auth.users[" + std::to_string(index++) + "]";
    user_entry u;
    read_section(*element.as_table(), prefix,
                 {{"username", [&](const toml::node& n, const std::string& key) { u.username = read_string(n, key); }},
                  {"password", [&](const toml::node& n, const std::string& key) { u.password = read_string(n, key); }}});
    if (u.username.empty()) fail(element.source(), prefix + ".username", "missing or empty username");
    for (const auto& other : a.users) {
      if (other.username == u.username) fail(element.source(), prefix + ".username", "duplicate user");
    }
    a.users.push_back(std::move(u));
  }
}

void document_reader::read_listeners(const toml::node& node, config& out) const {
  const auto* array = node.as_array();
  if (array == nullptr || !array->is_array_of_tables()) {
    fail(node.source(), "listener", "expected an array of tables ([[listener]])");
  }
  out.listeners.clear();
  std::size_t index = 0;
  for (const auto& element : *array) {
    const std::string prefix = "listener[" + std::to_string(index++) + "]";
    listener_settings l;
    l.tls = out.tls;  // [tls] is read first: its keys are the defaults
    read_listener(*element.as_table(), prefix, l);
    if (l.scheme.empty()) fail(element.source(), prefix + ".url", "missing key (every [[listener]] needs a url)");
    if (const std::string problem = tls_settings_problem(l); !problem.empty()) {
      fail(element.source(), prefix + ".cert", problem);
    }
    out.listeners.push_back(std::move(l));
  }
}

void document_reader::read_listener(const toml::table& table, const std::string& prefix, listener_settings& l) const {
  std::vector<field> fields = tls_fields(l.tls);
  fields.push_back({"url", [&](const toml::node& n, const std::string& key) {
                      auto url = parse_listener_url(read_string(n, key));
                      if (!url) fail(n.source(), key, url.error());
                      static_cast<listener_url&>(l) = std::move(*url);
                    }});
  fields.push_back({"path", [&](const toml::node& n, const std::string& key) {
                      l.path = read_string(n, key);
                      if (l.path.empty() || l.path.front() != '/') fail(n.source(), key, "expected a path starting with '/'");
                    }});
  fields.push_back({"proxy_protocol", bool_field(l.proxy_protocol)});
  fields.push_back({"no_delay", bool_field(l.no_delay)});
  fields.push_back({"write_pacing", int_field(l.write_pacing, 0, 1000000)});
  fields.push_back({"bearer_token", [&](const toml::node& n, const std::string& key) {
                      l.bearer_token = read_string(n, key);
                      if (l.bearer_token.empty()) fail(n.source(), key, "expected a non-empty token");
                    }});
  read_fields(table, prefix, fields);
}

std::vector<document_reader::field> document_reader::tls_fields(tls_settings& t) const {
  auto file = [this](std::string& target) -> setter {
    return [this, &target](const toml::node& n, const std::string& key) { target = read_file_name(n, key); };
  };
  auto text = [this](std::string& target) -> setter {
    return [this, &target](const toml::node& n, const std::string& key) { target = read_string(n, key); };
  };
  return {{"cert", file(t.cert)},
          {"key", file(t.key)},
          {"ca", file(t.ca)},
          {"client_cert", enum_field(t.client_cert, {{"none", client_cert_mode::none},
                                                     {"optional", client_cert_mode::optional},
                                                     {"required", client_cert_mode::required}})},
          {"ciphers", text(t.ciphers)},
          {"ciphersuites", text(t.ciphersuites)},
          {"min_tls", [this, &t](const toml::node& n, const std::string& key) {
             t.min_tls = read_string(n, key);
             // TLS 1.0 and 1.1 are deprecated (RFC 8996): 1.2 is the floor.
             if (t.min_tls != "1.2" && t.min_tls != "1.3") fail(n.source(), key, "expected \"1.2\" or \"1.3\"");
           }},
          {"sni", [this, &t](const toml::node& n, const std::string& key) { read_sni(n, key, t); }}};
}

void document_reader::read_sni(const toml::node& node, const std::string& key, tls_settings& t) const {
  const auto* array = node.as_array();
  if (array == nullptr || !array->is_array_of_tables()) {
    fail(node.source(), key, "expected an array of tables ([[" + key + "]])");
  }
  t.sni.clear();  // a listener's own list replaces the [tls] one
  std::size_t index = 0;
  for (const auto& element : *array) {
    const std::string prefix = key + "[" + std::to_string(index++) + "]";
    sni_certificate c;
    read_section(*element.as_table(), prefix,
                 {{"name", [&](const toml::node& n, const std::string& k) { c.name = read_string(n, k); }},
                  {"cert", [&](const toml::node& n, const std::string& k) { c.cert = read_file_name(n, k); }},
                  {"key", [&](const toml::node& n, const std::string& k) { c.key = read_file_name(n, k); }}});
    if (c.name.empty()) fail(element.source(), prefix + ".name", "missing or empty host name");
    if (c.cert.empty() || c.key.empty()) fail(element.source(), prefix + ".cert", "every SNI entry needs cert and key");
    t.sni.push_back(std::move(c));
  }
}

// A file the broker reads at start-up and on SIGHUP: checked here so that a
// typo is reported with its line instead of when the listener starts.
std::string document_reader::read_file_name(const toml::node& node, const std::string& key) const {
  std::string path = read_string(node, key);
  if (path.empty()) fail(node.source(), key, "expected a file name");
  std::ifstream probe(path, std::ios::binary);
  if (!probe) fail(node.source(), key, "cannot open " + path + ": " + std::strerror(errno));
  return path;
}

void document_reader::read_server(const toml::table& table, server_settings& s) const {
  read_section(table, "server",
               {{"threads", int_field(s.threads, 0, 1024)},
                {"require_tls", bool_field(s.require_tls)},
                {"log_level", [&](const toml::node& n, const std::string& key) {
                   auto level = parse_log_level(read_string(n, key));
                   if (!level) fail(n.source(), key, level.error());
                   s.level = *level;
                 }}});
}

void document_reader::read_limits(const toml::table& table, limits_settings& l) const {
  read_section(
      table, "limits",
      {{"max_packet_size", int_field(l.max_packet_size, 16, 268435456)},
       {"max_session_expiry", int_field(l.max_session_expiry, 0, u32_max)},
       {"max_queued_messages", int_field(l.max_queued_messages, 1, u32_max)},
       {"max_queued_bytes", int_field(l.max_queued_bytes, 1, i64_max)},
       {"session_overflow", enum_field(l.session_overflow, {{"terminate", overflow_policy::terminate},
                                                            {"drop_oldest", overflow_policy::drop_oldest},
                                                            {"drop_new", overflow_policy::drop_new}})},
       // [MQTT-3.3.4-9] a Receive Maximum of 0 is a protocol error, so 1 is the floor.
       {"receive_maximum", int_field(l.receive_maximum, 1, u16_max)},
       {"max_keep_alive", int_field(l.max_keep_alive, 1, u16_max)},
       {"topic_alias_maximum", int_field(l.topic_alias_maximum, 0, u16_max)},
       {"maximum_qos", int_field(l.maximum_qos, 0, 2)},
       {"retain_available", bool_field(l.retain_available)},
       // [MQTT-3.1.3-5] the server must accept client ids of 1 to 23 characters.
       {"max_client_id_length", int_field(l.max_client_id_length, 23, u16_max)},
       {"max_retained_messages", int_field(l.max_retained_messages, 0, u32_max)},
       {"connect_timeout", int_field(l.connect_timeout, 1, 3600)},
       {"max_inflight_messages", int_field(l.max_inflight_messages, 1, u16_max)},
       {"max_outbound_bytes", int_field(l.max_outbound_bytes, 1024, i64_max)},
       {"max_subscriptions_per_session", int_field(l.max_subscriptions_per_session, 1, u32_max)},
       // A topic is a UTF-8 string of at most 65535 bytes [MQTT-1.5.4].
       {"max_topic_length", int_field(l.max_topic_length, 1, u16_max)},
       {"max_topic_levels", int_field(l.max_topic_levels, 1, u16_max)}});
}

void document_reader::read_mqtt(const toml::table& table, mqtt_settings& m) const {
  read_section(table, "mqtt",
               {{"response_information_prefix",
                 [&](const toml::node& n, const std::string& key) {
                   std::string v = read_string(n, key);
                   // It becomes a topic prefix inside a UTF-8 string property.
                   if (v.size() > u16_max) fail(n.source(), key, "expected at most 65535 bytes");
                   m.response_information_prefix = std::move(v);
                 }},
                {"shared_subscription_available", bool_field(m.shared_subscription_available)},
                {"wildcard_subscription_available", bool_field(m.wildcard_subscription_available)},
                {"subscription_identifier_available", bool_field(m.subscription_identifier_available)},
                {"shared_subscription_strategy",
                 enum_field(m.shared_subscription_strategy,
                            {{"round_robin", shared_strategy::round_robin}, {"random", shared_strategy::random}})},
                {"validate_utf8_payload", bool_field(m.validate_utf8_payload)}});
}

void document_reader::read_storage(const toml::table& table, storage_settings& s) const {
  read_section(table, "storage",
               {{"data_dir", [&](const toml::node& n, const std::string& key) { s.data_dir = read_string(n, key); }},
                {"durability", enum_field(s.level, {{"sync", durability::sync},
                                                    {"batched", durability::batched},
                                                    {"none", durability::none}})},
                {"flush_interval", int_field(s.flush_interval_ms, 1, 60000)}});
}

config document_reader::read(const toml::table& root) const {
  config out;
  // [tls] first, whatever its place in the file: listeners start from it.
  if (const toml::node* tls = root.get("tls")) {
    const toml::table& t = expect_table(*tls, "tls");
    read_fields(t, "tls", tls_fields(out.tls));
  }
  for (const auto& [name, node] : root) {
    const std::string section(name.str());
    if (section == "tls") continue;
    if (section == "listener") {
      read_listeners(node, out);
    } else if (section == "server") {
      read_server(expect_table(node, section), out.server);
    } else if (section == "limits") {
      read_limits(expect_table(node, section), out.limits);
    } else if (section == "auth") {
      read_auth(expect_table(node, section), out.auth);
    } else if (section == "mqtt") {
      read_mqtt(expect_table(node, section), out.mqtt);
    } else if (section == "storage") {
      read_storage(expect_table(node, section), out.storage);
    } else if (section == "clients" || section == "client_groups" || section == "topic_spaces" ||
               section == "permission_bindings") {
      continue;  // below, in the order their references need
    } else {
      fail(name.source(), section, node.is_table() ? "unknown section" : "unknown key");
    }
  }
  read_namespace(root, out.namespace_model);
  return out;
}

}  // namespace detail

config load_string(std::string_view text, std::string_view source_name) {
  toml::table root;
  try {
    root = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    std::string msg(source_name);
    msg.append(":").append(std::to_string(e.source().begin.line));
    msg.append(": TOML syntax error: ").append(e.description());
    throw config_error(msg);
  }
  return detail::document_reader(source_name).read(root);
}

config load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw config_error(path + ": cannot open file: " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw config_error(path + ": cannot read file");
  return load_string(text.str(), path);
}

}  // namespace gridmq::config
