// A topic space's topic template (eventgrid.md 2.3): an MQTT topic filter
// whose levels may hold variables that take the connecting client's values.
//
//   ${client.authenticationName}      the authentication name, original case
//   ${client.attributes.<key>}        a string or integer attribute; an array
//                                     attribute gives one filter per element
//   ${client.authenticationName|.f1}  text after '|' is appended to the value
//                                     (Event Grid's one example of it)
// A variable is a whole level or part of one, never more than one level.
//
// Substitution refuses values that would change the filter's shape: empty,
// or holding '/', '+', '#' or U+0000 (an attribute "#" must not grant every
// topic). A missing attribute, a refused value, or a result that starts
// with '$' (reserved, eventgrid.md 2.3) gives no filter for that client.
//
// Threads: immutable after parse.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "namespace/client.hpp"

namespace gridmq::ns {

class topic_template {
 public:
  struct piece {
    enum class kind : std::uint8_t { text, authentication_name, attribute } k = kind::text;
    std::string text;    // literal text, or the attribute key
    std::string suffix;  // after '|' inside ${...}
  };

  static constexpr std::size_t max_text = 1024;
  // Array attributes multiply filters; past this many a template yields no
  // more for one client (bounded memory per connection).
  static constexpr std::size_t max_expansions = 64;

  static result<topic_template, std::string> parse(std::string_view text);

  // Appends the client's filters to `out`.
  void substitute(const client& c, std::vector<std::string>& out) const;
  const std::string& text() const noexcept { return text_; }
  bool has_variables() const noexcept { return has_variables_; }

 private:
  topic_template() = default;
  std::string text_;
  std::vector<piece> pieces_;
  bool has_variables_ = false;
};

}  // namespace gridmq::ns
