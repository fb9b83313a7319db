#include "broker/persistence.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
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

// sent_through is raised this far past the last QoS 1 PUBLISH sent, once
// that PUBLISH comes within half of it: one small session-record write per
// 8k messages instead of one entry write per message. After a crash at most
// this many queued messages that were never sent carry DUP.
constexpr std::uint64_t sent_lease = 16384;
// Deferred deletions are written at once past this many (memory per session).
constexpr std::size_t max_deferred = 4096;
// With this many commits of deferred deletions not completed, PUBLISHes wait
// for the store: bounds what a slow disk can pile up in its queue.
constexpr std::uint32_t max_deferred_commits = 64;

// What a journal needs from the store.
struct journal_scan {
  bool must_write = false;     // an entry created, or changed other than a QoS 1 send or an end
  std::uint64_t top_sent = 0;  // the highest sequence of a QoS 1 entry sent (0: none)
};

// A QoS 1 entry that is (now) in flight. Its store entry stays `queued`:
// QoS 1 in-flight state is never written, so that every stored QoS 1 entry
// comes back queued, in sequence order, and sent_through marks which of
// them go out with DUP.
bool sent_qos1(const session::journal_event& e) noexcept {
  return e.how.qos_level == protocol::qos::at_least_once && e.state == session::entry_state::inflight_publish &&
         e.what != session::journal_event::kind::finished;
}

journal_scan scan(const session::journal& events) {
  using kind = session::journal_event::kind;
  journal_scan j;
  for (const auto& e : events) {
    if (e.what == kind::finished) continue;
    if (sent_qos1(e)) j.top_sent = std::max(j.top_sent, e.sequence);
    if (e.what != kind::sent || e.how.qos_level != protocol::qos::at_least_once) j.must_write = true;
  }
  return j;
}

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
  if (s.durable) r.disconnected_at = s.durable->disconnected_at;
  r.will = s.will.copy();
  if (const auto will_at = s.will.at()) r.will_at = now.to_wall(*will_at);
  r.authentication_name = s.authentication_name.get();
  if (s.durable) r.sent_through = s.durable->marks->sent_through_committed;
  b.put_session(std::move(r));
}

bool persistence::raise_sent_through(session_slot& s, std::uint64_t top_sent) const {
  auto& m = *s.durable->marks;
  if (top_sent == 0 || top_sent + sent_lease / 2 <= m.sent_through_committed) return false;
  m.sent_through_committed = top_sent + sent_lease;
  return true;
}

void persistence::take_deferred(session_slot& s, store::write_batch& b) const {
  if (!s.durable) return;
  auto& d = s.durable->marks->deferred_deletes;
  for (const std::uint64_t seq : d) b.delete_queue_entry(s.state.client_id(), seq);
  d.clear();
  if (d.capacity() > 256) std::vector<std::uint64_t>().swap(d);  // a drain's burst, not kept by idle sessions
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
    // A QoS 1 send writes nothing: sent_through covers it (the caller
    // raised it), and a crash sends the entry again with DUP.
    if (e.what == kind::sent && e.how.qos_level == protocol::qos::at_least_once) continue;
    // Every change writes the whole entry; the message goes with the entry
    // that creates it (a message already stored is not written again).
    if (e.what == kind::created) b.put_message(to_record(e.msg, now));
    store::queue_entry q;
    q.client_id = client_id;
    q.sequence = e.sequence;
    q.message_id = e.msg->id;
    const bool qos1 = sent_qos1(e);
    q.state = qos1 ? store::entry_state::queued : to_store(e.state);
    q.packet_id = qos1 ? 0 : e.packet_id;
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

void persistence::commit(store::write_batch&& b, session::frame_list&& frames, const std::shared_ptr<outbox>& link,
                         commit_effects fx) {
  if (fx.deferred) fx.marks->deferred_commits.fetch_add(1, std::memory_order_relaxed);
  // Runs on the writer thread, in commit order: sent_through only grows.
  const auto settle = [](const commit_effects& f, bool ok) {
    if (!f.marks) return;
    if (ok && f.sent_through > f.marks->sent_through.load(std::memory_order_relaxed)) {
      f.marks->sent_through.store(f.sent_through, std::memory_order_release);
    }
    if (f.deferred) f.marks->deferred_commits.fetch_sub(1, std::memory_order_release);
  };
  if (!link || frames.empty()) {
    store_->commit(std::move(b), [logged = failure_logged_, fx = std::move(fx), settle](
                                     const std::optional<store::store_error>& e) {
      settle(fx, !e);
      if (e && !logged->exchange(true)) {
        spdlog::error("store: a write failed, the broker no longer acknowledges persistent messages: {} ({})",
                      e->message, store::to_string(e->code));
      }
    });
    return;
  }
  const std::uint64_t ticket = link->reserve();
  store_->commit(std::move(b), [link, ticket, frames = std::move(frames), logged = failure_logged_, fx = std::move(fx),
                                settle](const std::optional<store::store_error>& e) mutable {
    settle(fx, !e);
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
  if (s.durable) s.durable->disconnected_at.reset();
  if (store_ == nullptr) {
    link->push(frames);
    return false;
  }
  const bool keep = s.expiry_interval > 0;
  const auto now = clock_pair::now();
  store::write_batch b;
  std::uint64_t sent_through = 0;
  if (keep) {
    if (!s.durable) s.durable = std::make_unique<durable_state>();
    if (s.persistent) take_deferred(s, b);
    // Starting to be kept (a new session, or one resumed with a longer
    // expiry): all of it, as it is now; else what changed.
    session::journal all;
    if (!s.persistent) s.state.snapshot(all);
    const session::journal& events = s.persistent ? s.durable->journal : all;
    // The resends and the window filled by attach(): the CONNACK and they
    // wait for this commit, which raises sent_through over them.
    raise_sent_through(s, scan(events).top_sent);
    sent_through = s.durable->marks->sent_through_committed;
    add_record(s, b, now);
    if (!s.persistent) {
      for (const auto& [filter, rec] : s.subscriptions.get()) {
        b.put_subscription(store::subscription_record{s.state.client_id(), filter, rec.options, rec.identifier});
      }
      for (auto id : s.state.inbound_qos2_ids()) b.put_inbound_qos2(s.state.client_id(), id);
    }
    add_events(s, events, b, now);
  } else if (s.persistent) {
    b.delete_session(s.state.client_id());  // resumed with expiry 0: no longer kept
  }
  s.persistent = keep;
  if (keep) {
    s.durable->journal.clear();
    s.state.set_journal(&s.durable->journal);
  } else {
    s.state.set_journal(nullptr);
    s.durable.reset();
  }
  if (b.empty()) {
    link->push(frames);
    return false;
  }
  commit(std::move(b), std::move(frames), link, commit_effects{keep ? s.durable->marks : nullptr, sent_through, false});
  return true;
}

void persistence::record_changed(session_slot& s) {
  if (!s.persistent) return;
  const auto now = clock_pair::now();
  store::write_batch b;
  take_deferred(s, b);
  auto& d = *s.durable;  // a kept session has it
  raise_sent_through(s, scan(d.journal).top_sent);
  add_record(s, b, now);
  add_events(s, d.journal, b, now);
  d.journal.clear();
  commit(std::move(b), {}, nullptr, commit_effects{d.marks, d.marks->sent_through_committed, false});
}

void persistence::ended(session_slot& s) {
  s.state.set_journal(nullptr);
  s.durable.reset();  // the session's deletion covers what was deferred
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
  if (s.journal().empty()) {
    if (link) link->push(frames);
    return false;
  }
  auto& journal = s.durable->journal;  // a journal is set only while the session is kept
  auto& m = *s.durable->marks;
  const journal_scan j = scan(journal);
  const bool raised = raise_sent_through(s, j.top_sent);
  const bool congested = m.deferred_commits.load(std::memory_order_acquire) >= max_deferred_commits;
  // The frames wait for the store when they show the client something not
  // durable yet: a new entry, a PUBREL, a QoS 2 send, a QoS 1 send past the
  // durable sent_through; or when deferred writes pile up.
  const bool hold = j.must_write || j.top_sent > m.sent_through.load(std::memory_order_acquire) || congested;
  if (!j.must_write && !raised) {
    // Only ends and covered QoS 1 sends: the deletions can wait.
    for (const auto& e : journal) {
      if (e.what == session::journal_event::kind::finished) m.deferred_deletes.push_back(e.sequence);
    }
    journal.clear();
    if (m.deferred_deletes.size() < max_deferred && !hold) {
      if (link) link->push(frames);
      return false;
    }
    store::write_batch b;
    take_deferred(s, b);
    b.set_relaxed();  // deletions only: losing them sends messages again, with DUP
    const bool counted = !b.empty();
    commit(std::move(b), hold ? std::move(frames) : session::frame_list{}, link, commit_effects{s.durable->marks, 0, counted});
    if (!hold && link) link->push(frames);
    return true;
  }
  store::write_batch b;
  take_deferred(s, b);  // older than the journal's changes: first
  if (raised) add_record(s, b, clock_pair::now());
  add_events(s, journal, b, clock_pair::now());
  journal.clear();
  commit(std::move(b), hold ? std::move(frames) : session::frame_list{}, link,
         commit_effects{s.durable->marks, m.sent_through_committed, false});
  if (!hold && link) link->push(frames);
  return true;
}

void persistence::flush_deferred(session_slot& s) {
  if (!s.persistent || !s.durable || s.durable->marks->deferred_deletes.empty()) return;
  store::write_batch b;
  take_deferred(s, b);
  b.set_relaxed();
  commit(std::move(b), {}, nullptr, commit_effects{s.durable->marks, 0, true});
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
