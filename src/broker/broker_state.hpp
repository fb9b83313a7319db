// Everything the broker shares between connections: the session registry,
// the subscription index, the retained store and the timers of disconnected
// sessions. client_connection does the per-packet work and calls in here.
//
// Locks, in the only order they may nest: registry_mutex_ -> a slot's mutex
// -> an outbox's mutex. The subscription index and the retained store have
// their own locks and are never called with a slot locked. The store's
// commit() takes only the store's queue lock, so it may be called anywhere.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "broker/authenticator.hpp"
#include "broker/authorizer.hpp"
#include "broker/broker_options.hpp"
#include "broker/broker_stats.hpp"
#include "broker/persistence.hpp"
#include "broker/retained_store.hpp"
#include "broker/session_slot.hpp"
#include "store/store.hpp"
#include "topic/subscription_index.hpp"

namespace gridmq::broker {

// What the subscription index stores per subscription.
struct subscriber {
  slot_ptr slot;
  protocol::subscribe_options options;
  std::uint32_t identifier = 0;
  std::shared_ptr<const session::share_origin> share;  // set for $share subscriptions
};

// What routing one message did.
struct route_result {
  std::size_t receivers = 0;  // sessions it went to
  bool persisted = false;     // some of it was committed to the store
};

class broker_state {
 public:
  // `durable` (owned by app/, may be null: nothing is kept) must outlive
  // this object and be loaded (recover()) before the first connection.
  broker_state(broker_options options, authenticator* auth, store::store* durable, authorizer* authz = nullptr);
  authenticator* auth() const noexcept { return auth_; }
  authorizer* authz() const noexcept { return authz_; }
  persistence& persist() noexcept { return persist_; }

  const broker_options& options() const noexcept { return options_; }
  // Shared by every session (session::session keeps a pointer to it).
  const session::session_limits& session_limits() const noexcept { return session_limits_; }

  // --- registry (CONNECT, disconnect, expiry)
  struct claim_result {
    slot_ptr slot;
    bool session_present = false;
    std::optional<protocol::will> previous_will;  // of a session taken over or discarded: publish now
    // Not success: the claim was refused (0x87 the session belongs to another
    // authentication name, 0x97 too many sessions for this one) and `slot` is null.
    protocol::reason_code refused = protocol::reason_code::success;
  };
  // Runs under the slot's lock once the slot is chosen: attaches the
  // connection and appends the CONNACK and resent messages to `frames`,
  // which claim() then queues (after their commit, for a kept session)
  // before any routed message.
  using attach_fn = std::function<void(session_slot&, bool session_present, session::frame_list& frames)>;
  // Finds or creates the session of `client_id` and attaches `link` to it,
  // taking over any connection attached before ([MQTT-3.1.4-3]). Clean Start
  // discards an existing session ([MQTT-3.1.2-4]). `authentication_name`
  // (empty: none) owns the session: Event Grid refuses a session held by
  // another name and counts each name's sessions against
  // authorizer::max_sessions_per_authentication_name().
  claim_result claim(const std::string& client_id, bool clean_start, const attach_fn& attach,
                     std::string_view authentication_name = {});
  // Removes the session everywhere: registry, index, queues.
  void end_session(const slot_ptr& slot);
  std::string assign_client_id();
  // The connection whose outbox is `attached` ended (nothing happens if
  // another connection has taken `slot` over since). `will_wanted`: it ended
  // without a normal DISCONNECT ([MQTT-3.1.2-8]).
  void on_disconnected(const slot_ptr& slot, const outbox* attached, bool will_wanted);

  // --- routing
  // Delivers to every matching subscription.
  route_result route(const session::message_ptr& m, session::clock::time_point now);
  // The same, with the caller's scratch list for the frames of each
  // delivery: a caller that routes many messages reuses its capacity.
  route_result route(const session::message_ptr& m, session::clock::time_point now, session::frame_list& frames);
  void publish_will(protocol::will&& w, std::uint64_t origin, session::clock::time_point now);
  // Returns whether anything was committed to the store.
  bool deliver_to(const slot_ptr& slot, const session::message_ptr& m, const session::delivery& d,
                  session::clock::time_point now);
  bool deliver_to(const slot_ptr& slot, const session::message_ptr& m, const session::delivery& d,
                  session::clock::time_point now, session::frame_list& frames);

  // --- subscriptions
  bool subscribe(const slot_ptr& slot, const std::string& filter, const subscription_record& rec);
  bool unsubscribe(const slot_ptr& slot, const std::string& filter);
  retained_store& retained() noexcept { return retained_; }
  broker_stats& stats() noexcept { return stats_; }

  // --- recovery (recovery.cpp): rebuilds sessions, subscriptions, queues
  // and retained messages from the store, before any connection. Throws
  // std::runtime_error when the store cannot be read.
  void recover();

  // --- authorization changes: the authorizer's rules were replaced (app/
  // reloads them on SIGHUP). Each connected client admits itself again on
  // its own worker before its next packet or write (client_connection::
  // recheck_authorization); this wakes them all, so idle ones do it now.
  void authorization_changed();
  // Changes with every authorization_changed(); a connection compares it
  // with the value it was admitted at.
  std::uint64_t authorization_generation() const noexcept {
    return authz_generation_.load(std::memory_order_acquire);
  }

  // --- timers and shutdown
  void tick(session::clock::time_point now);
  void shutdown();
  std::size_t session_count() const;
  std::atomic<std::size_t> connections{0};

 private:
  void redistribute(std::vector<session::pending_delivery>&& pending, std::uint64_t leaving);
  std::size_t pick_index(std::size_t n, std::size_t round_robin) noexcept;
  void note_drop(const slot_ptr& slot, session::deliver_status status);
  // Rewrites the record of a kept session whose will was just routed.
  void will_sent(const slot_ptr& slot);
  // Under registry_mutex_: the sessions each authentication name holds.
  protocol::reason_code check_owner(const session_slot* old, std::string_view name) const;
  void count_owner(session_slot& slot, std::string_view name);
  void uncount_owner(const session_slot& slot);
  // recovery.cpp: false if the session expired while the broker was down.
  struct due_will;
  bool recover_session(store::recovered_session&& rs,
                       const std::unordered_map<std::uint64_t, session::message_ptr>& messages, const clock_pair& now,
                       std::vector<due_will>& wills);

  broker_options options_;
  authenticator* auth_;  // owned by app/; null: allow_anonymous decides
  authorizer* authz_;    // owned by app/; null: everything allowed, sessions not counted
  persistence persist_;  // before retained_, which writes through it
  session::session_limits session_limits_;  // from options_
  mutable std::mutex registry_mutex_;
  // The sessions by ClientId. A set of slots hashed by the slot's own
  // ClientId (never changed while the slot is here) and looked up by a
  // view: one copy of the id, and a 24-byte node (next + slot_ptr, the hash
  // not cached: the functor is noexcept) where a map of view -> slot_ptr
  // took 48.
  struct by_client_id {
    using is_transparent = void;
    std::string_view key(std::string_view s) const noexcept { return s; }
    std::string_view key(const slot_ptr& s) const noexcept { return s->state.client_id(); }
    template <class K>
    std::size_t operator()(const K& k) const noexcept {
      return std::hash<std::string_view>{}(key(k));
    }
    template <class A, class B>
    bool operator()(const A& a, const B& b) const noexcept {
      return key(a) == key(b);
    }
  };
  std::unordered_set<slot_ptr, by_client_id, by_client_id> sessions_;
  std::set<slot_ptr> waiting_;  // disconnected slots with a will or expiry pending
  std::unordered_map<std::string, std::uint32_t> sessions_per_name_;  // folded authentication name -> sessions
  std::uint64_t next_slot_id_ = 0;
  std::mt19937_64 id_random_;
  std::atomic<std::uint64_t> authz_generation_{0};

  topic::subscription_index<subscriber> index_;
  retained_store retained_;
  broker_stats stats_;
  session::clock::time_point next_retained_purge_{};
  std::atomic<std::uint64_t> random_state_{0x9E3779B97F4A7C15ull};
};

}  // namespace gridmq::broker
