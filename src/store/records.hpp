// The plain records the store keeps. They carry no session logic: the broker
// turns its state into these and back. Times that must survive a restart are
// wall-clock (system_clock): a steady_clock reading means nothing after a
// reboot, and a session that expired while the broker was down must be seen
// as expired.
//
// Keys: a session is identified by its client id; everything else of a
// session (subscriptions, queue entries, inbound QoS 2 ids) is keyed by that
// client id too, and goes when the session is deleted.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocol/packet.hpp"

namespace gridmq::store {

using wall_clock = std::chrono::system_clock;
// Stored with millisecond resolution (see record_codec.hpp).
using wall_time = std::chrono::time_point<wall_clock, std::chrono::milliseconds>;

inline wall_time wall_now() noexcept { return std::chrono::time_point_cast<std::chrono::milliseconds>(wall_clock::now()); }

// Session Expiry Interval 0xFFFFFFFF: the session does not expire (3.1.2.11.2).
inline constexpr std::uint32_t never_expires = 0xFFFFFFFF;

struct session_record {
  std::string client_id;
  protocol::protocol_version version = protocol::protocol_version::v311;
  std::uint32_t expiry_interval = 0;  // seconds after disconnect
  // Wall time of the disconnect; nullopt = the session was connected when
  // this record was written (after a crash: treat it as disconnected at the
  // time of recovery, or at the broker's last known time).
  std::optional<wall_time> disconnected_at;
  std::optional<protocol::will> will;
  // When the will is due (disconnect + Will Delay Interval); nullopt while
  // the session is connected.
  std::optional<wall_time> will_at;
  // With authorization: the (case-folded) authentication name that owns the
  // session, so that after a restart another name still may not take it and
  // it still counts against its owner's session limit. Empty: none.
  std::string authentication_name;
  // Every queued QoS 1 entry with a sequence up to this one may have been
  // sent (the broker sends those without writing their in-flight state, and
  // raises this ahead of them): after a restart they go out with DUP=1.
  // 0 = none. Session bit 16 (record_codec.hpp).
  std::uint64_t sent_through = 0;

  // When the session ends if nobody resumes it; nullopt = never or connected.
  std::optional<wall_time> expires_at() const noexcept {
    if (!disconnected_at || expiry_interval == never_expires) return std::nullopt;
    return *disconnected_at + std::chrono::seconds(expiry_interval);
  }
};

struct subscription_record {
  std::string client_id;
  std::string filter;  // full filter, including any "$share/<group>/" prefix
  protocol::subscribe_options options;
  std::uint32_t identifier = 0;  // Subscription Identifier, 0 = none
};

// An application message, stored once however many queues refer to it.
struct message_record {
  std::uint64_t id = 0;  // chosen by the broker, unique while stored
  std::string topic;
  protocol::payload_ptr payload;  // never null once decoded
  protocol::qos qos_level = protocol::qos::at_most_once;
  bool retain = false;
  protocol::properties props;           // forwarded v5 properties
  std::optional<wall_time> expires_at;  // from Message Expiry Interval
};

// Where a queued message stands in its session's delivery ([MQTT-4.3]).
enum class entry_state : std::uint8_t {
  queued = 0,            // not sent yet (window full, or session offline)
  inflight_publish = 1,  // PUBLISH sent with packet_id, awaiting PUBACK / PUBREC
  inflight_pubrel = 2,   // PUBREC received, PUBREL sent, awaiting PUBCOMP
};

// One message in one session's queue. `sequence` orders a session's entries
// (the broker hands out increasing numbers); an entry keeps the message it
// points to alive (reference counted by the store).
struct queue_entry {
  std::string client_id;
  std::uint64_t sequence = 0;
  std::uint64_t message_id = 0;
  entry_state state = entry_state::queued;
  std::uint16_t packet_id = 0;  // inflight states only
  // How this session gets the message (after merging its subscriptions).
  protocol::qos qos_level = protocol::qos::at_most_once;
  bool retain = false;  // Retain As Published
  std::vector<std::uint32_t> subscription_ids;
  // The $share subscription the message came through (group and filter
  // without the "$share/<group>/" prefix); empty group: an ordinary one.
  // Kept so that the message can move to another member of the group when
  // this session ends, after a restart as before it ([MQTT-4.8.2]).
  std::string share_group;
  std::string share_filter;
};

// A QoS 2 packet id received from the client, awaiting its PUBREL
// ([MQTT-4.3.3-9]): a resend must not be routed twice.
struct inbound_qos2 {
  std::string client_id;
  std::uint16_t packet_id = 0;
};

// A retained message: keyed by its topic (message.topic). Stored apart from
// queued messages; not reference counted.
struct retained_record {
  message_record message;
};

}  // namespace gridmq::store
