#include "topic/validation.hpp"

#include "topic/levels.hpp"

namespace gridmq::topic {

bool is_valid_topic_name(std::string_view name) noexcept {
  // [MQTT-4.7.3-1] at least one character; a two-byte length caps the size.
  if (name.empty() || name.size() > max_topic_bytes) return false;
  for (const char c : name) {
    // [MQTT-4.7.1-1] wildcards are for filters only; [MQTT-4.7.3-2] no U+0000.
    if (c == '+' || c == '#' || c == '\0') return false;
  }
  return true;
}

namespace {

bool is_valid_filter_level(std::string_view level, bool is_last) noexcept {
  if (level.find('\0') != std::string_view::npos) return false;  // [MQTT-4.7.3-2]
  // [MQTT-4.7.1-2] '#' occupies a whole level and is the last one.
  if (level.find('#') != std::string_view::npos) return level == "#" && is_last;
  // [MQTT-4.7.1-3] '+' occupies a whole level.
  if (level.find('+') != std::string_view::npos) return level == "+";
  return true;
}

}  // namespace

bool is_valid_topic_filter(std::string_view filter) noexcept {
  // [MQTT-4.7.3-1] at least one character.
  if (filter.empty() || filter.size() > max_topic_bytes) return false;
  level_cursor levels(filter);
  std::size_t count = 0;
  while (!levels.done()) {
    const std::string_view level = levels.next();
    if (++count > max_filter_levels) return false;
    if (!is_valid_filter_level(level, levels.done())) return false;
  }
  return true;
}

share_parse parse_shared(std::string_view filter, shared_filter& out) noexcept {
  constexpr std::string_view prefix = "$share/";
  if (!filter.starts_with(prefix)) return share_parse::not_shared;
  const std::string_view rest = filter.substr(prefix.size());
  const std::size_t slash = rest.find('/');
  // [MQTT-4.8.2-2] the ShareName is followed by '/' and then a Topic Filter.
  if (slash == std::string_view::npos) return share_parse::invalid;
  const std::string_view group = rest.substr(0, slash);
  const std::string_view inner = rest.substr(slash + 1);
  // [MQTT-4.8.2-1] the ShareName is at least one character long.
  if (group.empty()) return share_parse::invalid;
  // [MQTT-4.8.2-2] no '/', '+' or '#' in the ShareName ('/' cannot occur here).
  if (group.find_first_of("+#") != std::string_view::npos) return share_parse::invalid;
  if (group.find('\0') != std::string_view::npos) return share_parse::invalid;
  if (!is_valid_topic_filter(inner)) return share_parse::invalid;
  out = shared_filter{group, inner};
  return share_parse::shared;
}

}  // namespace gridmq::topic
