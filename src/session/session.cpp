#include "session/session.hpp"

#include <algorithm>
#include <utility>

#include "protocol/codec.hpp"
#include "session/publish_encoder.hpp"

namespace gridmq::session {

using protocol::qos;

namespace {

// How many ids after `from` comes `to`, in the cycle 1..65535 that packet
// ids follow (0 is never used, [MQTT-2.2.1-3]).
std::size_t id_distance(std::uint16_t from, std::uint16_t to) noexcept {
  return static_cast<std::size_t>((static_cast<int>(to) - static_cast<int>(from) + 65535) % 65535);
}

// A ring that held a large burst gives its memory back once it empties.
constexpr std::size_t keep_capacity = 1024;

}  // namespace

session::session(std::string client_id, const session_limits& limits)
    : client_id_(std::move(client_id)), limits_(&limits) {}

session::session(std::string client_id) : client_id_(std::move(client_id)) {
  static const session_limits defaults{};
  limits_ = &defaults;
}

session::outbound& session::make_outbound() {
  if (!out_) {
    out_ = std::make_unique<outbound>();
    out_->aliases.reset(version_ == protocol::protocol_version::v5 ? topic_alias_maximum_ : 0);
  }
  return *out_;
}

void session::release_if_idle() noexcept {
  // Finished places are reclaimed as soon as nothing is live, so an idle
  // block holds only its (empty) buffers and, while attached, aliases the
  // client knows: kept then, as [MQTT-3.3.2-10] ties them to the connection.
  if (out_ && out_->idle() && (!attached_ || out_->aliases.size() == 0)) out_.reset();
}

void session::attach(const link_params& link, clock::time_point now, frame_list& out) {
  maximum_packet_size_ = link.maximum_packet_size;
  receive_maximum_ = link.receive_maximum;
  topic_alias_maximum_ = link.topic_alias_maximum;
  version_ = link.version;
  attached_ = true;
  if (!out_) return;  // nothing in flight, nothing queued
  out_->aliases.reset(version_ == protocol::protocol_version::v5 ? topic_alias_maximum_ : 0);
  promote_preceding_queued(now);
  // Every PUBLISH in flight was sent on an earlier connection: none holds a
  // place in this one's send quota until it is resent ([MQTT-4.9.0-2]).
  auto& window = out_->inflight;
  out_->held = 0;
  for (std::size_t i = 0; i < window.size(); ++i) {
    auto& e = window[i];
    e.held = e.state == outbound_state::await_puback || e.state == outbound_state::await_pubrec;
    if (e.held) ++out_->held;
  }
  resend(true, now, out);
  fill_window(now, out);
}

void session::detach() noexcept {
  attached_ = false;
  // Not earlier: a connected client that was sent one QoS 1 message is
  // likely sent more, and freeing the block at each acknowledgement would
  // cost an allocation per message.
  release_if_idle();
}

bool session::window_open() const noexcept {
  if (!out_) return true;
  std::size_t window = std::min<std::size_t>(receive_maximum_, limits_->max_inflight);
  // Held entries take their place when resent; a new packet id needs one of
  // the 65535 free (entries from earlier connections hold theirs).
  return out_->inflight_live - out_->held < std::max<std::size_t>(window, 1) && out_->inflight_live < 65535;
}

std::uint16_t session::next_packet_id() noexcept {
  do {
    last_packet_id_ = last_packet_id_ == 65535 ? 1 : last_packet_id_ + 1;  // [MQTT-2.2.1-3] never 0
  } while (packet_id_in_use(last_packet_id_));
  return last_packet_id_;
}

bool session::packet_id_in_use(std::uint16_t id) noexcept {
  if (!out_ || out_->inflight_live == 0) return false;
  if (!out_->ids_unordered) {
    // The live ids run from the front's to the last one handed out: the
    // next id can meet one of them only by wrapping round to the front's.
    if (id != out_->inflight.front().packet_id) return false;
    out_->ids_unordered = true;  // ids handed out from now on no longer follow send order
    return true;
  }
  return find_inflight(id) != npos;
}

std::size_t session::find_inflight(std::uint16_t packet_id) const noexcept {
  if (!out_) return npos;
  const auto& window = out_->inflight;
  const std::size_t n = window.size();
  if (n == 0) return npos;
  auto live_with_id = [&](std::size_t i) {
    const auto& e = window[i];
    return e.packet_id == packet_id && e.state != outbound_state::none;
  };
  // Acknowledgements come nearly in order: the entry is normally as far
  // from the front as its id is from the front's id. Counting back from
  // the last entry finds those sent after places were reclaimed.
  const std::size_t ahead = id_distance(window.front().packet_id, packet_id);
  if (ahead < n && live_with_id(ahead)) return ahead;
  const std::size_t behind = id_distance(packet_id, window.back().packet_id);
  if (behind < n && live_with_id(n - 1 - behind)) return n - 1 - behind;
  for (std::size_t i = 0; i < n; ++i) {
    if (live_with_id(i)) return i;
  }
  return npos;
}

bool session::fits_client(const message& m, const delivery& d) const noexcept {
  if (maximum_packet_size_ == 0) return true;
  // Cheap test first: the headers of a delivery stay far below this margin
  // unless the message carries large properties, which the exact test sees.
  if (m.payload_size() + m.topic.size() + 256 < maximum_packet_size_ && !m.forwarded) {
    return true;
  }
  // Exact size, with the full topic (an alias could only make it smaller).
  return delivery_size(m, d, version_) <= maximum_packet_size_;
}

void session::note(journal_event::kind what, std::uint64_t seq, entry_state state, std::uint16_t packet_id,
                   const message_ptr& m, const delivery* d) {
  if (journal_ == nullptr) return;
  auto& e = journal_->emplace_back();
  e.what = what;
  e.sequence = seq;
  e.state = state;
  e.packet_id = packet_id;
  e.msg = m;
  if (d != nullptr) e.how = *d;
}

void session::send_entry(entry&& e, bool created, clock::time_point now, frame_list& out) {
  e.packet_id = next_packet_id();
  e.state = e.how.qos_level == qos::at_least_once ? outbound_state::await_puback : outbound_state::await_pubrec;
  auto& o = make_outbound();
  const auto& in = o.inflight.push_back(std::move(e));
  ++o.inflight_live;
  note(created ? journal_event::kind::created : journal_event::kind::sent, in.seq, entry_state::inflight_publish,
       in.packet_id, in.msg, &in.how);
  encode(in.msg, in.how, in.packet_id, in.dup, now, out);
}

void session::finish_inflight(std::size_t pos) {
  auto& e = out_->inflight[pos];
  note(journal_event::kind::finished, e.seq);
  if (e.held) --out_->held;  // acknowledged from an earlier connection
  e.held = false;
  e.state = outbound_state::none;
  e.msg.reset();
  e.how = {};
  --out_->inflight_live;
  reclaim_inflight();
}

void session::reclaim_inflight() noexcept {
  if (!out_) return;
  auto& window = out_->inflight;
  while (!window.empty() && window.front().state == outbound_state::none) window.pop_front();
  if (out_->inflight_live == 0) {
    out_->ids_unordered = false;  // nothing in flight: any order holds again
    if (window.capacity() > keep_capacity) window.release();
    return;
  }
  if (window.size() > 2 * std::size_t{out_->inflight_live} + 64) {
    window.erase_if([](const entry& e) { return e.state == outbound_state::none; });
  }
}

void session::encode(const message_ptr& m, const delivery& d, std::uint16_t packet_id, bool dup,
                     clock::time_point now, frame_list& out) {
  alias_use alias;
  if (topic_alias_maximum_ != 0 && version_ == protocol::protocol_version::v5) {
    auto c = make_outbound().aliases.use(m->topic);
    alias = {c.alias, c.send_topic};
  }
  encode_delivery(m, d, packet_id, dup, version_, now, out, alias);
}

deliver_status session::deliver(const message_ptr& m, const delivery& d, clock::time_point now, frame_list& out) {
  if (m->is_expired(now)) return deliver_status::dropped_expired;
  if (d.qos_level == qos::at_most_once) {
    // QoS 0 is not queued for an absent client (as Event Grid and Mosquitto).
    if (!attached_) return deliver_status::dropped_qos0;
    if (!fits_client(*m, d)) return deliver_status::dropped_too_large;  // [MQTT-3.1.2-25]
    encode(m, d, 0, false, now, out);
    return deliver_status::sent;
  }
  if (attached_ && queued_count() == 0 && (!out_ || out_->held == 0) && window_open()) {
    if (!fits_client(*m, d)) return deliver_status::dropped_too_large;
    send_entry(entry{++last_seq_, m, d}, true, now, out);
    return deliver_status::sent;
  }
  return enqueue(m, d);
}

deliver_status session::enqueue(const message_ptr& m, const delivery& d) {
  auto size = m->payload_size();
  auto& o = make_outbound();
  auto& queue = o.queue;
  auto over = [&] {
    return queue.size() + 1 > limits_->max_queued_messages || o.queued_bytes + size > limits_->max_queued_bytes;
  };
  if (over()) {
    switch (limits_->overflow) {
      case overflow_policy::terminate:
        count_drop();
        return deliver_status::overflow_terminate;
      case overflow_policy::drop_new:
        count_drop();
        return deliver_status::dropped_overflow;
      case overflow_policy::drop_oldest:
        while (!queue.empty() && over()) {
          o.queued_bytes -= queue.front().msg->payload_size();
          note(journal_event::kind::finished, queue.front().seq);
          queue.pop_front();
          count_drop();
        }
        if (over()) {  // the message alone exceeds the byte limit
          count_drop();
          return deliver_status::dropped_overflow;
        }
        break;
    }
  }
  o.queued_bytes += size;
  auto& e = queue.push_back(entry{++last_seq_, m, d});
  note(journal_event::kind::created, e.seq, entry_state::queued, 0, m, &e.how);
  return deliver_status::queued;
}

void session::fill_window(clock::time_point now, frame_list& out) {
  if (!out_ || !attached_) return;
  if (out_->held != 0) resend(false, now, out);
  if (out_->held != 0) return;  // the queue comes after them ([MQTT-4.6.0-1])
  auto& queue = out_->queue;
  while (attached_ && !queue.empty() && window_open()) {
    auto& e = queue.front();
    out_->queued_bytes -= e.msg->payload_size();
    const bool expired = e.msg->is_expired(now);
    if (expired || !fits_client(*e.msg, e.how)) {
      // Expired while waiting ([MQTT-3.3.2-5]), or too large for this client.
      if (!expired) count_drop();
      note(journal_event::kind::finished, e.seq);
    } else {
      send_entry(std::move(e), false, now, out);
    }
    queue.pop_front();
  }
  if (queue.empty() && queue.capacity() > keep_capacity) queue.release();
}

bool session::on_puback(std::uint16_t packet_id, clock::time_point now, frame_list& out) {
  auto pos = find_inflight(packet_id);
  if (pos == npos || out_->inflight[pos].state != outbound_state::await_puback) return false;
  finish_inflight(pos);
  fill_window(now, out);
  return true;
}

bool session::on_pubrec(std::uint16_t packet_id, protocol::reason_code code, clock::time_point now,
                        frame_list& out) {
  auto pos = find_inflight(packet_id);
  if (pos == npos) return false;
  auto& e = out_->inflight[pos];
  if (e.state == outbound_state::await_pubcomp) {
    // A repeated PUBREC: answer with PUBREL again.
    protocol::encode(protocol::pubrel{packet_id, protocol::reason_code::success, {}}, version_, out.emplace_back().bytes);
    return true;
  }
  if (e.state != outbound_state::await_pubrec) return false;
  if (protocol::is_error(code)) {
    // [MQTT-4.3.3] a PUBREC with an error ends the exchange; no PUBREL.
    finish_inflight(pos);
    fill_window(now, out);
    return true;
  }
  if (e.held) --out_->held;  // PUBREC'd from an earlier connection: nothing to resend
  e.held = false;
  // [MQTT-4.3.3-4] from here on only the PUBREL is resent, never the PUBLISH.
  // The message stays referenced until PUBCOMP so that the store's entry
  // (which keeps it too) and this one stay alike.
  e.state = outbound_state::await_pubcomp;
  note(journal_event::kind::released, e.seq, entry_state::inflight_pubrel, packet_id, e.msg, &e.how);
  protocol::encode(protocol::pubrel{packet_id, protocol::reason_code::success, {}}, version_, out.emplace_back().bytes);
  return true;
}

bool session::on_pubcomp(std::uint16_t packet_id, clock::time_point now, frame_list& out) {
  auto pos = find_inflight(packet_id);
  if (pos == npos || out_->inflight[pos].state != outbound_state::await_pubcomp) return false;
  finish_inflight(pos);
  fill_window(now, out);
  return true;
}

bool session::inbound_qos2_begin(std::uint16_t packet_id) { return inbound_qos2_.mut().insert(packet_id).second; }

bool session::inbound_qos2_release(std::uint16_t packet_id) { return inbound_qos2_.has_value() && inbound_qos2_.mut().erase(packet_id) != 0; }

std::vector<pending_delivery> session::take_shared() {
  std::vector<pending_delivery> out;
  if (!out_) return out;
  auto& window = out_->inflight;
  for (std::size_t i = 0; i < window.size(); ++i) {
    auto& e = window[i];
    if (e.state == outbound_state::none || e.state == outbound_state::await_pubcomp || !e.how.share) continue;
    note(journal_event::kind::finished, e.seq);
    out.push_back({std::move(e.msg), std::move(e.how)});
    if (e.held) --out_->held;
    e.held = false;
    e.state = outbound_state::none;
    e.how = {};
    --out_->inflight_live;
  }
  reclaim_inflight();
  // The predicate runs once per entry, in order: it hands the entry over.
  out_->queue.erase_if([&](entry& e) {
    if (!e.how.share) return false;
    out_->queued_bytes -= e.msg->payload_size();
    note(journal_event::kind::finished, e.seq);
    out.push_back({std::move(e.msg), std::move(e.how)});
    return true;
  });
  release_if_idle();
  return out;
}

void session::clear() noexcept {
  // The outbound block goes with its aliases: the caller attaches the new
  // connection next, which starts a new alias table anyway.
  out_.reset();
  inbound_qos2_.reset();
}

void session::snapshot(journal& out) const {
  auto add = [&](std::uint64_t seq, entry_state st, std::uint16_t packet_id, const message_ptr& m,
                 const delivery& d) {
    auto& e = out.emplace_back();
    e.what = journal_event::kind::created;
    e.sequence = seq;
    e.state = st;
    e.packet_id = packet_id;
    e.msg = m;
    e.how = d;
  };
  if (!out_) return;
  const auto& window = out_->inflight;
  const auto& queue = out_->queue;
  for (std::size_t i = 0; i < window.size(); ++i) {
    const auto& e = window[i];
    if (e.state == outbound_state::none) continue;
    add(e.seq, e.state == outbound_state::await_pubcomp ? entry_state::inflight_pubrel : entry_state::inflight_publish,
        e.packet_id, e.msg, e.how);
  }
  for (std::size_t i = 0; i < queue.size(); ++i) {
    const auto& e = queue[i];
    add(e.seq, entry_state::queued, 0, e.msg, e.how);
  }
}

void session::restore(std::uint64_t sequence, message_ptr m, delivery d, entry_state state,
                      std::uint16_t packet_id, bool maybe_sent) {
  if (!m) return;
  last_seq_ = std::max(last_seq_, sequence);
  auto& o = make_outbound();
  auto& window = o.inflight;
  const bool inflight = state != entry_state::queued && packet_id != 0 && find_inflight(packet_id) == npos &&
                        d.qos_level != qos::at_most_once;
  if (!inflight) {
    auto& queue = o.queue;
    o.queued_bytes += m->payload_size();
    // Entries come in sequence order, so this is an append (constant time
    // for a million entries); only a demoted one can go further forward.
    std::size_t pos = queue.size();
    while (pos > 0 && queue[pos - 1].seq > sequence) --pos;
    const bool dup = maybe_sent || state != entry_state::queued;
    queue.insert(pos, entry{sequence, std::move(m), std::move(d), 0, outbound_state::none, dup});
    return;
  }
  outbound_state st = state == entry_state::inflight_pubrel ? outbound_state::await_pubcomp
                      : d.qos_level == qos::at_least_once   ? outbound_state::await_puback
                                                            : outbound_state::await_pubrec;
  // The store kept the ids it was given; unless they follow one another
  // from the front's, lookups must scan (see outbound::ids_unordered).
  if (!window.empty() &&
      id_distance(window.front().packet_id, packet_id) <= id_distance(window.front().packet_id, last_packet_id_)) {
    o.ids_unordered = true;
  }
  window.push_back(entry{sequence, std::move(m), std::move(d), packet_id, st});
  ++o.inflight_live;
  last_packet_id_ = packet_id;
}

std::vector<std::uint16_t> session::inbound_qos2_ids() const {
  std::vector<std::uint16_t> ids(inbound_qos2_.get().begin(), inbound_qos2_.get().end());
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace gridmq::session
