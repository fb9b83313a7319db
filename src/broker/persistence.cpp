#include "broker/persistence.hpp"

#include <spdlog/spdlog.h>

#include <utility>

namespace gridmq::broker {

store::wall_time clock_pair::to_wall(session::clock::time_point t) const noexcept {
  return wall + std::chrono::duration_cast<std::chrono::milliseconds>(t - steady);
}

session::clock::time_point clock_pair::to_steady(store::wall_time t) const noexcept {
  return steady + std::chrono::duration_cast<session::clock::duration>(t - wall);
}

persistence::persistence(store::store* s) : store_(s), failure_logged_(std::make_shared<std::atomic<bool>>(false)) {}

namespace {

store::entry_state to_store(session::entry_state s) noexcept {
  switch (s) {
    case session::entry_state::inflight_publish: return store::entry_state::inflight_publish;
    case session::entry_state::inflight_pubrel: return store::entry_state::inflight_pubrel;
    case session::entry_state::queued: break;
  }
  return store::entry_state::queued;
}

}  // namespace

store::message_record persistence::to_record(const session::message_ptr& mp, const clock_pair& now) const {
  const auto& m = *mp;
  store::message_record r;
  r.id = m.id;
  r.topic = m.topic;
  r.payload = session::payload_of(mp);
  r.qos_level = m.qos_level;
  r.retain = m.retain;
  r.props = m.props();
  if (m.has_expiry()) r.expires_at = now.to_wall(m.expires_at);
  return r;
}

void persistence::add_record(const session_slot& s, store::write_batch& b, const clock_pair& now) const {
  store::session_record r;
  r.client_id = s.state.client_id();
  r.version = s.version;
  r.expiry_interval = s.expiry_interval;
  r.disconnected_at = s.disconnected_at;
  r.will = s.will.copy();
  if (s.will && s.will_at) r.will_at = now.to_wall(*s.will_at);
  r.authentication_name = s.authentication_name;
  b.put_session(std::move(r));
}

void persistence::add_events(const session_slot& s, const session::journal& events, store::write_batch& b,
                             const clock_pair& now) const {
  using kind = session::journal_event::kind;
  const std::string& client_id = s.state.client_id();
  for (const auto& e : events) {
    if (e.what == kind::finished) {
      b.delete_queue_entry(client_id, e.sequence);
      continue;
    }
    // Every change writes the whole entry; the message goes with the entry
    // that creates it (a message already stored is not written again).
    if (e.what == kind::created) b.put_message(to_record(e.msg, now));
    store::queue_entry q;
    q.client_id = client_id;
    q.sequence = e.sequence;
    q.message_id = e.msg->id;
    q.state = to_store(e.state);
    q.packet_id = e.packet_id;
    q.qos_level = e.how.qos_level;
    q.retain = e.how.retain;
    q.subscription_ids = e.how.subscription_ids;
    if (e.how.share) {
      q.share_group = e.how.share->group;
      q.share_filter = e.how.share->filter;
    }
    b.put_queue_entry(std::move(q));
  }
}

void persistence::commit(store::write_batch&& b, session::frame_list&& frames, const std::shared_ptr<outbox>& link) {
  if (!link || frames.empty()) {
    store_->commit(std::move(b), [logged = failure_logged_](const std::optional<store::store_error>& e) {
      if (e && !logged->exchange(true)) {
        spdlog::error("store: a write failed, the broker no longer acknowledges persistent messages: {} ({})",
                      e->message, store::to_string(e->code));
      }
    });
    return;
  }
  const std::uint64_t ticket = link->reserve();
  store_->commit(std::move(b), [link, ticket, frames = std::move(frames), logged = failure_logged_](
                                   const std::optional<store::store_error>& e) mutable {
    if (e) {
      // Nothing that waited for this write may claim it happened: close the
      // connection instead; the client retries what it did not get.
      if (!logged->exchange(true)) {
        spdlog::error("store: a write failed, the broker no longer acknowledges persistent messages: {} ({})",
                      e->message, store::to_string(e->code));
      }
      frames.clear();
      link->fill(ticket, frames);
      link->close(protocol::reason_code::unspecified_error);
      return;
    }
    link->fill(ticket, frames);
  });
}

bool persistence::attached(session_slot& s, session::frame_list& frames, const std::shared_ptr<outbox>& link) {
  s.disconnected_at.reset();
  if (store_ == nullptr) {
    link->push(frames);
    return false;
  }
  const bool keep = s.expiry_interval > 0;
  const auto now = clock_pair::now();
  store::write_batch b;
  if (keep) {
    add_record(s, b, now);
    if (!s.persistent) {
      // Starts being kept (a new session, or one resumed with a longer
      // expiry): all of it, as it is now.
      for (const auto& [filter, rec] : s.subscriptions) {
        b.put_subscription(store::subscription_record{s.state.client_id(), filter, rec.options, rec.identifier});
      }
      session::journal all;
      s.state.snapshot(all);
      add_events(s, all, b, now);
      for (auto id : s.state.inbound_qos2_ids()) b.put_inbound_qos2(s.state.client_id(), id);
    } else {
      add_events(s, s.journal, b, now);
    }
  } else if (s.persistent) {
    b.delete_session(s.state.client_id());  // resumed with expiry 0: no longer kept
  }
  s.journal.clear();
  s.persistent = keep;
  s.state.set_journal(keep ? &s.journal : nullptr);
  if (b.empty()) {
    link->push(frames);
    return false;
  }
  commit(std::move(b), std::move(frames), link);
  return true;
}

void persistence::record_changed(session_slot& s) {
  if (!s.persistent) return;
  const auto now = clock_pair::now();
  store::write_batch b;
  add_record(s, b, now);
  add_events(s, s.journal, b, now);
  s.journal.clear();
  commit(std::move(b), {}, nullptr);
}

void persistence::ended(session_slot& s) {
  s.state.set_journal(nullptr);
  s.journal.clear();
  if (!s.persistent) return;
  s.persistent = false;
  store::write_batch b;
  b.delete_session(s.state.client_id());
  commit(std::move(b), {}, nullptr);
}

void persistence::deleted(const std::string& client_id) {
  if (store_ == nullptr) return;
  store::write_batch b;
  b.delete_session(client_id);
  commit(std::move(b), {}, nullptr);
}

bool persistence::flush_journal(session_slot& s, session::frame_list& frames, const std::shared_ptr<outbox>& link) {
  if (s.journal.empty()) {
    if (link) link->push(frames);
    return false;
  }
  store::write_batch b;
  add_events(s, s.journal, b, clock_pair::now());
  s.journal.clear();
  commit(std::move(b), std::move(frames), link);
  return true;
}

bool persistence::subscribed(session_slot& s, const std::string& filter, const subscription_record& rec) {
  if (!s.persistent) return false;
  store::write_batch b;
  b.put_subscription(store::subscription_record{s.state.client_id(), filter, rec.options, rec.identifier});
  commit(std::move(b), {}, nullptr);
  return true;
}

bool persistence::unsubscribed(session_slot& s, const std::string& filter) {
  if (!s.persistent) return false;
  store::write_batch b;
  b.delete_subscription(s.state.client_id(), filter);
  commit(std::move(b), {}, nullptr);
  return true;
}

bool persistence::inbound_qos2_added(session_slot& s, std::uint16_t packet_id) {
  if (!s.persistent) return false;
  store::write_batch b;
  b.put_inbound_qos2(s.state.client_id(), packet_id);
  commit(std::move(b), {}, nullptr);
  return true;
}

bool persistence::inbound_qos2_released(session_slot& s, std::uint16_t packet_id) {
  if (!s.persistent) return false;
  store::write_batch b;
  b.delete_inbound_qos2(s.state.client_id(), packet_id);
  commit(std::move(b), {}, nullptr);
  return true;
}

void persistence::retained_stored(const session::message_ptr& m) {
  if (store_ == nullptr) return;
  store::write_batch b;
  b.put_retained(to_record(m, clock_pair::now()));
  commit(std::move(b), {}, nullptr);
}

void persistence::retained_deleted(const std::string& topic) {
  if (store_ == nullptr) return;
  store::write_batch b;
  b.delete_retained(topic);
  commit(std::move(b), {}, nullptr);
}

void persistence::reply(bool after_commit, session::frame&& f, const std::shared_ptr<outbox>& link) {
  if (!after_commit || store_ == nullptr) {
    link->push(std::move(f));
    return;
  }
  session::frame_list frames;
  frames.push_back(std::move(f));
  commit(store::write_batch{}, std::move(frames), link);
}

}  // namespace gridmq::broker
