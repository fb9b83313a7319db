// Design note: the TOML document is parsed by toml++ into a tree whose nodes
// remember their source line. Each section is then read through a small
// table of known keys; anything not in that table is an error, so a typo in a
// key never silently falls back to a default. All messages have the form
// "file:line: key: what is wrong".
#include "config/loader.hpp"

#include <toml++/toml.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <limits>
#include <sstream>

namespace gridmq::config {
namespace {

// Reads one document; owns the file name every message starts with.
class document_reader {
 public:
  explicit document_reader(std::string_view source_name) : source_(source_name) {}

  config read(const toml::table& root);

 private:
  using setter = std::function<void(const toml::node&, const std::string& key)>;
  struct field {
    std::string_view name;
    setter set;
  };

  [[noreturn]] void fail(const toml::source_region& where, std::string_view key, std::string_view what) const;

  void read_section(const toml::table& table, std::string_view section, std::initializer_list<field> fields) const;
  const toml::table& expect_table(const toml::node& node, std::string_view key) const;
  void read_listeners(const toml::node& node, config& out) const;

  std::int64_t read_int(const toml::node& node, const std::string& key, std::int64_t lo, std::int64_t hi) const;
  bool read_bool(const toml::node& node, const std::string& key) const;
  std::string read_string(const toml::node& node, const std::string& key) const;

  template <class T>
  setter int_field(T& target, std::int64_t lo, std::int64_t hi) const {
    return [this, &target, lo, hi](const toml::node& n, const std::string& key) {
      target = static_cast<T>(read_int(n, key, lo, hi));
    };
  }
  setter bool_field(bool& target) const {
    return [this, &target](const toml::node& n, const std::string& key) { target = read_bool(n, key); };
  }

  std::string source_;
};

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

void document_reader::read_section(const toml::table& table, std::string_view section,
                                   std::initializer_list<field> fields) const {
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

void document_reader::read_listeners(const toml::node& node, config& out) const {
  const auto* array = node.as_array();
  if (array == nullptr || !array->is_array_of_tables()) {
    fail(node.source(), "listener", "expected an array of tables ([[listener]])");
  }
  out.listeners.clear();
  std::size_t index = 0;
  for (const auto& element : *array) {
    const std::string prefix = "listener[" + std::to_string(index++) + "]";
    bool has_url = false;
    read_section(*element.as_table(), prefix,
                 {{"url", [&](const toml::node& n, const std::string& key) {
                     auto url = parse_listener_url(read_string(n, key));
                     if (!url) fail(n.source(), key, url.error());
                     out.listeners.push_back(std::move(*url));
                     has_url = true;
                   }}});
    if (!has_url) fail(element.source(), prefix + ".url", "missing key (every [[listener]] needs a url)");
  }
}

config document_reader::read(const toml::table& root) {
  config out;
  constexpr std::int64_t u16 = std::numeric_limits<std::uint16_t>::max();
  constexpr std::int64_t u32 = std::numeric_limits<std::uint32_t>::max();
  for (const auto& [name, node] : root) {
    const std::string section(name.str());
    if (section == "listener") {
      read_listeners(node, out);
    } else if (section == "server") {
      auto& s = out.server;
      read_section(expect_table(node, section), section,
                   {{"threads", int_field(s.threads, 0, 1024)},
                    {"log_level", [&](const toml::node& n, const std::string& key) {
                       auto level = parse_log_level(read_string(n, key));
                       if (!level) fail(n.source(), key, level.error());
                       s.level = *level;
                     }}});
    } else if (section == "limits") {
      auto& l = out.limits;
      read_section(expect_table(node, section), section,
                   {{"max_packet_size", int_field(l.max_packet_size, 16, 268435456)},
                    {"max_session_expiry", int_field(l.max_session_expiry, 0, u32)},
                    {"max_queued_messages", int_field(l.max_queued_messages, 1, u32)},
                    {"max_queued_bytes", int_field(l.max_queued_bytes, 1, std::numeric_limits<std::int64_t>::max())},
                    {"session_overflow", [&](const toml::node& n, const std::string& key) {
                       const std::string v = read_string(n, key);
                       if (v == "terminate") {
                         l.session_overflow = overflow_policy::terminate;
                       } else if (v == "drop_oldest") {
                         l.session_overflow = overflow_policy::drop_oldest;
                       } else if (v == "drop_new") {
                         l.session_overflow = overflow_policy::drop_new;
                       } else {
                         fail(n.source(), key, "expected one of terminate, drop_oldest, drop_new");
                       }
                     }},
                    // [MQTT-3.3.4-9] a Receive Maximum of 0 is a protocol error, so 1 is the floor.
                    {"receive_maximum", int_field(l.receive_maximum, 1, u16)},
                    {"max_keep_alive", int_field(l.max_keep_alive, 1, u16)},
                    {"topic_alias_maximum", int_field(l.topic_alias_maximum, 0, u16)},
                    {"maximum_qos", int_field(l.maximum_qos, 0, 2)},
                    {"retain_available", bool_field(l.retain_available)},
                    // [MQTT-3.1.3-5] the server must accept client ids of 1 to 23 characters.
                    {"max_client_id_length", int_field(l.max_client_id_length, 23, u16)},
                    {"max_retained_messages", int_field(l.max_retained_messages, 0, u32)},
                    {"connect_timeout", int_field(l.connect_timeout, 1, 3600)}});
    } else if (section == "auth") {
      read_section(expect_table(node, section), section, {{"allow_anonymous", bool_field(out.auth.allow_anonymous)}});
    } else if (section == "mqtt") {
      read_section(expect_table(node, section), section,
                   {{"response_information_prefix", [&](const toml::node& n, const std::string& key) {
                       std::string v = read_string(n, key);
                       // It becomes a topic prefix inside a UTF-8 string property.
                       if (v.size() > u16) fail(n.source(), key, "expected at most 65535 bytes");
                       out.mqtt.response_information_prefix = std::move(v);
                     }}});
    } else {
      fail(name.source(), section, node.is_table() ? "unknown section" : "unknown key");
    }
  }
  return out;
}

}  // namespace

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
  return document_reader(source_name).read(root);
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
