// The reader behind load_string(), shared by the files that read its
// sections (loader.cpp: server, listeners, TLS, limits, auth, mqtt, storage;
// namespace_reader.cpp: clients, client groups, topic spaces, permission
// bindings). Internal to config/: only config/ sees toml++.
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config.hpp"
#include "config/config_error.hpp"

namespace gridmq::config::detail {

constexpr std::int64_t u16_max = std::numeric_limits<std::uint16_t>::max();
constexpr std::int64_t u32_max = std::numeric_limits<std::uint32_t>::max();
constexpr std::int64_t i64_max = std::numeric_limits<std::int64_t>::max();

// Reads one document; owns the file name every message starts with.
class document_reader {
 public:
  explicit document_reader(std::string_view source_name) : source_(source_name) {}

  config read(const toml::table& root) const;

 private:
  using setter = std::function<void(const toml::node&, const std::string& key)>;
  struct field {
    std::string_view name;
    setter set;
  };

  [[noreturn]] void fail(const toml::source_region& where, std::string_view key, std::string_view what) const;

  void read_section(const toml::table& table, std::string_view section, std::initializer_list<field> fields) const {
    read_fields(table, section, std::vector<field>(fields));
  }
  void read_fields(const toml::table& table, std::string_view section, const std::vector<field>& fields) const;
  const toml::table& expect_table(const toml::node& node, std::string_view key) const;
  void read_listeners(const toml::node& node, config& out) const;
  void read_listener(const toml::table& table, const std::string& prefix, listener_settings& l) const;
  // The keys of [tls], also accepted in every [[listener]].
  std::vector<field> tls_fields(tls_settings& t) const;
  void read_sni(const toml::node& node, const std::string& key, tls_settings& t) const;
  std::string read_file_name(const toml::node& node, const std::string& key) const;
  void read_auth(const toml::table& table, auth_settings& a) const;
  void read_users(const toml::node& node, auth_settings& a) const;
  void read_server(const toml::table& table, server_settings& s) const;
  void read_limits(const toml::table& table, limits_settings& l) const;
  void read_mqtt(const toml::table& table, mqtt_settings& m) const;
  void read_storage(const toml::table& table, storage_settings& s) const;
  void read_name_sources(const toml::node& node, const std::string& key, auth_settings& a) const;
  // namespace_reader.cpp: the four resource arrays, in dependency order.
  void read_namespace(const toml::table& root, ns::namespace_model& m) const;
  void read_client(const toml::table& t, const std::string& prefix, ns::namespace_model& m) const;
  ns::attribute_map read_attributes(const toml::node& node, const std::string& key) const;
  void read_client_group(const toml::table& t, const std::string& prefix, ns::namespace_model& m) const;
  void read_topic_space(const toml::table& t, const std::string& prefix, ns::namespace_model& m) const;
  void read_binding(const toml::table& t, const std::string& prefix, ns::namespace_model& m) const;
  std::vector<std::string> read_string_array(const toml::node& node, const std::string& key) const;
  // A model error of the entry `t` at `prefix`, located at its field's line.
  [[noreturn]] void fail_model(const toml::table& t, const std::string& prefix, const ns::model_error& e) const;

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
  // A string that must be one of `names`; the message lists them.
  template <class E>
  setter enum_field(E& target, std::initializer_list<std::pair<std::string_view, E>> names) const {
    std::vector<std::pair<std::string_view, E>> table(names);
    return [this, &target, table](const toml::node& n, const std::string& key) {
      const std::string v = read_string(n, key);
      std::string expected = "expected one of";
      for (const auto& [name, value] : table) {
        if (name == v) {
          target = value;
          return;
        }
        expected.append(&name == &table.front().first ? " " : ", ").append(name);
      }
      fail(n.source(), key, expected);
    };
  }

  std::string source_;
};

}  // namespace gridmq::config::detail
