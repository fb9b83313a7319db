// Recovery at start-up: the store's records back into live broker state.
//
// Clocks: the store keeps wall-clock times; the broker runs on the steady
// clock. Each wall time is turned into a steady deadline against one
// reading of both clocks (clock_pair), so time that passed while the broker
// was down counts: a session or message that expired meanwhile is gone.
//
// Decisions (documented in docs/architecture.md):
// - A session recorded as connected lost its connection in the crash: it
//   is treated as disconnected at recovery time, and its will follows the
//   normal rules from then (sent at once without Will Delay).
// - A session whose expiry passed while the broker was down is deleted; its
//   will, if it had not been sent, is sent now ([MQTT-3.1.3-9] sends it at
//   the latest when the session ends). It is late, but dropping it would
//   hide from subscribers that the client went away.
// - Wills are routed after every session is back, so kept subscribers get
//   them; a will is removed from its record only after it was routed (a
//   crash in between sends it again rather than never).
#include <spdlog/spdlog.h>

#include <map>
#include <memory>
#include <stdexcept>
#include <utility>

#include "broker/broker_state.hpp"

namespace gridmq::broker {

using session::clock;

namespace {

// Moves the record's fields: a million recovered messages are not copied.
session::message_ptr to_message(store::message_record&& r, const clock_pair& now) {
  auto m = std::make_shared<session::message>();
  m->topic = std::move(r.topic);
  if (r.payload) m->payload = *r.payload;  // one copy: the message holds its payload (message.hpp)
  m->qos_level = r.qos_level;
  m->retain = r.retain;
  m->set_props(std::move(r.props));
  if (r.expires_at) m->expires_at = now.to_steady(*r.expires_at);
  m->id = r.id;
  return m;
}

session::entry_state to_session(store::entry_state s) noexcept {
  switch (s) {
    case store::entry_state::inflight_publish: return session::entry_state::inflight_publish;
    case store::entry_state::inflight_pubrel: return session::entry_state::inflight_pubrel;
    case store::entry_state::queued: break;
  }
  return session::entry_state::queued;
}

}  // namespace

// A will to send once every session is back, and what to do after.
struct broker_state::due_will {
  protocol::will will;
  slot_ptr slot;          // kept session: rewrite its record after
  std::string client_id;  // expired session: delete it after
};

void broker_state::recover() {
  store::store* durable = persist_.store();
  if (durable == nullptr) return;
  const auto started = clock::now();
  auto loaded = durable->load([](const store::load_progress& p) {
    if (p.done) return;
    spdlog::info("recovery: {} records read ({} MiB) in {:.1f} s, {:.0f} records/s", p.records, p.bytes >> 20,
                 std::chrono::duration<double>(p.elapsed).count(), p.records_per_second());
  });
  if (!loaded) {
    throw std::runtime_error("cannot recover the store (" + std::string(store::to_string(loaded.error().code)) +
                             "): " + loaded.error().message);
  }
  store::recovered_state& state = *loaded;
  const auto now = clock_pair::now();

  std::unordered_map<std::uint64_t, session::message_ptr> messages;
  messages.reserve(state.messages.size());
  // Each record goes as its message is made: the two never all coexist.
  for (auto it = state.messages.begin(); it != state.messages.end(); it = state.messages.erase(it)) {
    messages.emplace(it->first, to_message(std::move(it->second), now));
  }

  std::size_t retained = 0;
  for (auto& rec : state.retained) {
    auto m = to_message(std::move(rec), now);
    if (m->is_expired(now.steady) || m->payload_size() == 0) {
      persist_.retained_deleted(m->topic);
      continue;
    }
    retained_.restore(m);
    ++retained;
  }

  std::vector<due_will> wills;
  std::size_t sessions = 0;
  std::size_t entries = 0;
  std::size_t expired = 0;
  for (auto& rs : state.sessions) {
    entries += rs.queue.size();
    if (recover_session(std::move(rs), messages, now, wills)) {
      ++sessions;
    } else {
      ++expired;
    }
  }
  persist_.set_next_message_id(state.max_message_id + 1);
  messages.clear();  // the sessions hold what they need

  for (auto& w : wills) {
    publish_will(std::move(w.will), w.slot ? w.slot->id : 0, clock::now());
    if (w.slot) {
      will_sent(w.slot);
    } else {
      persist_.deleted(w.client_id);
    }
  }
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - started).count();
  spdlog::info("recovery: {} sessions ({} expired while down), {} queued or in-flight messages, {} retained, "
               "{} wills sent, in {} ms",
               sessions, expired, entries, retained, wills.size(), ms);
}

bool broker_state::recover_session(store::recovered_session&& rs,
                                   const std::unordered_map<std::uint64_t, session::message_ptr>& messages,
                                   const clock_pair& now, std::vector<due_will>& wills) {
  store::session_record& rec = rs.session;
  // Connected when the broker stopped: disconnected now.
  const bool was_connected = !rec.disconnected_at;
  const store::wall_time disconnected = rec.disconnected_at.value_or(now.wall);
  std::optional<store::wall_time> expires;
  if (rec.expiry_interval != store::never_expires) expires = disconnected + std::chrono::seconds(rec.expiry_interval);
  std::optional<store::wall_time> will_at;
  if (rec.will) {
    const std::uint32_t delay = rec.will->props.will_delay_interval.value_or(0);
    will_at = was_connected || !rec.will_at
                  ? disconnected + std::chrono::seconds(std::min(delay, rec.expiry_interval))
                  : *rec.will_at;
  }

  if (rec.expiry_interval == 0 || (expires && *expires <= now.wall)) {
    if (rec.will) {
      wills.push_back(due_will{std::move(*rec.will), nullptr, rec.client_id});
    } else {
      persist_.deleted(rec.client_id);
    }
    return false;
  }

  auto slot = std::make_shared<session_slot>(++next_slot_id_, rec.client_id, session_limits());
  slot->version = rec.version;
  slot->expiry_interval = rec.expiry_interval;
  if (expires) slot->expires_at = now.to_steady(*expires);
  slot->durable = std::make_unique<durable_state>();
  slot->durable->disconnected_at = disconnected;
  slot->durable->marks->sent_through_committed = rec.sent_through;
  slot->durable->marks->sent_through.store(rec.sent_through, std::memory_order_relaxed);
  // One origin object per $share subscription, shared by its entries.
  std::map<std::pair<std::string, std::string>, std::shared_ptr<const session::share_origin>> origins;
  for (auto& e : rs.queue) {
    auto it = messages.find(e.message_id);
    if (it == messages.end()) continue;  // the store checks this; never happens
    std::shared_ptr<const session::share_origin> share;
    if (!e.share_group.empty()) {
      auto& o = origins[{e.share_group, e.share_filter}];
      if (!o) o = std::make_shared<const session::share_origin>(session::share_origin{e.share_group, e.share_filter});
      share = o;
    }
    // A queued QoS 1 entry under sent_through may have been sent before the
    // crash (persistence.cpp writes no state for QoS 1 sends): DUP=1.
    const bool maybe_sent = e.qos_level == protocol::qos::at_least_once && e.sequence <= rec.sent_through;
    session::delivery d{e.qos_level, e.retain, std::move(e.subscription_ids), std::move(share)};
    slot->state.restore(e.sequence, it->second, std::move(d), to_session(e.state), e.packet_id, maybe_sent);
  }
  std::vector<store::queue_entry>().swap(rs.queue);  // freed as we go, not at the end
  for (auto id : rs.inbound_qos2) slot->state.restore_inbound_qos2(id);
  for (const auto& sub : rs.subscriptions) {
    subscription_record r{sub.options, sub.identifier};
    slot->subscriptions.mut()[sub.filter] = r;
    subscribe(slot, sub.filter, r);
  }
  slot->persistent = true;
  slot->state.set_journal(&slot->durable->journal);
  if (rec.will) {
    if (*will_at <= now.wall) {
      wills.push_back(due_will{std::move(*rec.will), slot, {}});
    } else {
      slot->will = std::move(rec.will);
      slot->will.set_at(now.to_steady(*will_at));
    }
  }
  {
    std::lock_guard reg(registry_mutex_);
    if (!rec.authentication_name.empty()) {
      // The owner stays the owner, and the session counts against its limit.
      slot->authentication_name.mut() = std::move(rec.authentication_name);
      ++sessions_per_name_[slot->authentication_name.get()];
    }
    sessions_.insert(slot);
    if (slot->will.at() || slot->expires_at) waiting_.insert(slot);
  }
  if (was_connected) {
    // From now on the session counts as disconnected at recovery time.
    std::lock_guard lock(slot->mutex);
    persist_.record_changed(*slot);
  }
  return true;
}

}  // namespace gridmq::broker
