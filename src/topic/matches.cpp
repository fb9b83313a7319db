#include "topic/matches.hpp"

#include "topic/levels.hpp"

namespace gridmq::topic {

bool matches(std::string_view filter, std::string_view topic) noexcept {
  if (filter.empty() || topic.empty()) return false;
  // [MQTT-4.7.2-1] root-level wildcards never reach the server's '$' topics.
  if (topic.front() == '$' && (filter.front() == '#' || filter.front() == '+')) return false;

  level_cursor f(filter);
  level_cursor t(topic);
  while (!f.done()) {
    const std::string_view want = f.next();
    // [MQTT-4.7.1-2] '#' matches the parent level and everything below it,
    // so it succeeds even when the topic has no level left.
    if (want == "#") return true;
    if (t.done()) return false;
    const std::string_view got = t.next();
    // [MQTT-4.7.1-3] '+' matches exactly one level, empty or not.
    if (want != "+" && want != got) return false;
  }
  return t.done();
}

}  // namespace gridmq::topic
