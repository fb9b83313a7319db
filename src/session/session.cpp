#include "session/session.hpp"

#include <algorithm>
#include <utility>

#include "protocol/codec.hpp"
#include "session/publish_encoder.hpp"

namespace gridmq::session {

using protocol::qos;

session::session(std::string client_id, session_limits limits)
    : client_id_(std::move(client_id)), limits_(limits) {}

void session::attach(const link_params& link, clock::time_point now, frame_list& out) {
  link_ = link;
  attached_ = true;
  aliases_.reset(link.version == protocol::protocol_version::v5 ? link.topic_alias_maximum : 0);
  // [MQTT-4.4.0-1] resend unacknowledged PUBLISH (DUP=1) and PUBREL packets,
  // in their original order ([MQTT-4.6.0-1]).
  for (const auto& [seq, packet_id] : send_order_) {
    const auto& e = inflight_.at(packet_id);
    if (e.state == outbound_state::await_pubcomp) {
      protocol::encode(protocol::pubrel{packet_id, protocol::reason_code::success, {}}, link_.version, out.emplace_back().bytes);
    } else {
      encode(*e.msg, e.how, packet_id, true, now, out);
    }
  }
  fill_window(now, out);
}

void session::detach() noexcept { attached_ = false; }

bool session::window_open() const noexcept {
  std::size_t window = std::min<std::size_t>(link_.receive_maximum, limits_.max_inflight);
  return inflight_.size() < std::max<std::size_t>(window, 1);
}

std::uint16_t session::next_packet_id() noexcept {
  do {
    ++last_packet_id_;
    if (last_packet_id_ == 0) last_packet_id_ = 1;  // [MQTT-2.2.1-3] never 0
  } while (inflight_.count(last_packet_id_) != 0);
  return last_packet_id_;
}

bool session::fits_client(const message& m, const delivery& d) const noexcept {
  if (link_.maximum_packet_size == 0) return true;
  // Cheap test first: the headers of a delivery stay far below this margin
  // unless the message carries large properties, which the exact test sees.
  if (m.payload_size() + m.topic.size() + 256 < link_.maximum_packet_size && m.props.user_properties.empty() &&
      !m.props.correlation_data && !m.props.response_topic) {
    return true;
  }
  // Exact size, with the full topic (an alias could only make it smaller).
  return delivery_size(m, d, link_.version) <= link_.maximum_packet_size;
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

void session::send_entry(std::uint64_t seq, const message_ptr& m, const delivery& d, bool created,
                         clock::time_point now, frame_list& out) {
  auto packet_id = next_packet_id();
  auto state = d.qos_level == qos::at_least_once ? outbound_state::await_puback : outbound_state::await_pubrec;
  auto& e = inflight_.emplace(packet_id, inflight_entry{seq, m, d, state}).first->second;
  send_order_.emplace(seq, packet_id);
  note(created ? journal_event::kind::created : journal_event::kind::sent, seq, entry_state::inflight_publish,
       packet_id, m, &e.how);
  encode(*m, d, packet_id, false, now, out);
}

void session::finish_inflight(std::map<std::uint16_t, inflight_entry>::iterator it) {
  auto seq = it->second.seq;
  send_order_.erase(seq);
  inflight_.erase(it);
  note(journal_event::kind::finished, seq);
}

void session::encode(const message& m, const delivery& d, std::uint16_t packet_id, bool dup, clock::time_point now,
                     frame_list& out) {
  alias_use alias;
  if (link_.topic_alias_maximum != 0) {
    auto c = aliases_.use(m.topic);
    alias = {c.alias, c.send_topic};
  }
  encode_delivery(m, d, packet_id, dup, link_.version, now, out, alias);
}

deliver_status session::deliver(const message_ptr& m, const delivery& d, clock::time_point now, frame_list& out) {
  if (m->is_expired(now)) return deliver_status::dropped_expired;
  if (d.qos_level == qos::at_most_once) {
    // QoS 0 is not queued for an absent client (as Event Grid and Mosquitto).
    if (!attached_) return deliver_status::dropped_qos0;
    if (!fits_client(*m, d)) return deliver_status::dropped_too_large;  // [MQTT-3.1.2-25]
    encode(*m, d, 0, false, now, out);
    return deliver_status::sent;
  }
  if (attached_ && queue_.empty() && window_open()) {
    if (!fits_client(*m, d)) return deliver_status::dropped_too_large;
    send_entry(++last_seq_, m, d, true, now, out);
    return deliver_status::sent;
  }
  return enqueue(m, d);
}

deliver_status session::enqueue(const message_ptr& m, const delivery& d) {
  auto size = m->payload_size();
  auto over = [&] {
    return queue_.size() + 1 > limits_.max_queued_messages || queued_bytes_ + size > limits_.max_queued_bytes;
  };
  if (over()) {
    switch (limits_.overflow) {
      case overflow_policy::terminate:
        ++dropped_;
        return deliver_status::overflow_terminate;
      case overflow_policy::drop_new:
        ++dropped_;
        return deliver_status::dropped_overflow;
      case overflow_policy::drop_oldest:
        while (!queue_.empty() && over()) {
          queued_bytes_ -= queue_.front().msg->payload_size();
          note(journal_event::kind::finished, queue_.front().seq);
          queue_.pop_front();
          ++dropped_;
        }
        if (over()) {  // the message alone exceeds the byte limit
          ++dropped_;
          return deliver_status::dropped_overflow;
        }
        break;
    }
  }
  queued_bytes_ += size;
  auto& e = queue_.emplace_back(queued_entry{++last_seq_, m, d});
  note(journal_event::kind::created, e.seq, entry_state::queued, 0, m, &e.how);
  return deliver_status::queued;
}

void session::fill_window(clock::time_point now, frame_list& out) {
  while (attached_ && !queue_.empty() && window_open()) {
    auto e = std::move(queue_.front());
    queue_.pop_front();
    queued_bytes_ -= e.msg->payload_size();
    if (e.msg->is_expired(now) || !fits_client(*e.msg, e.how)) {
      // Expired while waiting ([MQTT-3.3.2-5]), or too large for this client.
      if (!e.msg->is_expired(now)) ++dropped_;
      note(journal_event::kind::finished, e.seq);
      continue;
    }
    send_entry(e.seq, e.msg, e.how, false, now, out);
  }
}

bool session::on_puback(std::uint16_t packet_id, clock::time_point now, frame_list& out) {
  auto it = inflight_.find(packet_id);
  if (it == inflight_.end() || it->second.state != outbound_state::await_puback) return false;
  finish_inflight(it);
  fill_window(now, out);
  return true;
}

bool session::on_pubrec(std::uint16_t packet_id, protocol::reason_code code, clock::time_point now,
                        frame_list& out) {
  auto it = inflight_.find(packet_id);
  if (it == inflight_.end()) return false;
  if (it->second.state == outbound_state::await_pubcomp) {
    // A repeated PUBREC: answer with PUBREL again.
    protocol::encode(protocol::pubrel{packet_id, protocol::reason_code::success, {}}, link_.version, out.emplace_back().bytes);
    return true;
  }
  if (it->second.state != outbound_state::await_pubrec) return false;
  if (protocol::is_error(code)) {
    // [MQTT-4.3.3] a PUBREC with an error ends the exchange; no PUBREL.
    finish_inflight(it);
    fill_window(now, out);
    return true;
  }
  // [MQTT-4.3.3-4] from here on only the PUBREL is resent, never the PUBLISH.
  // The message stays referenced until PUBCOMP so that the store's entry
  // (which keeps it too) and this one stay alike.
  auto& e = it->second;
  e.state = outbound_state::await_pubcomp;
  note(journal_event::kind::released, e.seq, entry_state::inflight_pubrel, packet_id, e.msg, &e.how);
  protocol::encode(protocol::pubrel{packet_id, protocol::reason_code::success, {}}, link_.version, out.emplace_back().bytes);
  return true;
}

bool session::on_pubcomp(std::uint16_t packet_id, clock::time_point now, frame_list& out) {
  auto it = inflight_.find(packet_id);
  if (it == inflight_.end() || it->second.state != outbound_state::await_pubcomp) return false;
  finish_inflight(it);
  fill_window(now, out);
  return true;
}

bool session::inbound_qos2_begin(std::uint16_t packet_id) { return inbound_qos2_.insert(packet_id).second; }

bool session::inbound_qos2_release(std::uint16_t packet_id) { return inbound_qos2_.erase(packet_id) != 0; }

std::vector<pending_delivery> session::take_shared() {
  std::vector<pending_delivery> out;
  for (auto it = send_order_.begin(); it != send_order_.end();) {
    auto packet_id = it->second;
    auto& e = inflight_.at(packet_id);
    if (e.how.share && e.state != outbound_state::await_pubcomp) {
      note(journal_event::kind::finished, e.seq);
      out.push_back({std::move(e.msg), std::move(e.how)});
      inflight_.erase(packet_id);
      it = send_order_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto it = queue_.begin(); it != queue_.end();) {
    if (it->how.share) {
      queued_bytes_ -= it->msg->payload_size();
      note(journal_event::kind::finished, it->seq);
      out.push_back({std::move(it->msg), std::move(it->how)});
      it = queue_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

void session::clear() noexcept {
  inflight_.clear();
  send_order_.clear();
  queue_.clear();
  queued_bytes_ = 0;
  inbound_qos2_.clear();
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
  for (const auto& [seq, packet_id] : send_order_) {
    const auto& e = inflight_.at(packet_id);
    add(seq, e.state == outbound_state::await_pubcomp ? entry_state::inflight_pubrel : entry_state::inflight_publish,
        packet_id, e.msg, e.how);
  }
  for (const auto& e : queue_) add(e.seq, entry_state::queued, 0, e.msg, e.how);
}

void session::restore(std::uint64_t sequence, message_ptr m, delivery d, entry_state state,
                      std::uint16_t packet_id) {
  if (!m) return;
  last_seq_ = std::max(last_seq_, sequence);
  const bool inflight = state != entry_state::queued && packet_id != 0 && inflight_.count(packet_id) == 0 &&
                        d.qos_level != qos::at_most_once;
  if (!inflight) {
    queued_bytes_ += m->payload_size();
    // Entries come in sequence order, so this is an append (constant time
    // for a million entries); only a demoted one can go further forward.
    if (queue_.empty() || queue_.back().seq < sequence) {
      queue_.push_back(queued_entry{sequence, std::move(m), std::move(d)});
      return;
    }
    auto pos = std::find_if(queue_.begin(), queue_.end(), [&](const queued_entry& q) { return q.seq > sequence; });
    queue_.insert(pos, queued_entry{sequence, std::move(m), std::move(d)});
    return;
  }
  outbound_state st = state == entry_state::inflight_pubrel ? outbound_state::await_pubcomp
                      : d.qos_level == qos::at_least_once   ? outbound_state::await_puback
                                                            : outbound_state::await_pubrec;
  inflight_.emplace(packet_id, inflight_entry{sequence, std::move(m), std::move(d), st});
  send_order_.emplace(sequence, packet_id);
  last_packet_id_ = packet_id;
}

std::vector<std::uint16_t> session::inbound_qos2_ids() const {
  std::vector<std::uint16_t> ids(inbound_qos2_.begin(), inbound_qos2_.end());
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace gridmq::session
