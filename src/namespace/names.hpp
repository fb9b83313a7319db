// Event Grid's naming rules and namespace limits (eventgrid.md 2.1, 5.1),
// as checks that return what is wrong, for configuration errors.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "namespace/client.hpp"

namespace gridmq::ns {

struct namespace_limits {
  std::size_t max_clients = 10000;         // Event Grid: 10,000 per throughput unit
  std::size_t max_client_groups = 10;      // besides the built-in $all
  std::size_t max_topic_spaces = 10;
  std::size_t max_templates_per_space = 10;
  std::size_t max_permission_bindings = 100;
  std::size_t max_attribute_bytes = 4096;  // per client, keys + values ("< 4 KB")
};

// Each returns an empty string when `s` is acceptable, else the reason.
// Client name: 1-128 characters of [A-Za-z0-9-:._].
std::string client_name_problem(std::string_view s);
// Authentication name: 1-128 characters of any UTF-8 (counted in bytes
// here: the codec has already checked UTF-8 of what arrives on the wire).
std::string authentication_name_problem(std::string_view s);
// Client group, topic space and permission binding names: 3-50 of [A-Za-z0-9-].
std::string resource_name_problem(std::string_view s);
// Attribute key: non-empty [A-Za-z0-9_].
std::string attribute_key_problem(std::string_view s);
// Attributes of one client: keys, value types and the total size.
std::string attributes_problem(const attribute_map& a, const namespace_limits& limits);

// ASCII case folding: authentication names are compared case-insensitively
// (eventgrid.md 1.3). Non-ASCII bytes are compared as they are.
std::string fold_case(std::string_view s);

}  // namespace gridmq::ns
