// Retained messages, one per topic ([MQTT-3.3.1-5]).
//
// Threads: any worker; one mutex, taken only by PUBLISHes with RETAIN=1 and by
// SUBSCRIBEs, never on the ordinary publish path. With a store, each change
// is committed under that mutex, so the store keeps the last one. Lookups are a scan with the
// topic matcher, fine for the retained counts of a device fleet; an index is
// a later optimisation.
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "session/message.hpp"

namespace gridmq::broker {

class persistence;

class retained_store {
 public:
  // `durable`: where changes are written (null: nowhere).
  retained_store(std::size_t max_messages, persistence* durable) : max_(max_messages), durable_(durable) {}

  enum class store_result { stored, deleted, full };
  // An empty payload deletes ([MQTT-3.3.1-10/11]).
  store_result store(const session::message_ptr& m);
  // Live retained messages whose topic matches `filter`.
  std::vector<session::message_ptr> matching(std::string_view filter, session::clock::time_point now) const;
  std::size_t size() const;
  // Drops messages whose Message Expiry Interval has passed ([MQTT-3.3.2-5]);
  // returns how many.
  std::size_t purge_expired(session::clock::time_point now);
  // Recovery: puts a message back without writing it again.
  void restore(const session::message_ptr& m);

 private:
  std::size_t max_;
  persistence* durable_;
  mutable std::mutex mutex_;
  std::map<std::string, session::message_ptr, std::less<>> by_topic_;
};

}  // namespace gridmq::broker
