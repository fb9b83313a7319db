// write_batch: the operations of one atomic change to the store, in order.
//
// A batch is built by one thread (usually a network worker, under the lock of
// the session it changes) and then handed to store::commit(), which applies
// it all or nothing. Building a batch touches no disk and takes no lock; the
// records are moved in, and payloads are shared (payload_ptr), never copied.
//
// Rules the store checks when it applies a batch (a violation fails the whole
// batch with store_error_code::invalid_batch, nothing applied):
// - put_subscription / put_queue_entry / put_inbound_qos2 need the session of
//   their client id to exist (put earlier in this batch or in an earlier one);
// - put_queue_entry needs its message to exist (put_message in this batch or
//   still referenced from an earlier one).
// Messages are reference counted: a message lives while at least one queue
// entry points to it, and is deleted with the last one, at the end of the
// batch that drops it. A put_message that no entry references by the end of
// its batch is not stored at all. Putting a message that is already stored is
// a no-op (messages are immutable). Deletes of absent records are no-ops.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "store/records.hpp"

namespace gridmq::store {

namespace op {
struct put_session { session_record record; };
// Deletes the session and everything keyed by its client id: subscriptions,
// queue entries (dropping their message references) and inbound QoS 2 ids.
struct delete_session { std::string client_id; };
struct put_subscription { subscription_record record; };
struct delete_subscription { std::string client_id; std::string filter; };
struct put_message { message_record record; };
// Inserts or replaces the entry (client_id, sequence).
struct put_queue_entry { queue_entry entry; };
struct delete_queue_entry { std::string client_id; std::uint64_t sequence = 0; };
struct put_inbound_qos2 { inbound_qos2 record; };
struct delete_inbound_qos2 { std::string client_id; std::uint16_t packet_id = 0; };
struct put_retained { retained_record record; };
struct delete_retained { std::string topic; };
}  // namespace op

using operation = std::variant<op::put_session, op::delete_session, op::put_subscription, op::delete_subscription,
                               op::put_message, op::put_queue_entry, op::delete_queue_entry, op::put_inbound_qos2,
                               op::delete_inbound_qos2, op::put_retained, op::delete_retained>;

class write_batch {
 public:
  void put_session(session_record r);
  void delete_session(std::string client_id);
  void put_subscription(subscription_record r);
  void delete_subscription(std::string client_id, std::string filter);
  void put_message(message_record r);
  void put_queue_entry(queue_entry e);
  void delete_queue_entry(std::string client_id, std::uint64_t sequence);
  void put_inbound_qos2(std::string client_id, std::uint16_t packet_id);
  void delete_inbound_qos2(std::string client_id, std::uint16_t packet_id);
  void put_retained(message_record m);
  void delete_retained(std::string topic);
  // Appends the operations of `other`, in order (as if made on this batch).
  void append(write_batch&& other);

  // A relaxed batch needs no fsync before its callback, whatever the
  // durability level: it reaches the write-ahead log (so a crash of the
  // process keeps it) but power loss may take it. For changes whose loss is
  // harmless, such as deleting acknowledged entries (sent again with DUP).
  // A group of relaxed batches only is written without an fsync.
  void set_relaxed(bool r = true) noexcept { relaxed_ = r; }
  bool relaxed() const noexcept { return relaxed_; }

  bool empty() const noexcept { return ops_.empty(); }
  std::size_t size() const noexcept { return ops_.size(); }
  // A rough size in bytes, used to bound one group commit.
  std::size_t approximate_bytes() const noexcept { return bytes_; }
  const std::vector<operation>& operations() const noexcept { return ops_; }

 private:
  void add(operation o, std::size_t bytes);

  std::vector<operation> ops_;
  std::size_t bytes_ = 0;
  bool relaxed_ = false;
};

}  // namespace gridmq::store
