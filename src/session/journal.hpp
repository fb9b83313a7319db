// The session's journal: what changed in its durable state (its QoS 1/2
// entries), as events the broker turns into store writes.
//
// Every QoS 1/2 message a session holds (queued, or in flight) is an entry
// with a per-session sequence number handed out at deliver() time; sequence
// order is delivery order, which is also the order of resends. An entry is
// created once, may move queued -> inflight_publish -> inflight_pubrel, and
// is finished once (acknowledged, dropped, expired or moved to another
// $share member). A session appends events only while a journal is set
// (session::set_journal): a session that is not persisted pays nothing.
#pragma once

#include <cstdint>
#include <vector>

#include "session/delivery.hpp"
#include "session/message.hpp"

namespace gridmq::session {

// Where an entry stands in the delivery ([MQTT-4.3.2], [MQTT-4.3.3]).
enum class entry_state : std::uint8_t {
  queued,            // not sent yet: window full or client away
  inflight_publish,  // PUBLISH sent, awaiting PUBACK / PUBREC
  inflight_pubrel,   // PUBREC received, PUBREL sent, awaiting PUBCOMP
};

struct journal_event {
  enum class kind : std::uint8_t {
    created,   // a new entry: `state` is queued or inflight_publish
    sent,      // queued -> inflight_publish with `packet_id`
    released,  // inflight_publish -> inflight_pubrel (PUBREC received)
    finished,  // the entry is gone
  };
  kind what = kind::created;
  std::uint64_t sequence = 0;
  entry_state state = entry_state::queued;  // the state after the event (not for finished)
  std::uint16_t packet_id = 0;              // inflight states
  // The entry's message and delivery (not for finished), so that the whole
  // entry can be written again on each change.
  message_ptr msg;
  delivery how;
};

using journal = std::vector<journal_event>;

}  // namespace gridmq::session
