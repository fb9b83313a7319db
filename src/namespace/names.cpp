#include "namespace/names.hpp"

#include <algorithm>
#include <cstdint>

namespace gridmq::ns {
namespace {

bool is_alnum(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool all_of(std::string_view s, std::string_view extra) noexcept {
  return std::all_of(s.begin(), s.end(), [&](char c) { return is_alnum(c) || extra.find(c) != std::string_view::npos; });
}

std::size_t value_bytes(const attribute_value& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return s->size();
  if (std::holds_alternative<std::int64_t>(v)) return 8;
  std::size_t n = 0;
  for (const auto& e : std::get<std::vector<std::string>>(v)) n += e.size();
  return n;
}

}  // namespace

std::string client_name_problem(std::string_view s) {
  if (s.empty() || s.size() > 128) return "expected 1 to 128 characters";
  if (!all_of(s, "-:._")) return "expected only letters, digits and - : . _";
  return {};
}

std::string authentication_name_problem(std::string_view s) {
  if (s.empty() || s.size() > 128) return "expected 1 to 128 characters";
  if (s.find('\0') != std::string_view::npos) return "must not contain U+0000";
  return {};
}

std::string resource_name_problem(std::string_view s) {
  if (s.size() < 3 || s.size() > 50) return "expected 3 to 50 characters";
  if (!all_of(s, "-")) return "expected only letters, digits and -";
  return {};
}

std::string attribute_key_problem(std::string_view s) {
  if (s.empty()) return "empty attribute name";
  if (!all_of(s, "_")) return "attribute names have only letters, digits and _";
  return {};
}

std::string attributes_problem(const attribute_map& a, const namespace_limits& limits) {
  std::size_t total = 0;
  for (const auto& [key, value] : a) {
    if (auto p = attribute_key_problem(key); !p.empty()) return key + ": " + p;
    if (const auto* i = std::get_if<std::int64_t>(&value)) {
      // Event Grid's integer attributes are 32-bit (JWT claims: "int32").
      if (*i < INT32_MIN || *i > INT32_MAX) return key + ": integer attributes are 32-bit";
    }
    total += key.size() + value_bytes(value);
  }
  if (total >= limits.max_attribute_bytes) {
    return "attributes take " + std::to_string(total) + " bytes; the limit is below " +
           std::to_string(limits.max_attribute_bytes);
  }
  return {};
}

std::string fold_case(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace gridmq::ns
