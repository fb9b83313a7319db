// A session as the broker holds it: the sans-I/O session plus what ties it
// to the rest of the broker (its attached connection, will, expiry).
//
// Threads: every field but `id`, `connected` (atomic) and
// `authentication_name` (see there) is guarded by `mutex`. The slot is shared by
// the registry, the subscription index and routing workers; `ended` tells a
// worker that still holds a reference that the session is gone.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/compact_optional.hpp"
#include "base/heap_optional.hpp"
#include "base/lazy_value.hpp"
#include "base/small_mutex.hpp"
#include "broker/outbox.hpp"
#include "protocol/packet.hpp"
#include "session/journal.hpp"
#include "session/session.hpp"
#include "store/records.hpp"

namespace gridmq::broker {

// The write-behind state of a persistent session (persistence.hpp), on the
// heap while the session is kept: shared by the slot and the callbacks of
// its commits, which run on the store's writer thread.
struct durable_marks {
  // --- under the slot's mutex
  // Entries that ended (acknowledged, dropped) whose deletion is not written
  // yet: written with the session's next commit, at the end of its
  // connection's read batch, or when there are many. Until then a crash
  // only sends them again (QoS 1 with DUP; QoS 2 past PUBREC as a PUBREL).
  std::vector<std::uint64_t> deferred_deletes;
  // sent_through (store/records.hpp) as last committed (queued, maybe not
  // durable yet).
  std::uint64_t sent_through_committed = 0;
  // --- written by commit callbacks, read under the slot's mutex
  // sent_through of the last durable session record: a QoS 1 PUBLISH up to
  // this sequence may go out before anything about it is written.
  std::atomic<std::uint64_t> sent_through{0};
  // Commits of deferred deletions not completed yet (back-pressure).
  std::atomic<std::uint32_t> deferred_commits{0};
};

// What only a session kept in the store needs, in one block created when
// the session is first kept (persistence.cpp) and given back when it no
// longer is: a clean session never allocates it.
struct durable_state {
  // The changes its state machine journaled and not yet written.
  session::journal journal;
  // Shared with the callbacks of its commits (see durable_marks).
  std::shared_ptr<durable_marks> marks = std::make_shared<durable_marks>();
  // When its last connection ended (wall clock; none while connected).
  compact_optional<store::wall_time> disconnected_at;
};

// The will of a session and, once its connection ended, when to publish it
// ([MQTT-3.1.3-9] Will Delay Interval): one heap block, none for the many
// sessions without a will, and no deadline field in those that have none.
class pending_will {
 public:
  using time_point = session::clock::time_point;
  explicit operator bool() const noexcept { return p_ != nullptr; }
  protocol::will* operator->() noexcept { return &p_->w; }
  const protocol::will* operator->() const noexcept { return &p_->w; }
  pending_will& operator=(std::optional<protocol::will>&& w) {
    p_ = w ? std::make_unique<value>(value{std::move(*w), {}}) : nullptr;
    return *this;
  }
  std::optional<protocol::will> copy() const { return p_ ? std::optional<protocol::will>(p_->w) : std::nullopt; }
  // Moves the will out, with its deadline.
  std::optional<protocol::will> take() {
    std::optional<protocol::will> out;
    if (p_) out.emplace(std::move(p_->w));
    p_.reset();
    return out;
  }
  void reset() noexcept { p_.reset(); }
  // When to publish it: none while connected (or without a will).
  compact_optional<time_point> at() const noexcept { return p_ ? p_->at : compact_optional<time_point>{}; }
  void set_at(time_point t) noexcept {
    if (p_) p_->at = t;
  }

 private:
  struct value {
    protocol::will w;
    compact_optional<time_point> at;
  };
  std::unique_ptr<value> p_;
};

struct subscription_record {
  protocol::subscribe_options options;
  std::uint32_t identifier = 0;  // 0 = none
};

class session_slot {
 public:
  // `limits` are the broker's and outlive the slot (session::session).
  session_slot(std::uint64_t slot_id, std::string client_id, const session::session_limits& limits)
      : id(slot_id), state(std::move(client_id), limits) {}

  // The journal of a kept session; empty otherwise.
  const session::journal& journal() const noexcept {
    static const session::journal none;
    return durable ? durable->journal : none;
  }

  const std::uint64_t id;

  session::session state;
  // The attached connection's outbox, or null; its address also tells
  // which connection is attached (a connection keeps its outbox until it
  // has released the session).
  std::shared_ptr<outbox> link;
  // Full filter incl. $share/; allocated on the first SUBSCRIBE (a client
  // that only publishes, or stays idle, keeps no empty map).
  lazy_value<std::map<std::string, subscription_record>> subscriptions;
  pending_will will;  // on the heap: most sessions have none
  compact_optional<session::clock::time_point> expires_at;
  // With an authorizer: the authentication name that owns the session
  // (case-folded; empty: none), kept in the session's store record.
  // Written by claim() under the registry lock (and `mutex` once the slot
  // is shared); read under either (persistence reads it under `mutex`).
  lazy_value<std::string> authentication_name;  // allocated only with an owner
  // With a store: set while the session is kept there (persistence.hpp).
  std::unique_ptr<durable_state> durable;
  std::uint32_t expiry_interval = 0;   // seconds, after disconnect
  // Guards every field but `id` and `connected` (see above); 4 bytes
  // (base/small_mutex.hpp), beside the flags.
  small_mutex mutex;
  // The small fields last, together, so that they share one word.
  std::atomic<bool> connected{false};
  protocol::protocol_version version = protocol::protocol_version::v311;
  bool ended = false;
  bool drop_logged = false;  // drops are logged once per session, counted always
  bool persistent = false;   // with a store: whether this session is kept there
};

// An idle clean session costs this plus make_shared's control block (16 B):
// 192 B, one mimalloc size class. A field added here moves every session
// to the next class (224 B): make room first.
static_assert(sizeof(session_slot) <= 176, "session_slot outgrew its 192-byte block");

using slot_ptr = std::shared_ptr<session_slot>;

}  // namespace gridmq::broker
