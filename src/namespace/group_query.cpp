// Design note: a recursive-descent parser over a tiny tokenizer. Depth is
// capped (max_depth) so a hostile configuration cannot exhaust the stack,
// and evaluation walks the same bounded tree.
#include "namespace/group_query.hpp"

#include <algorithm>
#include <charconv>
#include <optional>

#include "namespace/names.hpp"

namespace gridmq::ns {
namespace {

using node = group_query::node;
using node_ptr = group_query::node_ptr;
using op = group_query::op;
using literal = group_query::literal;

bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
           return lower(x) == lower(y);
         });
}

bool is_word_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
}

class parser {
 public:
  explicit parser(std::string_view text) : s_(text) {}

  result<node_ptr, std::string> run() {
    auto root = parse_or(0);
    if (!error_.empty()) return unexpected{error_};
    skip_space();
    if (pos_ != s_.size()) return unexpected{where() + "unexpected '" + std::string(s_.substr(pos_, 12)) + "'"};
    return root;
  }

 private:
  std::string where() const { return "at character " + std::to_string(pos_ + 1) + ": "; }
  node_ptr fail(std::string what) {
    if (error_.empty()) error_ = where() + std::move(what);
    return nullptr;
  }
  void skip_space() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
  }
  // A keyword (and, or, not, in) as a whole word.
  bool take_keyword(std::string_view kw) {
    skip_space();
    if (s_.size() - pos_ < kw.size() || !iequals(s_.substr(pos_, kw.size()), kw)) return false;
    std::size_t end = pos_ + kw.size();
    if (end < s_.size() && is_word_char(s_[end])) return false;
    pos_ = end;
    return true;
  }
  bool take(std::string_view sym) {
    skip_space();
    if (s_.substr(pos_, sym.size()) != sym) return false;
    pos_ += sym.size();
    return true;
  }

  node_ptr combine(node::kind k, node_ptr first, std::string_view kw, std::size_t depth) {
    std::vector<node_ptr> parts{std::move(first)};
    while (error_.empty() && take_keyword(kw)) {
      parts.push_back(k == node::kind::any_of ? parse_and(depth) : parse_unary(depth));
    }
    if (!error_.empty()) return nullptr;
    if (parts.size() == 1) return std::move(parts.front());
    auto n = std::make_shared<node>();
    n->k = k;
    n->children = std::move(parts);
    return n;
  }
  node_ptr parse_or(std::size_t depth) {
    if (depth > group_query::max_depth) return fail("nested too deeply");
    auto first = parse_and(depth);
    return error_.empty() ? combine(node::kind::any_of, std::move(first), "or", depth) : nullptr;
  }
  node_ptr parse_and(std::size_t depth) {
    auto first = parse_unary(depth);
    return error_.empty() ? combine(node::kind::all_of, std::move(first), "and", depth) : nullptr;
  }
  node_ptr parse_unary(std::size_t depth) {
    if (depth > group_query::max_depth) return fail("nested too deeply");
    if (take_keyword("not")) {
      auto inner = parse_unary(depth + 1);
      if (!inner) return nullptr;
      auto n = std::make_shared<node>();
      n->k = node::kind::negate;
      n->children.push_back(std::move(inner));
      return n;
    }
    if (take("(")) {
      auto inner = parse_or(depth + 1);
      if (!inner) return nullptr;
      if (!take(")")) return fail("expected ')'");
      return inner;
    }
    return parse_comparison();
  }

  node_ptr parse_comparison() {
    skip_space();
    std::size_t start = pos_;
    while (pos_ < s_.size() && is_word_char(s_[pos_])) ++pos_;
    std::string_view word = s_.substr(start, pos_ - start);
    auto n = std::make_shared<node>();
    constexpr std::string_view prefix = "attributes.";
    if (iequals(word, "authenticationName")) {
      n->authentication_name = true;
    } else if (word.size() > prefix.size() && iequals(word.substr(0, prefix.size()), prefix)) {
      n->key = std::string(word.substr(prefix.size()));
      if (auto p = attribute_key_problem(n->key); !p.empty()) return fail(p);
    } else {
      pos_ = start;
      return fail("expected attributes.<name> or authenticationName");
    }
    if (take_keyword("in")) return parse_in_list(std::move(n));
    static constexpr std::pair<std::string_view, op> ops[] = {{"<=", op::le}, {">=", op::ge}, {"<>", op::ne},
                                                              {"!=", op::ne}, {"=", op::eq},  {"<", op::lt},
                                                              {">", op::gt}};
    bool found = false;
    for (const auto& [sym, o] : ops) {
      if (take(sym)) {
        n->o = o;
        found = true;
        break;
      }
    }
    if (!found) return fail("expected a comparison (=, <>, !=, <, >, <=, >=) or IN");
    auto v = parse_value();
    if (!v) return nullptr;
    bool relational = n->o == op::lt || n->o == op::gt || n->o == op::le || n->o == op::ge;
    if (relational && (n->authentication_name || !std::holds_alternative<std::int64_t>(*v))) {
      return fail("<, >, <= and >= compare integers only");
    }
    n->values.push_back(std::move(*v));
    return n;
  }

  node_ptr parse_in_list(std::shared_ptr<node> n) {
    n->o = op::in;
    if (!take("[") && !take("(")) return fail("expected '[' after IN");
    char close = s_[pos_ - 1] == '[' ? ']' : ')';
    do {
      auto v = parse_value();
      if (!v) return nullptr;
      n->values.push_back(std::move(*v));
    } while (take(","));
    if (!take(std::string_view(&close, 1))) return fail(std::string("expected '") + close + "'");
    return n;
  }

  std::optional<literal> parse_value() {
    skip_space();
    if (pos_ < s_.size() && (s_[pos_] == '\'' || s_[pos_] == '"')) {
      char quote = s_[pos_++];
      auto end = s_.find(quote, pos_);
      if (end == std::string_view::npos) {
        fail("unterminated string");
        return std::nullopt;
      }
      std::string v(s_.substr(pos_, end - pos_));
      pos_ = end + 1;
      return literal{std::move(v)};
    }
    std::int64_t i = 0;
    auto [p, ec] = std::from_chars(s_.data() + pos_, s_.data() + s_.size(), i);
    if (ec != std::errc{}) {
      fail("expected a quoted string or an integer");
      return std::nullopt;
    }
    pos_ = static_cast<std::size_t>(p - s_.data());
    return literal{i};
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  std::string error_;
};

bool equal_value(const attribute_value& a, const literal& v, bool fold) {
  if (const auto* s = std::get_if<std::string>(&a)) {
    const auto* w = std::get_if<std::string>(&v);
    return w != nullptr && (fold ? iequals(*s, *w) : *s == *w);
  }
  if (const auto* i = std::get_if<std::int64_t>(&a)) {
    const auto* w = std::get_if<std::int64_t>(&v);
    return w != nullptr && *i == *w;
  }
  const auto* w = std::get_if<std::string>(&v);
  if (w == nullptr) return false;
  const auto& arr = std::get<std::vector<std::string>>(a);
  return std::find(arr.begin(), arr.end(), *w) != arr.end();
}

bool compare(const node& n, const attribute_value& a) {
  switch (n.o) {
    case op::eq: return equal_value(a, n.values.front(), n.authentication_name);
    case op::ne: return !equal_value(a, n.values.front(), n.authentication_name);
    case op::in:
      return std::any_of(n.values.begin(), n.values.end(),
                         [&](const literal& v) { return equal_value(a, v, n.authentication_name); });
    case op::lt: case op::gt: case op::le: case op::ge: {
      const auto* i = std::get_if<std::int64_t>(&a);
      if (i == nullptr) return false;
      auto w = std::get<std::int64_t>(n.values.front());
      return n.o == op::lt ? *i < w : n.o == op::gt ? *i > w : n.o == op::le ? *i <= w : *i >= w;
    }
  }
  return false;
}

bool evaluate(const node& n, const client& c) {
  switch (n.k) {
    case node::kind::all_of:
      return std::all_of(n.children.begin(), n.children.end(), [&](const node_ptr& x) { return evaluate(*x, c); });
    case node::kind::any_of:
      return std::any_of(n.children.begin(), n.children.end(), [&](const node_ptr& x) { return evaluate(*x, c); });
    case node::kind::negate: return !evaluate(*n.children.front(), c);
    case node::kind::compare: break;
  }
  if (n.authentication_name) {
    const auto& name = c.authentication_name.empty() ? c.name : c.authentication_name;
    return compare(n, attribute_value{name});
  }
  auto it = c.attributes.find(n.key);
  return it != c.attributes.end() && compare(n, it->second);
}

}  // namespace

result<group_query, std::string> group_query::parse(std::string_view text) {
  if (text.size() > max_text) return unexpected{"longer than " + std::to_string(max_text) + " bytes"};
  auto root = parser(text).run();
  if (!root) return unexpected{root.error()};
  return group_query(std::string(text), std::move(*root));
}

bool group_query::matches(const client& c) const { return evaluate(*root_, c); }

}  // namespace gridmq::ns
