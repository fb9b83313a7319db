#include "namespace/namespace_model.hpp"

#include <algorithm>
#include <cctype>

namespace gridmq::ns {
namespace {

std::optional<model_error> error(std::string field, std::string what) {
  return model_error{std::move(field), std::move(what)};
}

template <class T>
bool has_name(const std::vector<T>& v, std::string_view name) {
  return std::any_of(v.begin(), v.end(), [&](const T& x) { return x.name == name; });
}

void add_unique(std::vector<std::string>& out, std::vector<std::string>&& more) {
  for (auto& f : more) {
    if (std::find(out.begin(), out.end(), f) == out.end()) out.push_back(std::move(f));
  }
}

}  // namespace

std::optional<model_error> namespace_model::add_client(client c) {
  if (auto p = client_name_problem(c.name); !p.empty()) return error("name", p);
  if (c.authentication_name.empty()) c.authentication_name = c.name;  // Event Grid's default
  if (auto p = authentication_name_problem(c.authentication_name); !p.empty()) return error("authentication_name", p);
  if (auto p = attributes_problem(c.attributes, limits_); !p.empty()) return error("attributes", p);
  if (c.certificate == certificate_check::thumbprint) {
    if (c.allowed_thumbprints.empty() || c.allowed_thumbprints.size() > 2) {
      return error("allowed_thumbprints", "thumbprint validation needs 1 or 2 thumbprints");
    }
    for (auto& t : c.allowed_thumbprints) {
      bool hex = t.size() == 64 && std::all_of(t.begin(), t.end(), [](char x) { return std::isxdigit(static_cast<unsigned char>(x)); });
      if (!hex) return error("allowed_thumbprints", "expected SHA-256 thumbprints (64 hex digits)");
      for (char& x : t) x = static_cast<char>(std::toupper(static_cast<unsigned char>(x)));
    }
  } else if (!c.allowed_thumbprints.empty()) {
    return error("allowed_thumbprints", "only with certificate_validation = \"thumbprint\"");
  }
  if (clients_.size() >= limits_.max_clients) {
    return error("name", "more than " + std::to_string(limits_.max_clients) + " clients");
  }
  if (by_name_.count(c.name) != 0) return error("name", "duplicate client name '" + c.name + "'");
  auto key = fold_case(c.authentication_name);
  if (by_authentication_name_.count(key) != 0) {
    return error("authentication_name", "authentication name '" + c.authentication_name +
                                            "' is already used (compared case-insensitively)");
  }
  by_name_.emplace(c.name, clients_.size());
  by_authentication_name_.emplace(std::move(key), clients_.size());
  clients_.push_back(std::move(c));
  return std::nullopt;
}

std::optional<model_error> namespace_model::add_client_group(std::string name, std::string_view query) {
  if (auto p = resource_name_problem(name); !p.empty()) return error("name", p);
  if (has_name(groups_, name)) return error("name", "duplicate client group '" + name + "'");
  if (groups_.size() >= limits_.max_client_groups) {
    return error("name", "more than " + std::to_string(limits_.max_client_groups) + " client groups");
  }
  auto q = group_query::parse(query);
  if (!q) return error("query", q.error());
  groups_.push_back({std::move(name), std::move(*q)});
  return std::nullopt;
}

std::optional<model_error> namespace_model::add_topic_space(std::string name, const std::vector<std::string>& templates) {
  if (auto p = resource_name_problem(name); !p.empty()) return error("name", p);
  if (has_name(spaces_, name)) return error("name", "duplicate topic space '" + name + "'");
  if (spaces_.size() >= limits_.max_topic_spaces) {
    return error("name", "more than " + std::to_string(limits_.max_topic_spaces) + " topic spaces");
  }
  if (templates.empty() || templates.size() > limits_.max_templates_per_space) {
    return error("topic_templates",
                 "expected 1 to " + std::to_string(limits_.max_templates_per_space) + " topic templates");
  }
  topic_space s{std::move(name), {}};
  for (std::size_t i = 0; i < templates.size(); ++i) {
    auto t = topic_template::parse(templates[i]);
    if (!t) return error("topic_templates[" + std::to_string(i) + "]", t.error());
    s.templates.push_back(std::move(*t));
  }
  spaces_.push_back(std::move(s));
  return std::nullopt;
}

std::optional<model_error> namespace_model::add_permission_binding(permission_binding b) {
  if (auto p = resource_name_problem(b.name); !p.empty()) return error("name", p);
  if (has_name(bindings_, b.name)) return error("name", "duplicate permission binding '" + b.name + "'");
  if (bindings_.size() >= limits_.max_permission_bindings) {
    return error("name", "more than " + std::to_string(limits_.max_permission_bindings) + " permission bindings");
  }
  if (b.client_group != all_clients_group && find_group(b.client_group) == nullptr) {
    return error("client_group", "no client group named '" + b.client_group + "'");
  }
  if (find_space(b.topic_space) == nullptr) return error("topic_space", "no topic space named '" + b.topic_space + "'");
  bindings_.push_back(std::move(b));
  return std::nullopt;
}

const client* namespace_model::find_client(std::string_view authentication_name) const {
  auto it = by_authentication_name_.find(fold_case(authentication_name));
  return it == by_authentication_name_.end() ? nullptr : &clients_[it->second];
}

const client_group* namespace_model::find_group(std::string_view name) const {
  auto it = std::find_if(groups_.begin(), groups_.end(), [&](const client_group& g) { return g.name == name; });
  return it == groups_.end() ? nullptr : &*it;
}

const topic_space* namespace_model::find_space(std::string_view name) const {
  auto it = std::find_if(spaces_.begin(), spaces_.end(), [&](const topic_space& s) { return s.name == name; });
  return it == spaces_.end() ? nullptr : &*it;
}

bool namespace_model::is_member(const client& c, std::string_view group) const {
  if (group == all_clients_group) return true;
  const auto* g = find_group(group);
  return g != nullptr && g->query.matches(c);
}

client_grants namespace_model::grants_for(const client& c) const {
  std::vector<std::string> publish;
  std::vector<std::string> subscribe;
  for (const auto& b : bindings_) {
    if (!is_member(c, b.client_group)) continue;
    const auto* space = find_space(b.topic_space);
    std::vector<std::string> filters;
    for (const auto& t : space->templates) t.substitute(c, filters);
    add_unique(b.permission == permission::publisher ? publish : subscribe, std::move(filters));
  }
  return client_grants(std::move(publish), std::move(subscribe));
}

}  // namespace gridmq::ns
