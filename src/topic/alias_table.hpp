// Outbound topic aliases ([MQTT-3.3.2.3.4]): the broker's choice of alias for
// each topic it sends to one connection, up to the client's Topic Alias
// Maximum ([MQTT-3.3.2-9]: never above it).
//
// Replacement policy: least recently used. A new topic takes a free alias
// while there is one, then the alias whose topic was sent least recently.
// The table lives for one network connection ([MQTT-3.3.2-10]: aliases do
// not survive it) and is not thread-safe (the session's lock guards it).
// Its storage is allocated on first use: most clients allow no aliases and
// every session holds a table.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
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
    t_.reset();
  }

  // The alias to use for `topic`, assigning or replacing one as needed.
  choice use(std::string_view topic) {
    if (maximum_ == 0) return {};
    if (!t_) t_ = std::make_unique<tables>();
    auto& by_topic = t_->by_topic;
    auto& lru = t_->lru;
    auto it = by_topic.find(topic);
    if (it != by_topic.end()) {
      lru.splice(lru.begin(), lru, it->second.position);
      return {it->second.alias, false};
    }
    std::uint16_t alias;
    if (by_topic.size() < maximum_) {
      alias = static_cast<std::uint16_t>(by_topic.size() + 1);
    } else {
      const std::string& victim = lru.back();
      alias = by_topic.at(victim).alias;
      by_topic.erase(victim);
      lru.pop_back();
    }
    lru.emplace_front(topic);
    by_topic.emplace(lru.front(), entry{alias, lru.begin()});
    return {alias, true};
  }

  std::size_t size() const noexcept { return t_ ? t_->by_topic.size() : 0; }

 private:
  struct string_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  struct entry {
    std::uint16_t alias;
    std::list<std::string>::iterator position;
  };
  struct tables {
    std::list<std::string> lru;  // most recently used first
    std::unordered_map<std::string, entry, string_hash, std::equal_to<>> by_topic;
  };
  std::uint16_t maximum_;
  std::unique_ptr<tables> t_;  // null until the first alias is chosen
};

}  // namespace gridmq::topic
