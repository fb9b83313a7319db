#include "namespace/topic_template.hpp"

#include <charconv>

#include "topic/validation.hpp"

namespace gridmq::ns {
namespace {

constexpr std::string_view auth_var = "client.authenticationName";
constexpr std::string_view attr_var = "client.attributes.";

bool is_key_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool is_safe_value(std::string_view v) noexcept {
  return !v.empty() && v.find_first_of(std::string_view("/+#\0", 4)) == std::string_view::npos;
}

// The values one piece stands for, for client `c`.
std::vector<std::string> values_of(const topic_template::piece& p, const client& c) {
  using kind = topic_template::piece::kind;
  std::vector<std::string> out;
  if (p.k == kind::text) {
    out.push_back(p.text);
    return out;
  }
  auto add = [&](std::string_view v) {
    if (is_safe_value(v)) out.push_back(std::string(v) + p.suffix);
  };
  if (p.k == kind::authentication_name) {
    add(c.authentication_name.empty() ? c.name : c.authentication_name);
    return out;
  }
  auto it = c.attributes.find(p.text);
  if (it == c.attributes.end()) return out;
  if (const auto* s = std::get_if<std::string>(&it->second)) {
    add(*s);
  } else if (const auto* i = std::get_if<std::int64_t>(&it->second)) {
    add(std::to_string(*i));
  } else {
    for (const auto& e : std::get<std::vector<std::string>>(it->second)) add(e);
  }
  return out;
}

}  // namespace

result<topic_template, std::string> topic_template::parse(std::string_view text) {
  if (text.empty()) return unexpected{std::string("empty topic template")};
  if (text.size() > max_text) return unexpected{"longer than " + std::to_string(max_text) + " bytes"};
  topic_template t;
  t.text_ = std::string(text);
  std::string shape;  // the template with each variable as "v": must be a valid filter
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto open = text.find("${", pos);
    if (open == std::string_view::npos) open = text.size();
    if (open > pos) {
      std::string_view lit = text.substr(pos, open - pos);
      if (pos == 0 && lit.front() == '$') {
        return unexpected{std::string("topics starting with '$' are reserved (Event Grid)")};
      }
      t.pieces_.push_back({piece::kind::text, std::string(lit), {}});
      shape.append(lit);
    }
    if (open == text.size()) break;
    auto close = text.find('}', open);
    if (close == std::string_view::npos) return unexpected{std::string("unterminated ${")};
    std::string_view inner = text.substr(open + 2, close - open - 2);
    std::string suffix;
    if (auto bar = inner.find('|'); bar != std::string_view::npos) {
      suffix = std::string(inner.substr(bar + 1));
      inner = inner.substr(0, bar);
      if (!is_safe_value(suffix)) return unexpected{std::string("text after '|' must not be empty or hold / + #")};
    }
    piece p;
    p.suffix = std::move(suffix);
    if (inner == auth_var) {
      p.k = piece::kind::authentication_name;
    } else if (inner.substr(0, attr_var.size()) == attr_var && inner.size() > attr_var.size()) {
      p.k = piece::kind::attribute;
      p.text = std::string(inner.substr(attr_var.size()));
      for (char c : p.text) {
        if (!is_key_char(c)) return unexpected{"bad attribute name in ${" + std::string(inner) + "}"};
      }
    } else {
      return unexpected{"unknown variable ${" + std::string(inner) +
                        "} (expected client.authenticationName or client.attributes.<name>)"};
    }
    t.pieces_.push_back(std::move(p));
    t.has_variables_ = true;
    shape.append("v");
    pos = close + 1;
  }
  if (!topic::is_valid_topic_filter(shape)) return unexpected{std::string("not a valid MQTT topic filter")};
  return t;
}

void topic_template::substitute(const client& c, std::vector<std::string>& out) const {
  std::vector<std::string> partial{std::string{}};
  for (const auto& p : pieces_) {
    auto values = values_of(p, c);
    if (values.empty()) return;  // missing or refused: no filter for this client
    std::vector<std::string> next;
    for (const auto& head : partial) {
      for (const auto& v : values) {
        if (next.size() == max_expansions) break;
        next.push_back(head + v);
      }
    }
    partial = std::move(next);
  }
  for (auto& f : partial) {
    if (!f.empty() && f.front() == '$') continue;  // reserved, never granted
    out.push_back(std::move(f));
  }
}

}  // namespace gridmq::ns
