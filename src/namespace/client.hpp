// A registered client of the namespace (Event Grid's "client" resource):
// its name, the authentication name it connects with, its attributes and
// whether it may connect at all.
//
// Plain data, validated when added to a namespace_model (names.hpp says
// which rules). Threads: immutable once in a model; any thread may read it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace gridmq::ns {

// Event Grid attribute values: a string, an integer or an array of strings.
using attribute_value = std::variant<std::string, std::int64_t, std::vector<std::string>>;
// Keys are [A-Za-z0-9_], unique; a sorted map keeps iteration stable.
using attribute_map = std::map<std::string, attribute_value, std::less<>>;

// How a client's certificate proves the authentication name (Event Grid's
// validationScheme). `none`: no certificate is needed (password or anonymous).
enum class certificate_check : std::uint8_t { none, subject, cn, dns, uri, ip, email, thumbprint };

struct client {
  std::string name;                 // 1-128 of [A-Za-z0-9-:._], case-sensitive
  std::string authentication_name;  // 1-128 UTF-8; empty: the name; unique case-insensitively
  attribute_map attributes;
  bool enabled = true;
  certificate_check certificate = certificate_check::none;
  std::vector<std::string> allowed_thumbprints;  // certificate == thumbprint: 1-2 SHA-256 hex digests
};

}  // namespace gridmq::ns
