// The Event Grid resources of a configuration file: [[clients]],
// [[client_groups]], [[topic_spaces]], [[permission_bindings]], and
// [auth] authentication_name_sources. Names, queries, templates, limits and
// references are checked by namespace/ (namespace_model::add_*); this file
// turns its complaints into "file:line: key: what" with the line of the
// offending key.
#include <algorithm>
#include <cstdlib>

#include "config/document_reader.hpp"

namespace gridmq::config::detail {
namespace {

constexpr std::pair<std::string_view, name_source> source_names[] = {
    {"username", name_source::username},
    {"certificate_subject", name_source::certificate_subject},
    {"certificate_cn", name_source::certificate_cn},
    {"certificate_dns", name_source::certificate_dns},
    {"certificate_uri", name_source::certificate_uri},
    {"certificate_ip", name_source::certificate_ip},
    {"certificate_email", name_source::certificate_email},
    {"certificate_thumbprint", name_source::certificate_thumbprint},
};

// The node of `field` ("query", "topic_templates[2]") in `t`, if present.
const toml::node* field_node(const toml::table& t, std::string_view field) {
  auto bracket = field.find('[');
  auto dot = field.find('.');
  std::string_view key = field.substr(0, std::min(bracket, dot));
  const toml::node* n = t.get(key);
  if (n == nullptr || bracket == std::string_view::npos) return n;
  const auto* arr = n->as_array();
  std::size_t index = std::strtoul(std::string(field.substr(bracket + 1)).c_str(), nullptr, 10);
  return arr != nullptr && index < arr->size() ? arr->get(index) : n;
}

}  // namespace

void document_reader::read_name_sources(const toml::node& node, const std::string& key, auth_settings& a) const {
  const auto* array = node.as_array();
  if (array == nullptr || array->empty()) fail(node.source(), key, "expected a non-empty array of names");
  a.authentication_name_sources.clear();
  for (const auto& element : *array) {
    const std::string v = read_string(element, key);
    auto it = std::find_if(std::begin(source_names), std::end(source_names), [&](const auto& p) { return p.first == v; });
    if (it == std::end(source_names)) {
      std::string expected = "expected names among";
      for (const auto& [name, value] : source_names) expected.append(" ").append(name);
      fail(element.source(), key, expected);
    }
    if (std::find(a.authentication_name_sources.begin(), a.authentication_name_sources.end(), it->second) !=
        a.authentication_name_sources.end()) {
      fail(element.source(), key, "'" + v + "' is listed twice");
    }
    a.authentication_name_sources.push_back(it->second);
  }
}

void document_reader::fail_model(const toml::table& t, const std::string& prefix, const ns::model_error& e) const {
  const toml::node* n = field_node(t, e.field);
  fail(n != nullptr ? n->source() : t.source(), prefix + "." + e.field, e.what);
}

std::vector<std::string> document_reader::read_string_array(const toml::node& node, const std::string& key) const {
  const auto* array = node.as_array();
  if (array == nullptr) fail(node.source(), key, "expected an array of strings");
  std::vector<std::string> out;
  std::size_t i = 0;
  for (const auto& element : *array) out.push_back(read_string(element, key + "[" + std::to_string(i++) + "]"));
  return out;
}

ns::attribute_map document_reader::read_attributes(const toml::node& node, const std::string& key) const {
  const auto* table = node.as_table();
  if (table == nullptr) fail(node.source(), key, "expected a table of attributes (attributes = { name = value })");
  ns::attribute_map out;
  for (const auto& [name, value] : *table) {
    const std::string k = key + "." + std::string(name.str());
    if (const auto* s = value.as_string()) {
      out.emplace(std::string(name.str()), s->get());
    } else if (const auto* i = value.as_integer()) {
      out.emplace(std::string(name.str()), i->get());
    } else if (value.is_array()) {
      out.emplace(std::string(name.str()), read_string_array(value, k));
    } else {
      fail(value.source(), k, "expected a string, an integer or an array of strings");
    }
  }
  return out;
}

void document_reader::read_client(const toml::table& t, const std::string& prefix, ns::namespace_model& m) const {
  ns::client c;
  auto text = [&](std::string& target) -> setter {
    return [&](const toml::node& n, const std::string& key) { target = read_string(n, key); };
  };
  std::string description;  // kept for the reader of the file; the broker has no use for it
  read_section(
      t, prefix,
      {{"name", text(c.name)},
       {"authentication_name", text(c.authentication_name)},
       {"description", text(description)},
       {"state", [&](const toml::node& n, const std::string& key) {
          bool enabled = true;
          enum_field(enabled, {{"enabled", true}, {"disabled", false}})(n, key);
          c.enabled = enabled;
        }},
       {"certificate_validation",
        enum_field(c.certificate, {{"none", ns::certificate_check::none},
                                   {"subject", ns::certificate_check::subject},
                                   {"cn", ns::certificate_check::cn},
                                   {"dns", ns::certificate_check::dns},
                                   {"uri", ns::certificate_check::uri},
                                   {"ip", ns::certificate_check::ip},
                                   {"email", ns::certificate_check::email},
                                   {"thumbprint", ns::certificate_check::thumbprint}})},
       {"allowed_thumbprints",
        [&](const toml::node& n, const std::string& key) { c.allowed_thumbprints = read_string_array(n, key); }},
       {"attributes", [&](const toml::node& n, const std::string& key) { c.attributes = read_attributes(n, key); }}});
  if (t.get("name") == nullptr) fail(t.source(), prefix + ".name", "missing key (every client needs a name)");
  if (auto e = m.add_client(std::move(c))) fail_model(t, prefix, *e);
}

void document_reader::read_client_group(const toml::table& t, const std::string& prefix, ns::namespace_model& m) const {
  std::string name;
  std::string query;
  read_section(t, prefix,
               {{"name", [&](const toml::node& n, const std::string& key) { name = read_string(n, key); }},
                {"description", [&](const toml::node& n, const std::string& key) { read_string(n, key); }},
                {"query", [&](const toml::node& n, const std::string& key) { query = read_string(n, key); }}});
  if (t.get("query") == nullptr) fail(t.source(), prefix + ".query", "missing key (every client group needs a query)");
  if (auto e = m.add_client_group(std::move(name), query)) fail_model(t, prefix, *e);
}

void document_reader::read_topic_space(const toml::table& t, const std::string& prefix, ns::namespace_model& m) const {
  std::string name;
  std::vector<std::string> templates;
  read_section(t, prefix,
               {{"name", [&](const toml::node& n, const std::string& key) { name = read_string(n, key); }},
                {"description", [&](const toml::node& n, const std::string& key) { read_string(n, key); }},
                {"topic_templates",
                 [&](const toml::node& n, const std::string& key) { templates = read_string_array(n, key); }}});
  if (auto e = m.add_topic_space(std::move(name), templates)) fail_model(t, prefix, *e);
}

void document_reader::read_binding(const toml::table& t, const std::string& prefix, ns::namespace_model& m) const {
  ns::permission_binding b;
  bool has_permission = false;
  read_section(t, prefix,
               {{"name", [&](const toml::node& n, const std::string& key) { b.name = read_string(n, key); }},
                {"description", [&](const toml::node& n, const std::string& key) { read_string(n, key); }},
                {"client_group", [&](const toml::node& n, const std::string& key) { b.client_group = read_string(n, key); }},
                {"topic_space", [&](const toml::node& n, const std::string& key) { b.topic_space = read_string(n, key); }},
                {"permission", [&](const toml::node& n, const std::string& key) {
                   has_permission = true;
                   enum_field(b.permission, {{"publisher", ns::permission::publisher},
                                             {"subscriber", ns::permission::subscriber}})(n, key);
                 }}});
  if (!has_permission) fail(t.source(), prefix + ".permission", "missing key (publisher or subscriber)");
  if (auto e = m.add_permission_binding(std::move(b))) fail_model(t, prefix, *e);
}

void document_reader::read_namespace(const toml::table& root, ns::namespace_model& m) const {
  using reader = void (document_reader::*)(const toml::table&, const std::string&, ns::namespace_model&) const;
  // Bindings last: they name groups and topic spaces, wherever those are in the file.
  static constexpr std::pair<std::string_view, reader> sections[] = {
      {"clients", &document_reader::read_client},
      {"client_groups", &document_reader::read_client_group},
      {"topic_spaces", &document_reader::read_topic_space},
      {"permission_bindings", &document_reader::read_binding},
  };
  for (const auto& [section, read] : sections) {
    const toml::node* node = root.get(section);
    if (node == nullptr) continue;
    const auto* array = node->as_array();
    if (array == nullptr || !array->is_array_of_tables()) {
      fail(node->source(), section, "expected an array of tables ([[" + std::string(section) + "]])");
    }
    std::size_t index = 0;
    for (const auto& element : *array) {
      (this->*read)(*element.as_table(), std::string(section) + "[" + std::to_string(index++) + "]", m);
    }
  }
}

}  // namespace gridmq::config::detail
