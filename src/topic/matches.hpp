// The reference topic matcher: one filter against one topic name, no index.
// The broker uses it for retained-message lookup (one new filter against every
// retained topic) and the tests use it as the oracle for subscription_index.
#pragma once

#include <string_view>

namespace gridmq::topic {

// True if `filter` matches `topic`. Both are expected to be valid (see
// validation.hpp); for invalid input the answer is false or merely
// structural, never undefined.
// - '+' matches exactly one level, which may be empty ([MQTT-4.7.1-3]).
// - '#' matches its parent level and any number of levels below it
//   ([MQTT-4.7.1-2]): "sport/#" matches "sport" and "sport/a/b".
// - [MQTT-4.7.2-1] a filter starting with '#' or '+' does not match a topic
//   starting with '$'.
bool matches(std::string_view filter, std::string_view topic) noexcept;

}  // namespace gridmq::topic
