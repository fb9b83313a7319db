// Resending on reconnect, and the order of resends after a restart.
//
// The rule. Everything that may have reached the client goes out again in
// the order it was first sent, which is sequence order (journal.hpp):
// [MQTT-4.6.0-1] "When it re-sends any PUBLISH packets, it MUST re-send
// them in the order in which the original PUBLISH packets were sent (this
// applies to QoS 1 and QoS 2 messages)".
//
// Why it needs work: the store keeps no in-flight state for QoS 1 (the
// `sent_through` lease, docs/architecture.md), so a restored QoS 1 entry
// that was sent comes back queued and maybe-sent, while a QoS 2 entry in
// flight comes back into the window with its packet id. Resending the
// window before the queue would send QoS 2 B (seq 10) before QoS 1 A
// (seq 5). So at attach() the queued entries that precede the last live
// in-flight entry join the window, merged by sequence, each under a fresh
// packet id that no restored entry holds. The window is then in sequence
// order again (its invariant: send order).
//
// Receive Maximum: a resent PUBLISH is a PUBLISH, so it takes a place in
// the new connection's send quota ([MQTT-4.9.0-2]); every PUBLISH entry
// of the window is `held` at attach() and resent, in order, as places
// free, before anything of the queue or any new message. A PUBREL is not a
// PUBLISH: all of them go out at attach(), each in its sequence place
// unless an earlier PUBLISH waits for the quota. The spec asks PUBRELs in
// the order of the PUBRECs received ([MQTT-4.6.0-4]); the client sent its
// PUBRECs in the order of our PUBLISHes ([MQTT-4.6.0-3]), so sequence order
// is that order too. It sets no order between PUBRELs and PUBLISHes.
// (A PUBREL entry still counts in the window until its PUBCOMP, as it did
// on the connection that sent its PUBLISH: cautious, never above it.)
#include <vector>

#include "protocol/codec.hpp"
#include "session/session.hpp"

namespace gridmq::session {

using protocol::qos;

void session::promote_preceding_queued(clock::time_point now) {
  auto& o = *out_;
  auto& window = o.inflight;
  auto& queue = o.queue;
  if (queue.empty() || o.inflight_live == 0) return;
  std::uint64_t last_live = 0;
  for (std::size_t i = window.size(); i > 0; --i) {
    if (window[i - 1].state != outbound_state::none) {
      last_live = window[i - 1].seq;
      break;
    }
  }
  if (queue.front().seq > last_live) return;  // the usual case: the queue comes after

  // Fresh ids avoid every live one: one pass to mark them (8 KiB, only on
  // this path, once per reconnect after a restart).
  std::vector<bool> taken(65536, false);
  for (std::size_t i = 0; i < window.size(); ++i) {
    if (window[i].state != outbound_state::none) taken[window[i].packet_id] = true;
  }
  auto fresh_id = [&] {
    do {
      last_packet_id_ = last_packet_id_ == 65535 ? 1 : last_packet_id_ + 1;  // [MQTT-2.2.1-3] never 0
    } while (taken[last_packet_id_]);
    taken[last_packet_id_] = true;
    return last_packet_id_;
  };

  ring<entry> merged;
  std::size_t i = 0;
  auto queue_next = [&] {
    // Past 65535 live ids none is left to give: the rest stays queued (only
    // a window of nearly 65535 restored entries can get there).
    return !queue.empty() && queue.front().seq < last_live && o.inflight_live < 65535 &&
           (i == window.size() || queue.front().seq < window[i].seq);
  };
  while (i < window.size() || queue_next()) {
    if (!queue_next()) {
      if (window[i].state != outbound_state::none) merged.push_back(std::move(window[i]));
      ++i;  // finished places are dropped on the way
      continue;
    }
    entry e = std::move(queue.front());
    queue.pop_front();
    o.queued_bytes -= e.msg->payload_size();
    const bool expired = e.msg->is_expired(now);
    if (expired || !fits_client(*e.msg, e.how)) {
      // As fill_window(): expired while waiting ([MQTT-3.3.2-5]), or too
      // large for this client.
      if (!expired) count_drop();
      note(journal_event::kind::finished, e.seq);
      continue;
    }
    e.packet_id = fresh_id();
    e.state = e.how.qos_level == qos::at_least_once ? outbound_state::await_puback : outbound_state::await_pubrec;
    ++o.inflight_live;
    note(journal_event::kind::sent, e.seq, entry_state::inflight_publish, e.packet_id, e.msg, &e.how);
    merged.push_back(std::move(e));
  }
  window = std::move(merged);
  o.ids_unordered = true;  // the fresh ids do not follow the window's order
}

void session::resend(bool pubrels, clock::time_point now, frame_list& out) {
  auto& window = out_->inflight;
  bool blocked = false;
  for (std::size_t i = 0; i < window.size(); ++i) {
    if (!pubrels && (out_->held == 0 || blocked)) break;
    auto& e = window[i];
    if (e.state == outbound_state::await_pubcomp) {
      // [MQTT-4.4.0-1] the PUBREL again, same packet id.
      if (pubrels) protocol::encode(protocol::pubrel{e.packet_id, protocol::reason_code::success, {}}, version_,
                                    out.emplace_back().bytes);
      continue;
    }
    if (!e.held || blocked) continue;
    if (!window_open()) {
      blocked = true;  // later PUBLISHes wait behind this one
      continue;
    }
    e.held = false;
    --out_->held;
    // [MQTT-4.4.0-1] the PUBLISH again, DUP=1 ([MQTT-3.3.1-1]), same packet id.
    encode(e.msg, e.how, e.packet_id, true, now, out);
  }
}

}  // namespace gridmq::session
