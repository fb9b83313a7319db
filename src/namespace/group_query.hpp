// A client group's query (Event Grid's client group query language,
// eventgrid.md 2.2), parsed once and evaluated against a client.
//
// Grammar (keywords case-insensitive; `and` binds tighter than `or`):
//   query      := or
//   or         := and ( "or" and )*
//   and        := unary ( "and" unary )*
//   unary      := "not" unary | "(" query ")" | comparison
//   comparison := operand op value | operand "in" "[" value ( "," value )* "]"
//   operand    := "attributes." KEY | "authenticationName"
//   op         := "=" | "<>" | "!=" | "<" | ">" | "<=" | ">="
//   value      := 'text' | "text" | integer
// Meaning: `=` on an array attribute is true when the array holds the value
// (Event Grid's examples imply it); `<` `>` `<=` `>=` compare integers only
// (a string operand is a parse error); a missing attribute makes every
// comparison false, so `not` of it is true. authenticationName compares
// case-insensitively, as authentication names do. `not` is our extension
// (Event Grid lists none; it costs nothing and reads naturally).
//
// Limits: the query text is at most 2048 bytes and nests at most 32 deep,
// so parsing and evaluating are bounded. Threads: immutable after parse.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/result.hpp"
#include "namespace/client.hpp"

namespace gridmq::ns {

class group_query {
 public:
  enum class op : std::uint8_t { eq, ne, lt, gt, le, ge, in };
  using literal = std::variant<std::string, std::int64_t>;

  struct node;
  using node_ptr = std::shared_ptr<const node>;
  struct node {
    enum class kind : std::uint8_t { all_of, any_of, negate, compare } k = kind::compare;
    std::vector<node_ptr> children;  // all_of / any_of: 2+, negate: 1
    bool authentication_name = false;  // operand: authenticationName, else attributes.<key>
    std::string key;
    op o = op::eq;
    std::vector<literal> values;  // one, or the IN list
  };

  static constexpr std::size_t max_text = 2048;
  static constexpr std::size_t max_depth = 32;

  // The query, or what is wrong with it and at which character.
  static result<group_query, std::string> parse(std::string_view text);

  bool matches(const client& c) const;
  const std::string& text() const noexcept { return text_; }

 private:
  group_query(std::string text, node_ptr root) : text_(std::move(text)), root_(std::move(root)) {}
  std::string text_;
  node_ptr root_;
};

}  // namespace gridmq::ns
