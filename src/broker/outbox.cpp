#include "broker/outbox.hpp"

#include "broker/push_batch.hpp"

#include <algorithm>
#include <utility>

namespace gridmq::broker {

namespace {

// A frame this small is copied into the chunk at the tail instead of being
// queued as buffers of its own; the tail grows up to coalesce_limit bytes.
constexpr std::size_t coalesce_frame_limit = 1024;
constexpr std::size_t coalesce_limit = 64 * 1024;

bool can_take(const outbound_chunk& tail, std::size_t n) {
  return !tail.payload && tail.bytes.size() + n <= coalesce_limit;
}

}  // namespace

void outbox::append(std::vector<outbound_chunk>& to, std::size_t& bytes, session::frame&& f) {
  const std::size_t n = f.size();
  bytes += n;
  if (n > coalesce_frame_limit) {
    to.push_back(outbound_chunk{std::move(f.bytes), std::move(f.payload)});
    return;
  }
  // Small packets (a QoS 0 stream, acknowledgements) leave as a few large
  // buffers: the worker that writes them gets one contiguous block instead
  // of a buffer, a header allocation and a message reference per packet,
  // each of which it would otherwise free, often on another core than the
  // one that made it. The copy replaces the one the transport made anyway
  // when it flattened many small buffers for one system call.
  if (to.empty() || !can_take(to.back(), n)) {
    to.push_back(outbound_chunk{std::move(f.bytes), nullptr});
    if (f.payload) to.back().bytes += *f.payload;
    return;
  }
  auto& tail = to.back().bytes;
  tail += f.bytes;
  if (f.payload) tail += *f.payload;
}

// One spare queues block per thread. A connection whose output comes in
// separate bursts (a reply now and then, p2p QoS 1) makes its queues at the
// first push of a burst and gives them back at the drain that ends it; the
// spare turns that pair of allocations per burst into two pointer moves.
// A block is spare only when it is as new (checked in drain()).
std::unique_ptr<outbox::queues>& outbox::spare_queues() noexcept {
  thread_local std::unique_ptr<queues> spare;
  return spare;
}

outbox::queues& outbox::q() {
  if (!q_) {
    auto& spare = spare_queues();
    q_ = spare ? std::move(spare) : std::make_unique<queues>();
  }
  return *q_;
}

void outbox::push(session::frame_list& frames) {
  if (frames.empty()) return;
  push_batch::flush_if_for(this);  // this thread's earlier QoS 0 packets go first
  std::lock_guard lock(mutex_);
  if (sink_ == nullptr || closing_) return;
  auto& q = this->q();
  if (!q.has_held()) {
    for (auto& f : frames) append(q.ready, q.ready_bytes, std::move(f));
    note_pending();
    sink_->wake();
    return;
  }
  // Behind a reservation: waits for its fill, which wakes the connection.
  if (!q.held->back().ready) q.held->push_back(segment{0, true, {}});
  for (auto& f : frames) append(q.held->back().chunks, q.held_bytes, std::move(f));
  note_pending();
}

void outbox::push(session::frame&& f) {
  push_batch::flush_if_for(this);
  std::lock_guard lock(mutex_);
  if (sink_ == nullptr || closing_) return;
  auto& q = this->q();
  if (!q.has_held()) {
    append(q.ready, q.ready_bytes, std::move(f));
    note_pending();
    sink_->wake();
    return;
  }
  if (!q.held->back().ready) q.held->push_back(segment{0, true, {}});
  append(q.held->back().chunks, q.held_bytes, std::move(f));
  note_pending();
}

std::uint64_t outbox::reserve() {
  push_batch::flush_if_for(this);
  std::lock_guard lock(mutex_);
  auto& q = this->q();
  if (!q.held) q.held = std::make_unique<std::deque<segment>>();
  // Never 0 (a segment of pushed frames), even after wrapping.
  if (++q.last_ticket == 0) ++q.last_ticket;
  q.held->push_back(segment{q.last_ticket, false, {}});
  return q.last_ticket;
}

bool outbox::release_ready() {
  bool moved = false;
  auto& q = *q_;
  auto& held = *q.held;
  while (!held.empty() && held.front().ready) {
    for (auto& c : held.front().chunks) {
      const std::size_t n = c.bytes.size() + (c.payload ? c.payload->size() : 0);
      q.held_bytes -= n;
      q.ready_bytes += n;
      q.ready.push_back(std::move(c));
    }
    moved = moved || !held.front().chunks.empty();
    held.pop_front();
  }
  return moved;
}

void outbox::fill(std::uint64_t ticket, session::frame_list& frames) {
  std::lock_guard lock(mutex_);
  if (sink_ == nullptr || !has_held()) return;  // gone: the queues were dropped
  auto& held = *q_->held;
  auto it = std::find_if(held.begin(), held.end(), [&](const segment& s) { return s.ticket == ticket; });
  if (it == held.end() || it->ready) return;
  it->ready = true;
  for (auto& f : frames) append(it->chunks, q_->held_bytes, std::move(f));
  const bool moved = release_ready();
  note_pending();
  if (moved) sink_->wake();
  if (held.empty() && close_pending_) {
    close_pending_ = false;
    sink_->close(close_why_);
  }
}

void outbox::drain(std::vector<outbound_chunk>& out) {
  std::lock_guard lock(mutex_);
  if (!q_) return;
  auto& q = *q_;
  if (out.empty()) {
    out.swap(q.ready);
  } else {
    for (auto& c : q.ready) out.push_back(std::move(c));
    q.ready.clear();
  }
  q.ready_bytes = 0;
  // An idle connection keeps nothing; a busy one keeps the storage it
  // swapped in and its reservation queue, so the next burst does not
  // allocate.
  if (q.ready.capacity() == 0 && !q.held) {
    // As new: no storage, no reservation queue, counters at 0.
    q.last_ticket = 0;
    auto& spare = spare_queues();
    if (!spare) {
      spare = std::move(q_);
    } else {
      q_.reset();
    }
  }
  note_pending();
}

void outbox::wake() {
  std::lock_guard lock(mutex_);
  if (sink_ != nullptr && !closing_) sink_->wake();
}

void outbox::close(protocol::reason_code why) {
  push_batch::flush_if_for(this);
  std::lock_guard lock(mutex_);
  if (sink_ == nullptr || closing_) return;
  closing_ = true;
  close_why_ = close_reason_of(why);
  if (has_held()) {
    close_pending_ = true;  // what was reserved before the close still goes out
    return;
  }
  sink_->close(close_why_);
}

void outbox::detach_sink() {
  std::lock_guard lock(mutex_);
  sink_ = nullptr;
  q_.reset();
  note_pending();
}

std::size_t outbox::pending_bytes() const noexcept { return pending_.load(std::memory_order_relaxed); }

void outbox::note_pending() noexcept {
  pending_.store(q_ ? q_->ready_bytes + q_->held_bytes : 0, std::memory_order_relaxed);
}

close_reason close_reason_of(protocol::reason_code code) noexcept {
  using protocol::reason_code;
  if (!protocol::is_error(code)) return close_reason::normal;
  switch (code) {
    case reason_code::session_taken_over:  // [MQTT-3.1.4-3] the client's session lives on elsewhere
      return close_reason::normal;
    case reason_code::server_shutting_down:
    case reason_code::use_another_server:
    case reason_code::server_moved:
      return close_reason::going_away;
    case reason_code::packet_too_large:
      return close_reason::too_big;
    case reason_code::client_identifier_not_valid:
    case reason_code::bad_user_name_or_password:
    case reason_code::not_authorized:
    case reason_code::banned:
    case reason_code::bad_authentication_method:
    case reason_code::message_rate_too_high:
    case reason_code::quota_exceeded:
    case reason_code::administrative_action:
    case reason_code::connection_rate_exceeded:
    case reason_code::maximum_connect_time:
      return close_reason::policy_violation;
    case reason_code::unspecified_error:
    case reason_code::implementation_specific_error:
    case reason_code::server_unavailable:
    case reason_code::server_busy:
      return close_reason::internal_error;
    default:
      // Malformed packets, protocol errors, a missed keep alive, limits the
      // client was told in CONNACK and broke anyway: the client broke MQTT.
      return close_reason::protocol_error;
  }
}

}  // namespace gridmq::broker
