#include "broker/retained_store.hpp"

#include "broker/persistence.hpp"
#include "topic/matches.hpp"
#include "topic/validation.hpp"

namespace gridmq::broker {

retained_store::store_result retained_store::store(const session::message_ptr& m) {
  std::lock_guard lock(mutex_);
  if (m->payload_size() == 0) {
    if (by_topic_.erase(m->topic) != 0 && durable_ != nullptr) durable_->retained_deleted(m->topic);
    return store_result::deleted;
  }
  auto it = by_topic_.find(m->topic);
  if (it != by_topic_.end()) {
    it->second = m;
  } else {
    if (by_topic_.size() >= max_) return store_result::full;
    by_topic_.emplace(m->topic, m);
  }
  if (durable_ != nullptr) durable_->retained_stored(m);
  return store_result::stored;
}

void retained_store::restore(const session::message_ptr& m) {
  std::lock_guard lock(mutex_);
  by_topic_[m->topic] = m;
}

std::vector<session::message_ptr> retained_store::matching(std::string_view filter,
                                                           session::clock::time_point now) const {
  std::vector<session::message_ptr> out;
  std::lock_guard lock(mutex_);
  for (const auto& [topic, m] : by_topic_) {
    if (!m->is_expired(now) && topic::matches(filter, topic)) out.push_back(m);
  }
  return out;
}

std::size_t retained_store::purge_expired(session::clock::time_point now) {
  std::lock_guard lock(mutex_);
  return std::erase_if(by_topic_, [&](const auto& kv) {
    if (!kv.second->is_expired(now)) return false;
    if (durable_ != nullptr) durable_->retained_deleted(kv.first);
    return true;
  });
}

std::size_t retained_store::size() const {
  std::lock_guard lock(mutex_);
  return by_topic_.size();
}

}  // namespace gridmq::broker
