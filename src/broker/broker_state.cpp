#include "broker/broker_state.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/container/small_vector.hpp>
#include <cstdio>

#include "broker/push_batch.hpp"
#include "protocol/codec.hpp"
#include "topic/matches.hpp"
#include "topic/validation.hpp"

namespace gridmq::broker {

using session::clock;

namespace {

// Ends a connection from the broker's side: a DISCONNECT with `code` for a
// v5 client (3.1.1 has none), then the close, which carries the same code
// to the transport.
void disconnect_and_close(outbox& link, protocol::protocol_version version, protocol::reason_code code) {
  if (version == protocol::protocol_version::v5) {
    session::frame f;
    protocol::encode(protocol::disconnect{code, {}}, version, f.bytes);
    link.push(std::move(f));
  }
  link.close(code);
}

session::session_limits limits_of(const broker_options& o) {
  session::session_limits l;
  l.max_queued_bytes = o.max_queued_bytes;
  l.max_queued_messages = o.max_queued_messages;
  l.max_inflight = o.max_inflight_messages;
  l.overflow = o.session_overflow;
  return l;
}

}  // namespace

broker_state::broker_state(broker_options options, authenticator* auth, store::store* durable, authorizer* authz)
    : options_(std::move(options)),
      auth_(auth),
      authz_(authz),
      persist_(durable),
      session_limits_(limits_of(options_)),
      id_random_(std::random_device{}()),
      retained_(options_.max_retained_messages, persist_.enabled() ? &persist_ : nullptr) {}


std::string broker_state::assign_client_id() {
  std::lock_guard lock(registry_mutex_);
  char buf[40];
  std::snprintf(buf, sizeof buf, "gridmq-%016llx", static_cast<unsigned long long>(id_random_()));
  return buf;
}

protocol::reason_code broker_state::check_owner(const session_slot* old, std::string_view name) const {
  if (authz_ == nullptr || name.empty()) return protocol::reason_code::success;
  // Event Grid (multi-session support): a session name held by another
  // authentication name is refused as unauthorized; the same name takes it over.
  if (old != nullptr && !old->authentication_name.get().empty() && old->authentication_name.get() != name) {
    return protocol::reason_code::not_authorized;
  }
  // The limit counts online and offline sessions; taking over or resuming
  // one's own session adds none.
  bool adds = old == nullptr || old->authentication_name.get() != name;
  auto max = authz_->max_sessions_per_authentication_name();
  if (adds && max != 0) {
    auto it = sessions_per_name_.find(std::string(name));
    if (it != sessions_per_name_.end() && it->second >= max) return protocol::reason_code::quota_exceeded;
  }
  return protocol::reason_code::success;
}

void broker_state::count_owner(session_slot& slot, std::string_view name) {
  if (authz_ == nullptr || name.empty() || slot.authentication_name.get() == name) return;
  uncount_owner(slot);
  slot.authentication_name.mut() = std::string(name);
  ++sessions_per_name_[slot.authentication_name.get()];
}

void broker_state::uncount_owner(const session_slot& slot) {
  if (slot.authentication_name.get().empty()) return;
  auto it = sessions_per_name_.find(slot.authentication_name.get());
  if (it != sessions_per_name_.end() && --it->second == 0) sessions_per_name_.erase(it);
}

broker_state::claim_result broker_state::claim(const std::string& client_id, bool clean_start,
                                                 const attach_fn& attach, std::string_view authentication_name) {
  claim_result r;
  slot_ptr discarded;
  std::vector<session::pending_delivery> discarded_shared;
  {
    std::lock_guard reg(registry_mutex_);
    auto it = sessions_.find(std::string_view(client_id));
    slot_ptr old = it != sessions_.end() ? *it : nullptr;
    r.refused = check_owner(old.get(), authentication_name);
    if (r.refused != protocol::reason_code::success) return r;
    if (old) {
      std::lock_guard lock(old->mutex);
      if (old->link) {
        // [MQTT-3.1.4-3] take over: DISCONNECT 0x8E to the old connection, then close it.
        disconnect_and_close(*old->link, old->version, protocol::reason_code::session_taken_over);
        old->link.reset();
        old->connected = false;
        old->state.detach();
      }
      waiting_.erase(old);
      old->expires_at.reset();
      if (old->will) {
        // A will with a delay is cancelled by a new connection to the session
        // ([MQTT-3.1.3-9]); one without, or a session that ends now, is sent.
        auto delay = old->will->props.will_delay_interval.value_or(0);
        if (clean_start || delay == 0) r.previous_will = old->will.take();
        old->will.reset();
      }
      if (clean_start) {
        old->ended = true;
        persist_.ended(*old);  // before the new session's record: same key
        discarded_shared = old->state.take_shared();
        old->state.clear();
        old->subscriptions.reset();
        discarded = old;
        uncount_owner(*old);
        sessions_.erase(it);
      } else {
        r.slot = old;
        r.session_present = true;
        count_owner(*old, authentication_name);
        session::frame_list frames;
        attach(*old, true, frames);
        persist_.attached(*old, frames, old->link);
      }
    }
    if (!r.slot) {
      r.slot = std::make_shared<session_slot>(++next_slot_id_, client_id, session_limits());
      sessions_.insert(r.slot);
      count_owner(*r.slot, authentication_name);
      std::lock_guard lock(r.slot->mutex);
      session::frame_list frames;
      attach(*r.slot, false, frames);
      persist_.attached(*r.slot, frames, r.slot->link);
    }
  }
  if (discarded) {
    index_.unsubscribe_all(discarded->id);
    redistribute(std::move(discarded_shared), discarded->id);
  }
  return r;
}

void broker_state::end_session(const slot_ptr& slot) {
  std::vector<session::pending_delivery> shared;
  {
    // The registry lock is held until the store's delete is committed, so a
    // new session of the same client id is always written after it.
    std::lock_guard reg(registry_mutex_);
    auto it = sessions_.find(std::string_view(slot->state.client_id()));
    if (it != sessions_.end() && *it == slot) {
      uncount_owner(*slot);
      sessions_.erase(it);
    }
    waiting_.erase(slot);
    std::lock_guard lock(slot->mutex);
    if (slot->ended) return;
    slot->ended = true;
    persist_.ended(*slot);
    shared = slot->state.take_shared();
    slot->state.clear();
    slot->subscriptions.reset();
  }
  index_.unsubscribe_all(slot->id);
  redistribute(std::move(shared), slot->id);
}

void broker_state::on_disconnected(const slot_ptr& slot, const outbox* attached, bool will_wanted) {
  auto now = clock::now();
  std::optional<protocol::will> will_now;
  bool end = false;
  {
    std::lock_guard reg(registry_mutex_);
    std::lock_guard lock(slot->mutex);
    if (slot->link.get() != attached || slot->ended || !slot->link) return;  // taken over
    slot->link.reset();
    slot->connected = false;
    slot->state.detach();
    if (slot->durable) slot->durable->disconnected_at = store::wall_now();  // kept sessions only
    if (!will_wanted) slot->will.reset();  // [MQTT-3.1.2-10] a normal DISCONNECT deletes the will
    bool send_now = false;
    if (slot->will) {
      std::uint32_t delay = slot->will->props.will_delay_interval.value_or(0);
      send_now = delay == 0 || slot->expiry_interval == 0;
      slot->will.set_at(now + std::chrono::seconds(send_now ? 0 : std::min(delay, slot->expiry_interval)));
    }
    if (slot->expiry_interval == 0) {
      end = true;
    } else if (slot->expiry_interval != 0xFFFFFFFF) {
      slot->expires_at = now + std::chrono::seconds(slot->expiry_interval);
    }
    // Disconnect time, expiry, and the will while it is not sent yet: one
    // sent now is still in this record, so a crash before it is routed
    // sends it at recovery rather than never.
    if (!end) persist_.record_changed(*slot);
    if (send_now) {
      will_now = slot->will.take();
    }
    if (!end && (slot->will.at() || slot->expires_at)) waiting_.insert(slot);
  }
  if (will_now) {
    publish_will(std::move(*will_now), slot->id, now);
    if (!end) will_sent(slot);
  }
  if (end) end_session(slot);
}

void broker_state::will_sent(const slot_ptr& slot) {
  std::lock_guard lock(slot->mutex);
  if (!slot->ended) persist_.record_changed(*slot);  // without the will: not sent again after a restart
}

void broker_state::publish_will(protocol::will&& w, std::uint64_t origin, clock::time_point now) {
  protocol::publish p;
  p.topic = std::move(w.topic);
  p.payload = std::move(w.payload);
  p.qos_level = w.qos_level;
  p.retain = w.retain;
  p.props = std::move(w.props);
  auto m = session::make_message(std::move(p), origin, now, persist_.next_message_id());
  if (m->retain && options_.retain_available) retained_.store(m);
  route(m, now);
}

namespace {

struct target {
  slot_ptr slot;  // a copy: the index's lock is released before delivery
  session::delivery how;
  std::uint32_t identifier;
};

// Most messages go to a few sessions: those stay on the stack.
using target_list = boost::container::small_vector<target, 4>;

// Overlapping subscriptions of one session get one delivery at the highest
// granted QoS with every matching subscription identifier ([MQTT-3.3.4-2/3]).
// A $share delivery stays separate ([MQTT-4.8.2]: a client may get a message
// once through a shared and once through an ordinary subscription).
// Sorting (session, match order) pairs finds the overlaps in O(n log n);
// a scan of the targets per match was O(n^2) for a fan-out to n sessions.
// Deliveries keep the match order.
void merge_overlapping(target_list& targets) {
  for (auto& t : targets) {
    if (t.identifier != 0) t.how.subscription_ids.push_back(t.identifier);
  }
  if (targets.size() < 2) return;
  boost::container::small_vector<std::pair<const session_slot*, std::uint32_t>, 8> keys;
  for (std::uint32_t i = 0; i < targets.size(); ++i) {
    if (!targets[i].how.share) keys.emplace_back(targets[i].slot.get(), i);
  }
  std::sort(keys.begin(), keys.end());
  bool merged = false;
  std::size_t run_first = 0;
  for (std::size_t k = 1; k < keys.size(); ++k) {
    if (keys[k].first != keys[run_first].first) {
      run_first = k;
      continue;
    }
    // A later match of the same session: fold it into its first one.
    auto& into = targets[keys[run_first].second];
    auto& dup = targets[keys[k].second];
    into.how.qos_level = std::max(into.how.qos_level, dup.how.qos_level);
    into.how.retain = into.how.retain || dup.how.retain;
    for (auto id : dup.how.subscription_ids) into.how.subscription_ids.push_back(id);
    dup.slot.reset();
    merged = true;
  }
  if (merged) {
    targets.erase(std::remove_if(targets.begin(), targets.end(), [](const target& t) { return !t.slot; }),
                  targets.end());
  }
}

}  // namespace

route_result broker_state::route(const session::message_ptr& m, clock::time_point now) {
  session::frame_list frames;
  return route(m, now, frames);
}

route_result broker_state::route(const session::message_ptr& m, clock::time_point now, session::frame_list& frames) {
  target_list targets;
  auto add = [&](const subscriber& s) {
    auto q = std::min(m->qos_level, s.options.max_qos);  // [MQTT-3.8.4-8]
    // [MQTT-3.3.1-12] live deliveries carry RETAIN=0 unless Retain As Published.
    bool retain = s.options.retain_as_published && m->retain;
    targets.push_back(target{s.slot, {q, retain, {}, s.share}, s.identifier});
  };
  index_.match(
      m->topic,
      [&](std::uint64_t key, const subscriber& s) {
        if (s.options.no_local && key == m->origin) return;  // [MQTT-3.8.3-3]
        add(s);
      },
      [&](std::string_view, auto& group) {
        // One member of a shared group per message, round robin, preferring
        // connected members ([MQTT-4.8.2]).
        std::size_t n = group.size();
        if (n == 0) return;
        std::size_t start = pick_index(n, group.next_index());
        const subscriber* chosen = &group[start % n].value;
        for (std::size_t i = 0; i < n; ++i) {
          const auto& s = group[(start + i) % n].value;
          if (s.slot->connected.load(std::memory_order_relaxed)) {
            chosen = &s;
            break;
          }
        }
        add(*chosen);
      });
  merge_overlapping(targets);
  stats_.add(stats_.messages_received);
  route_result r;
  r.receivers = targets.size();
  for (const auto& t : targets) r.persisted = deliver_to(t.slot, m, t.how, now, frames) || r.persisted;
  return r;
}

std::size_t broker_state::pick_index(std::size_t n, std::size_t round_robin) noexcept {
  if (options_.shared_subscription_strategy == shared_strategy::round_robin) return round_robin;
  // splitmix64 over a shared counter: cheap, lock-free, good enough spread.
  std::uint64_t z = random_state_.fetch_add(0x9E3779B97F4A7C15ull, std::memory_order_relaxed);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return static_cast<std::size_t>((z ^ (z >> 31)) % n);
}

void broker_state::redistribute(std::vector<session::pending_delivery>&& pending, std::uint64_t leaving) {
  auto now = clock::now();
  for (auto& p : pending) {
    const auto& origin = *p.how.share;
    slot_ptr chosen;
    subscriber chosen_sub;
    index_.match(
        p.msg->topic, [](std::uint64_t, const subscriber&) {},
        [&](std::string_view group, auto& g) {
          if (chosen || group != origin.group) return;
          for (std::size_t i = 0; i < g.size(); ++i) {
            const auto& s = g[i].value;
            if (s.slot->id == leaving) continue;
            if (!chosen || (s.slot->connected && !chosen->connected)) {
              chosen = s.slot;
              chosen_sub = s;
            }
          }
        });
    if (!chosen) continue;  // no other member: the message goes with the session
    session::delivery d{std::min(p.msg->qos_level, chosen_sub.options.max_qos), false, {}, chosen_sub.share};
    if (chosen_sub.identifier != 0) d.subscription_ids.push_back(chosen_sub.identifier);
    stats_.add(stats_.shared_redelivered);
    deliver_to(chosen, p.msg, d, now);
  }
}

void broker_state::note_drop(const slot_ptr& slot, session::deliver_status status) {
  using session::deliver_status;
  switch (status) {
    case deliver_status::dropped_overflow: stats_.add(stats_.dropped_queue_full); break;
    case deliver_status::dropped_too_large: stats_.add(stats_.dropped_too_large); break;
    case deliver_status::dropped_expired: stats_.add(stats_.dropped_expired); break;
    default: return;
  }
  std::lock_guard lock(slot->mutex);
  if (slot->drop_logged) return;
  slot->drop_logged = true;
  spdlog::warn("session '{}': dropping messages ({}); logged once per session, counted in stats",
               slot->state.client_id(),
               status == deliver_status::dropped_overflow    ? "offline queue full, session_overflow"
               : status == deliver_status::dropped_too_large ? "larger than the client's Maximum Packet Size"
                                                             : "expired");
}

bool broker_state::deliver_to(const slot_ptr& slot, const session::message_ptr& m, const session::delivery& d,
                              clock::time_point now) {
  session::frame_list frames;
  return deliver_to(slot, m, d, now, frames);
}

bool broker_state::deliver_to(const slot_ptr& slot, const session::message_ptr& m, const session::delivery& d,
                              clock::time_point now, session::frame_list& frames) {
  frames.clear();
  session::deliver_status status;
  bool persisted = false;
  {
    std::lock_guard lock(slot->mutex);
    if (slot->ended) return false;
    if (d.qos_level == protocol::qos::at_most_once && slot->link &&
        slot->link->pending_bytes() > options_.max_outbound_bytes) {
      stats_.add(stats_.dropped_slow_qos0);
      return false;  // a slow reader loses QoS 0 rather than growing memory
    }
    status = slot->state.deliver(m, d, now, frames);
    if (d.qos_level == protocol::qos::at_most_once && slot->journal().empty() && slot->link) {
      push_batch::push_qos0(slot->link, frames);
    } else {
      // A kept session's new entry is written before its PUBLISH goes out.
      persisted = persist_.flush_journal(*slot, frames, slot->link);
    }
    if (status == session::deliver_status::overflow_terminate && slot->link) {
      disconnect_and_close(*slot->link, slot->version, protocol::reason_code::quota_exceeded);
    }
  }
  stats_.add(stats_.deliveries);
  note_drop(slot, status);
  if (status == session::deliver_status::overflow_terminate) {
    stats_.add(stats_.sessions_terminated_overflow);
    spdlog::warn("session {}: queue limit reached, session terminated (session_overflow = terminate)",
                 slot->state.client_id());
    end_session(slot);
  }
  return persisted;
}

bool broker_state::subscribe(const slot_ptr& slot, const std::string& filter, const subscription_record& rec) {
  topic::shared_filter shared;
  auto kind = topic::parse_shared(filter, shared);
  std::string_view group = kind == topic::share_parse::shared ? shared.group : std::string_view{};
  std::string_view plain = kind == topic::share_parse::shared ? shared.filter : std::string_view{filter};
  std::shared_ptr<const session::share_origin> share;
  if (!group.empty()) {
    share = std::make_shared<const session::share_origin>(session::share_origin{std::string(group), std::string(plain)});
  }
  return index_.subscribe(plain, group, slot->id, subscriber{slot, rec.options, rec.identifier, std::move(share)});
}

bool broker_state::unsubscribe(const slot_ptr& slot, const std::string& filter) {
  topic::shared_filter shared;
  auto kind = topic::parse_shared(filter, shared);
  std::string_view group = kind == topic::share_parse::shared ? shared.group : std::string_view{};
  std::string_view plain = kind == topic::share_parse::shared ? shared.filter : std::string_view{filter};
  return index_.unsubscribe(plain, group, slot->id);
}

void broker_state::tick(clock::time_point now) {
  if (now >= next_retained_purge_) {
    retained_.purge_expired(now);
    next_retained_purge_ = now + std::chrono::seconds(10);
  }
  std::vector<slot_ptr> due;
  {
    std::lock_guard reg(registry_mutex_);
    for (const auto& s : waiting_) {
      std::lock_guard lock(s->mutex);
      const auto will_at = s->will.at();
      if ((will_at && *will_at <= now) || (s->expires_at && *s->expires_at <= now)) due.push_back(s);
    }
  }
  for (const auto& s : due) {
    std::optional<protocol::will> will;
    bool end = false;
    {
      std::lock_guard lock(s->mutex);
      if (s->connected || s->ended) continue;
      if (const auto will_at = s->will.at(); will_at && *will_at <= now) {
        will = s->will.take();
      }
      end = s->expires_at && *s->expires_at <= now;
    }
    if (will) {
      publish_will(std::move(*will), s->id, now);
      if (!end) will_sent(s);
    }
    if (end) {
      spdlog::debug("session {} expired", s->state.client_id());
      end_session(s);
    }
  }
}

void broker_state::shutdown() {
  std::lock_guard reg(registry_mutex_);
  for (const auto& s : sessions_) {
    std::lock_guard lock(s->mutex);
    if (!s->link) continue;
    disconnect_and_close(*s->link, s->version, protocol::reason_code::server_shutting_down);
  }
}

void broker_state::authorization_changed() {
  authz_generation_.fetch_add(1, std::memory_order_acq_rel);
  std::lock_guard reg(registry_mutex_);
  for (const auto& s : sessions_) {
    std::lock_guard lock(s->mutex);
    if (s->link) s->link->wake();
  }
}

std::size_t broker_state::session_count() const {
  std::lock_guard reg(registry_mutex_);
  return sessions_.size();
}

}  // namespace gridmq::broker
