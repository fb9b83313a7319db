#include "namespace/client_grants.hpp"

#include "topic/levels.hpp"
#include "topic/matches.hpp"
#include "topic/validation.hpp"

namespace gridmq::ns {

bool covers(std::string_view granted, std::string_view filter) noexcept {
  if (!filter.empty() && filter.front() == '$' && !granted.empty() && (granted.front() == '+' || granted.front() == '#')) {
    return false;  // [MQTT-4.7.2-1]
  }
  topic::level_cursor g(granted);
  topic::level_cursor f(filter);
  while (!g.done()) {
    std::string_view gl = g.next();
    if (gl == "#") return true;  // covers this level, its parent and everything below
    if (f.done()) return false;  // `filter` ended; `granted` needs more levels
    std::string_view fl = f.next();
    if (fl == "#") return false;  // only '#' covers '#'
    if (gl == "+") continue;      // one level of anything ('#' handled above)
    if (fl == "+" || fl != gl) return false;
  }
  return f.done();
}

bool client_grants::may_publish(std::string_view topic) const noexcept {
  for (const auto& f : publish_) {
    if (topic::matches(f, topic)) return true;
  }
  return false;
}

bool client_grants::may_subscribe(std::string_view filter) const noexcept {
  topic::shared_filter shared;
  if (topic::parse_shared(filter, shared) == topic::share_parse::shared) filter = shared.filter;
  for (const auto& g : subscribe_) {
    if (covers(g, filter)) return true;
  }
  return false;
}

}  // namespace gridmq::ns
