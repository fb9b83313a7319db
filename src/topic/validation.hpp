// Topic name and topic filter rules (MQTT 3.1.1 section 4.7, MQTT 5.0 section
// 4.7 and 4.8.2). These check structure only: UTF-8 well-formedness is the
// codec's job, and so is the 65535-byte limit of an encoded string, which is
// repeated here so that names built inside the broker are held to it too.
#pragma once

#include <cstddef>
#include <string_view>

namespace gridmq::topic {

// Largest topic name or filter the protocol can carry (a two-byte length).
inline constexpr std::size_t max_topic_bytes = 65535;

// Server limit, not a spec rule: a filter may have at most this many levels.
// The subscription index recurses once per '+' level when it matches, and its
// depth is the depth of the deepest filter, so this bounds stack use. No real
// client comes near it (Mosquitto stops at 200). A filter over the limit is
// reported invalid: v5 SUBACK 0x8F "Topic Filter invalid", v3 0x80.
inline constexpr std::size_t max_filter_levels = 1024;

// [MQTT-4.7.3-1] non-empty, [MQTT-4.7.1-1]/[MQTT-3.3.2-2] no '+' or '#',
// [MQTT-4.7.3-3] at most 65535 bytes, [MQTT-4.7.3-2] no U+0000.
bool is_valid_topic_name(std::string_view name) noexcept;

// [MQTT-4.7.3-1] non-empty, [MQTT-4.7.1-2] '#' only as the whole last level,
// [MQTT-4.7.1-3] '+' only as a whole level, [MQTT-4.7.3-2] no U+0000,
// at most 65535 bytes and max_filter_levels levels.
bool is_valid_topic_filter(std::string_view filter) noexcept;

// A shared subscription's filter split in two: "$share/{group}/{filter}".
// Both views point into the string given to parse_shared.
struct shared_filter {
  std::string_view group;
  std::string_view filter;
};

enum class share_parse { not_shared, shared, invalid };

// Recognises "$share/{group}/{filter}" ([MQTT-4.8.2-1]): the group is
// non-empty and holds no '/', '+' or '#' ([MQTT-4.8.2-2]), the filter is a
// valid, non-empty topic filter. `out` is written only when the result is
// share_parse::shared. A filter that does not start with "$share/" is
// not_shared, even "$share" alone: that is an ordinary (if odd) filter.
share_parse parse_shared(std::string_view filter, shared_filter& out) noexcept;

}  // namespace gridmq::topic
