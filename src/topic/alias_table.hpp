// Outbound topic aliases ([MQTT-3.3.2.3.4]): the broker's choice of alias for
// each topic it sends to one connection, up to the client's Topic Alias
// Maximum ([MQTT-3.3.2-9]: never above it).
//
// Replacement policy: least recently used. A new topic takes a free alias
// while there is one, then the alias whose topic was sent least recently.
// The table lives for one network connection ([MQTT-3.3.2-10]: aliases do
// not survive it) and is not thread-safe (the session's lock guards it).
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>

namespace gridmq::topic {

class alias_table {
 public:
  struct choice {
    std::uint16_t alias = 0;  // 0: send without an alias
    bool send_topic = true;   // false: the client knows this alias already
  };

  explicit alias_table(std::uint16_t maximum = 0) : maximum_(maximum) {}

  void reset(std::uint16_t maximum) {
    maximum_ = maximum;
    by_topic_.clear();
    lru_.clear();
  }

  // The alias to use for `topic`, assigning or replacing one as needed.
  choice use(std::string_view topic) {
    if (maximum_ == 0) return {};
    auto it = by_topic_.find(topic);
    if (it != by_topic_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second.position);
      return {it->second.alias, false};
    }
    std::uint16_t alias;
    if (by_topic_.size() < maximum_) {
      alias = static_cast<std::uint16_t>(by_topic_.size() + 1);
    } else {
      const std::string& victim = lru_.back();
      alias = by_topic_.at(victim).alias;
      by_topic_.erase(victim);
      lru_.pop_back();
    }
    lru_.emplace_front(topic);
    by_topic_.emplace(lru_.front(), entry{alias, lru_.begin()});
    return {alias, true};
  }

  std::size_t size() const noexcept { return by_topic_.size(); }

 private:
  struct string_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  struct entry {
    std::uint16_t alias;
    std::list<std::string>::iterator position;
  };
  std::uint16_t maximum_;
  std::list<std::string> lru_;  // most recently used first
  std::unordered_map<std::string, entry, string_hash, std::equal_to<>> by_topic_;
};

}  // namespace gridmq::topic
