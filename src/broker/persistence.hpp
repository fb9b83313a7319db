// persistence: the broker's side of the store (store/store.hpp) — what of
// the broker's state is written, and which replies wait for it.
//
// What is kept: persistent sessions only (Session Expiry > 0; a 3.1.1
// session without Clean Session gets max_session_expiry): the session
// record (expiry, will, when it disconnected), its subscriptions, its QoS
// 1/2 entries (the session's journal) and its inbound QoS 2 ids; and the
// retained messages. A session with expiry 0 ends with its connection and
// is never written.
//
// Ordering: a session's changes are committed while its lock is held, so
// the store applies them in the order they happened even when several
// workers touch one session (the store applies batches in commit() order).
// Frames whose state must be durable before the client sees them — a
// PUBLISH to a persistent session (else a crash could resend it under a new
// packet id, a duplicate for QoS 2), a PUBREL, the CONNACK — wait in the
// outbox (reserve/fill) for their commit's callback. A reply to a client's
// packet (PUBACK, PUBREC, PUBCOMP, SUBACK, UNSUBACK) that caused commits is
// sent from the callback of one more commit made after them: callbacks run
// in commit order, so it is sent once everything before it is durable, and
// replies keep their order.
//
// Threads: any worker. Callbacks run on the store's writer thread and touch
// only outboxes, which they hold by shared_ptr: never the broker, which the
// store may outlive.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "broker/outbox.hpp"
#include "broker/session_slot.hpp"
#include "session/message.hpp"
#include "store/store.hpp"

namespace gridmq::broker {

// One reading of both clocks, to turn steady deadlines into wall times for
// the store and back at recovery.
struct clock_pair {
  session::clock::time_point steady;
  store::wall_time wall;

  static clock_pair now() noexcept { return {session::clock::now(), store::wall_now()}; }
  store::wall_time to_wall(session::clock::time_point t) const noexcept;
  session::clock::time_point to_steady(store::wall_time t) const noexcept;
};

// What a commit's callback records in the session's durable_marks.
struct commit_effects {
  std::shared_ptr<durable_marks> marks;
  std::uint64_t sent_through = 0;  // durable once the batch is (0: nothing to record)
  bool deferred = false;           // counted in marks->deferred_commits
};

class persistence {
 public:
  explicit persistence(store::store* s);

  bool enabled() const noexcept { return store_ != nullptr; }
  store::store* store() const noexcept { return store_; }
  // 0 without a store (the message is never written).
  std::uint64_t next_message_id() noexcept {
    return store_ != nullptr ? next_id_.fetch_add(1, std::memory_order_relaxed) : 0;
  }
  void set_next_message_id(std::uint64_t id) noexcept { next_id_.store(id, std::memory_order_relaxed); }

  // --- under the slot's lock
  // A connection attached (frames: CONNACK, resends, window fill): writes
  // the session record, and all of the session if it starts being kept, or
  // deletes it if it stops (expiry 0 now); the frames follow the commit.
  // Returns whether anything was committed.
  bool attached(session_slot& s, session::frame_list& frames, const std::shared_ptr<outbox>& link);
  // The session record changed (disconnect, will sent): writes it.
  void record_changed(session_slot& s);
  // The session ends: deletes everything of it, and stops journaling.
  void ended(session_slot& s);
  // Deletes a stored session that has no slot (expired while down).
  void deleted(const std::string& client_id);
  // Writes what the session journaled; `frames` go to `link` after the
  // commit if anything was written, at once otherwise. Returns whether
  // anything was committed.
  bool flush_journal(session_slot& s, session::frame_list& frames, const std::shared_ptr<outbox>& link);
  // Writes the deletions flush_journal deferred (end of a read batch).
  void flush_deferred(session_slot& s);
  bool subscribed(session_slot& s, const std::string& filter, const subscription_record& rec);
  bool unsubscribed(session_slot& s, const std::string& filter);
  bool inbound_qos2_added(session_slot& s, std::uint16_t packet_id);
  bool inbound_qos2_released(session_slot& s, std::uint16_t packet_id);

  // --- retained messages (under the retained store's lock)
  void retained_stored(const session::message_ptr& m);
  void retained_deleted(const std::string& topic);

  // Sends `f` to `link` after everything committed so far by this thread
  // is durable (after_commit), or at once.
  void reply(bool after_commit, session::frame&& f, const std::shared_ptr<outbox>& link);

  store::message_record to_record(const session::message_ptr& m, const clock_pair& now) const;

 private:
  // Raises the committed sent_through for a QoS 1 send of `top_sent` if it
  // comes near it; true if the record must be written.
  bool raise_sent_through(session_slot& s, std::uint64_t top_sent) const;
  // Moves the deferred deletions into `b`.
  void take_deferred(session_slot& s, store::write_batch& b) const;
  void add_record(const session_slot& s, store::write_batch& b, const clock_pair& now) const;
  void add_events(const session_slot& s, const session::journal& events, store::write_batch& b,
                  const clock_pair& now) const;
  // Commits `b`; `frames` (if any) go to `link` from the callback.
  void commit(store::write_batch&& b, session::frame_list&& frames, const std::shared_ptr<outbox>& link,
              commit_effects fx = {});

  store::store* store_;  // owned by app/; null: nothing is kept
  std::atomic<std::uint64_t> next_id_{1};
  // Shared with callbacks: a failing store is logged once, not per batch.
  std::shared_ptr<std::atomic<bool>> failure_logged_;
};

}  // namespace gridmq::broker
