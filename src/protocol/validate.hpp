// UTF-8 rules of MQTT ([MQTT-1.5.4-1..3]): well-formed UTF-8, no U+0000, no
// UTF-16 surrogates (ill-formed in UTF-8 anyway).
#pragma once

#include <string_view>

namespace gridmq::protocol {

bool is_valid_mqtt_utf8(std::string_view s) noexcept;

// True when a topic holds a wildcard character, which a Topic Name may not
// ([MQTT-3.3.2-2], [MQTT-4.7.1-1]). Full topic validation is topic/'s job.
// (A plain loop: string_view::find_first_of calls memchr once per character.)
constexpr bool has_wildcard(std::string_view topic) noexcept {
  for (char c : topic) {
    if (c == '+' || c == '#') return true;
  }
  return false;
}

}  // namespace gridmq::protocol
