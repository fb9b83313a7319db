#include "store/write_batch.hpp"

#include <utility>

namespace gridmq::store {

namespace {
// A fixed overhead per operation stands in for keys and record headers.
constexpr std::size_t op_overhead = 32;

std::size_t message_bytes(const message_record& m) {
  return m.topic.size() + (m.payload ? m.payload->size() : 0) + op_overhead;
}
}  // namespace

void write_batch::add(operation o, std::size_t bytes) {
  ops_.push_back(std::move(o));
  bytes_ += bytes;
}

void write_batch::put_session(session_record r) {
  const std::size_t n = r.client_id.size() + (r.will ? r.will->topic.size() + (r.will->payload ? r.will->payload->size() : 0) : 0);
  add(op::put_session{std::move(r)}, n + op_overhead);
}

void write_batch::delete_session(std::string client_id) {
  const std::size_t n = client_id.size();
  add(op::delete_session{std::move(client_id)}, n + op_overhead);
}

void write_batch::put_subscription(subscription_record r) {
  const std::size_t n = r.client_id.size() + r.filter.size();
  add(op::put_subscription{std::move(r)}, n + op_overhead);
}

void write_batch::delete_subscription(std::string client_id, std::string filter) {
  const std::size_t n = client_id.size() + filter.size();
  add(op::delete_subscription{std::move(client_id), std::move(filter)}, n + op_overhead);
}

void write_batch::put_message(message_record r) {
  const std::size_t n = message_bytes(r);
  add(op::put_message{std::move(r)}, n);
}

void write_batch::put_queue_entry(queue_entry e) {
  const std::size_t n = e.client_id.size() + 4 * e.subscription_ids.size();
  add(op::put_queue_entry{std::move(e)}, n + op_overhead);
}

void write_batch::delete_queue_entry(std::string client_id, std::uint64_t sequence) {
  const std::size_t n = client_id.size();
  add(op::delete_queue_entry{std::move(client_id), sequence}, n + op_overhead);
}

void write_batch::put_inbound_qos2(std::string client_id, std::uint16_t packet_id) {
  const std::size_t n = client_id.size();
  add(op::put_inbound_qos2{inbound_qos2{std::move(client_id), packet_id}}, n + op_overhead);
}

void write_batch::delete_inbound_qos2(std::string client_id, std::uint16_t packet_id) {
  const std::size_t n = client_id.size();
  add(op::delete_inbound_qos2{std::move(client_id), packet_id}, n + op_overhead);
}

void write_batch::put_retained(message_record m) {
  const std::size_t n = message_bytes(m);
  add(op::put_retained{retained_record{std::move(m)}}, n);
}

void write_batch::delete_retained(std::string topic) {
  const std::size_t n = topic.size();
  add(op::delete_retained{std::move(topic)}, n + op_overhead);
}

void write_batch::append(write_batch&& other) {
  ops_.reserve(ops_.size() + other.ops_.size());
  for (operation& o : other.ops_) ops_.push_back(std::move(o));
  bytes_ += other.bytes_;
  other.ops_.clear();
  other.bytes_ = 0;
}

}  // namespace gridmq::store
