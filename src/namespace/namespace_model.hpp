// The namespace: registered clients, client groups, topic spaces and
// permission bindings (Event Grid's resource model, eventgrid.md 2.1-2.4),
// and the rules that turn them into what one client may do.
//
// Built once at start-up by adding resources in any order except that a
// binding comes after the group and topic space it names; each add_* checks
// names, limits and references and says what is wrong (model_error.field
// names the offending key of the resource, for file:line:key messages).
// Then it is read-only: find_client() and grants_for() may be called from
// any thread at once.
//
// Authorization rule (eventgrid.md 2.4): a client may publish to T if some
// group holding it has a Publisher binding on a topic space whose template,
// after substituting the client's values, matches T; it may subscribe to F
// if a Subscriber template covers F (client_grants.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "namespace/client.hpp"
#include "namespace/client_grants.hpp"
#include "namespace/group_query.hpp"
#include "namespace/names.hpp"
#include "namespace/topic_template.hpp"

namespace gridmq::ns {

enum class permission : std::uint8_t { publisher, subscriber };

struct client_group {
  std::string name;
  group_query query;
};

struct topic_space {
  std::string name;
  std::vector<topic_template> templates;
};

struct permission_binding {
  std::string name;
  std::string client_group;  // a group's name or "$all"
  std::string topic_space;
  ns::permission permission = permission::publisher;
};

struct model_error {
  std::string field;  // "name", "authentication_name", "attributes", "query", "topic_templates", ...
  std::string what;
};

// The built-in group of every client (eventgrid.md 2.1).
inline constexpr std::string_view all_clients_group = "$all";

class namespace_model {
 public:
  namespace_model() = default;
  explicit namespace_model(namespace_limits limits) : limits_(limits) {}

  std::optional<model_error> add_client(client c);
  std::optional<model_error> add_client_group(std::string name, std::string_view query);
  // Each template is parsed; `field` of an error is "topic_templates[i]".
  std::optional<model_error> add_topic_space(std::string name, const std::vector<std::string>& templates);
  std::optional<model_error> add_permission_binding(permission_binding b);

  // True once any resource is configured: authorization is then enforced.
  bool enabled() const noexcept { return !clients_.empty() || !bindings_.empty(); }

  // The client whose authentication name is `authentication_name`,
  // compared case-insensitively; null if none.
  const client* find_client(std::string_view authentication_name) const;
  bool is_member(const client& c, std::string_view group) const;
  client_grants grants_for(const client& c) const;

  const namespace_limits& limits() const noexcept { return limits_; }
  std::size_t client_count() const noexcept { return clients_.size(); }

 private:
  const client_group* find_group(std::string_view name) const;
  const topic_space* find_space(std::string_view name) const;

  namespace_limits limits_;
  std::vector<client> clients_;
  std::unordered_map<std::string, std::size_t> by_authentication_name_;  // folded case -> index
  std::unordered_map<std::string, std::size_t> by_name_;
  std::vector<client_group> groups_;
  std::vector<topic_space> spaces_;
  std::vector<permission_binding> bindings_;
};

}  // namespace gridmq::ns
