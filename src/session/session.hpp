// One client session's delivery state, with no I/O.
//
// Role: the outbound half of MQTT's QoS machinery ([MQTT-4.3], [MQTT-4.4]):
// packet identifiers, the in-flight window bounded by the client's Receive
// Maximum ([MQTT-3.3.4-7]), the queue of messages waiting for the window or
// for the client to come back, resend with DUP on reconnect, and the inbound
// QoS 2 packet ids awaiting PUBREL ([MQTT-4.3.3-9..11]).
//
// Lifecycle: created at the first CONNECT of a ClientId; attach()ed to each
// connection that resumes it and detach()ed when that connection ends; it
// outlives connections while its expiry allows.
//
// Threads: not thread-safe; the broker guards each session with its own lock.
// Every call that may emit packets appends them to a caller-provided
// frame_list, in the order they must be written.
//
// Memory: an idle session holds its ClientId, what its connection
// negotiated and a few counters (88 bytes). The QoS 1/2 machinery (the
// in-flight window, the queue, their counters, the outbound topic aliases)
// lives in one `outbound` block created on the first QoS 1/2 delivery,
// restore or alias, kept while the connection lasts (no allocation per
// message), and given back at detach() or clear() once it holds nothing.
// The limits are the broker's, shared by every session.
//
// Persistence: with a journal set, every change to a QoS 1/2 entry is also
// appended there (journal.hpp), so the broker can write it to the store
// before it lets the frames of that change go out. restore() rebuilds the
// entries from what the store kept.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "base/lazy_value.hpp"
#include "protocol/packet.hpp"
#include "session/delivery.hpp"
#include "session/frame.hpp"
#include "session/journal.hpp"
#include "session/message.hpp"
#include "session/ring.hpp"
#include "topic/alias_table.hpp"

namespace gridmq::session {

enum class overflow_policy : std::uint8_t { terminate, drop_oldest, drop_new };

struct session_limits {
  std::uint64_t max_queued_bytes = 1024 * 1024;
  std::uint32_t max_queued_messages = 100;
  std::uint16_t max_inflight = 65535;  // the broker's own cap on the window
  overflow_policy overflow = overflow_policy::terminate;
};

struct pending_delivery {
  message_ptr msg;
  delivery how;
};

// What the connection negotiated, fixed while it is attached.
struct link_params {
  protocol::protocol_version version = protocol::protocol_version::v311;
  std::uint16_t receive_maximum = 65535;        // the client's
  std::uint32_t maximum_packet_size = 0;        // the client's, 0 = no limit
  std::uint16_t topic_alias_maximum = 0;        // the client's: aliases the broker may assign
};

enum class deliver_status { sent, queued, dropped_qos0, dropped_overflow, dropped_too_large, dropped_expired, overflow_terminate };

class session {
 public:
  // `limits` (the broker's, shared by all its sessions) must outlive the
  // session; a temporary is refused at compile time.
  session(std::string client_id, const session_limits& limits);
  session(std::string client_id, session_limits&& limits) = delete;
  // With the default limits.
  explicit session(std::string client_id);

  const std::string& client_id() const noexcept { return client_id_; }
  bool is_attached() const noexcept { return attached_; }

  // Binds to a new connection: resends unacknowledged PUBLISHes with DUP=1
  // and PUBRELs for PUBRECs received ([MQTT-4.4.0-1]), in sequence order
  // together with the restored maybe-sent entries that precede them
  // ([MQTT-4.6.0-1], session_resend.cpp), within the client's Receive
  // Maximum ([MQTT-4.9.0-2]); then fills the window from the queue.
  void attach(const link_params& link, clock::time_point now, frame_list& out);
  void detach() noexcept;

  // Delivers (or queues) a routed message.
  deliver_status deliver(const message_ptr& m, const delivery& d, clock::time_point now, frame_list& out);

  // Acknowledgements from the client. Return false for an unknown packet id.
  bool on_puback(std::uint16_t packet_id, clock::time_point now, frame_list& out);
  bool on_pubrec(std::uint16_t packet_id, protocol::reason_code code, clock::time_point now, frame_list& out);
  bool on_pubcomp(std::uint16_t packet_id, clock::time_point now, frame_list& out);

  // Inbound QoS 2: begin returns true the first time a packet id is seen
  // (route the message), false for a resend before PUBREL (do not route
  // again). release returns true if the id was pending.
  bool inbound_qos2_begin(std::uint16_t packet_id);
  bool inbound_qos2_release(std::uint16_t packet_id);
  std::size_t inbound_qos2_count() const noexcept { return inbound_qos2_.get().size(); }
  bool inbound_qos2_pending(std::uint16_t packet_id) const { return inbound_qos2_.get().count(packet_id) != 0; }

  // Drops all queued and in-flight state (Clean Start on an existing session).
  // Journals nothing: the caller deletes the whole session from the store.
  void clear() noexcept;

  // --- persistence
  // Appends the changes of every later call to `j` (null: stop). The caller
  // owns `j` and empties it as it writes the events out.
  void set_journal(journal* j) noexcept { journal_ = j; }
  // Appends a `created` event for every entry, in sequence order: the whole
  // durable state, for a session that starts being persisted.
  void snapshot(journal& out) const;
  // Recovery, before the first attach: re-creates an entry as the store
  // kept it (call in ascending sequence). An in-flight entry keeps its
  // packet id, so attach() resends it with DUP (or its PUBREL); one whose
  // packet id is already taken is queued instead. A queued entry that may
  // have been sent before the restart (`maybe_sent`, and every demoted one)
  // goes out with DUP=1 the first time ([MQTT-3.3.1-1]: "might be a
  // re-delivery"); one that precedes an in-flight entry joins the window at
  // attach(), so the resends keep the original order ([MQTT-4.6.0-1]).
  void restore(std::uint64_t sequence, message_ptr m, delivery d, entry_state state, std::uint16_t packet_id,
               bool maybe_sent = false);
  void restore_inbound_qos2(std::uint16_t packet_id) { inbound_qos2_.mut().insert(packet_id); }
  std::vector<std::uint16_t> inbound_qos2_ids() const;
  // Removes and returns the messages that came through a $share subscription
  // and that the client has not acknowledged (QoS 2 past PUBREC stays: the
  // client has it). For redistribution when the session ends ([MQTT-4.8.2]).
  std::vector<pending_delivery> take_shared();

  std::size_t inflight_count() const noexcept { return out_ ? out_->inflight_live : 0; }
  std::size_t queued_count() const noexcept { return out_ ? out_->queue.size() : 0; }
  std::uint64_t dropped_count() const noexcept { return dropped_; }
  // Whether the QoS 1/2 machinery is allocated (see "Memory" above).
  bool has_outbound_state() const noexcept { return out_ != nullptr; }

 private:
  // none: queued, or a finished place in the window not yet reclaimed.
  enum class outbound_state : std::uint8_t { none, await_puback, await_pubrec, await_pubcomp };
  // A QoS 1/2 message of this session, queued or in flight.
  struct entry {
    std::uint64_t seq = 0;
    message_ptr msg;
    delivery how;
    std::uint16_t packet_id = 0;  // in flight only
    outbound_state state = outbound_state::none;
    bool dup = false;  // queued, restored, and perhaps sent before the restart
    // In flight from an earlier connection, its PUBLISH not yet resent on
    // this one: it holds no place in this connection's send quota.
    bool held = false;
  };
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  bool window_open() const noexcept;
  std::uint16_t next_packet_id() noexcept;
  bool packet_id_in_use(std::uint16_t id) noexcept;
  // The position in the in-flight window of the live entry with `packet_id`, or npos.
  std::size_t find_inflight(std::uint16_t packet_id) const noexcept;
  // Sends a QoS 1/2 entry: it becomes in flight under a new packet id.
  void send_entry(entry&& e, bool created, clock::time_point now, frame_list& out);
  deliver_status enqueue(const message_ptr& m, const delivery& d);
  void fill_window(clock::time_point now, frame_list& out);
  // session_resend.cpp: at attach(), moves the queued entries that precede
  // a live in-flight entry into the window under fresh packet ids.
  void promote_preceding_queued(clock::time_point now);
  // Resends held PUBLISHes in window order while the quota allows; with
  // `pubrels`, also every PUBREL, in its place (attach()).
  void resend(bool pubrels, clock::time_point now, frame_list& out);
  // Ends the in-flight entry at `pos` (acknowledged or ended).
  void finish_inflight(std::size_t pos);
  // Reclaims finished places: at the front, and all of them when they
  // outnumber the live entries (a client that leaves one message
  // unacknowledged while acknowledging later ones).
  void reclaim_inflight() noexcept;
  void note(journal_event::kind what, std::uint64_t seq, entry_state state = entry_state::queued,
            std::uint16_t packet_id = 0, const message_ptr& m = nullptr, const delivery* d = nullptr);
  void encode(const message_ptr& m, const delivery& d, std::uint16_t packet_id, bool dup, clock::time_point now,
              frame_list& out);
  bool fits_client(const message& m, const delivery& d) const noexcept;

  // The QoS 1/2 machinery, on the heap while in use (see "Memory" above).
  struct outbound {
    // In flight, in send order (resends keep the delivery order,
    // [MQTT-4.6.0-1]); inflight_live counts the entries not finished.
    ring<entry> inflight;
    ring<entry> queue;  // allocates nothing while empty
    std::uint64_t queued_bytes = 0;
    std::uint32_t inflight_live = 0;  // live ids: at most 65535
    // Live entries whose PUBLISH awaits its resend on this connection
    // (entry::held); nothing new is sent before they are.
    std::uint32_t held = 0;
    // Packet ids are handed out one after another (skipping ids in use), so
    // while no id has wrapped round to one still in flight, the live ids lie
    // between the front entry's and last_packet_id_, in send order, and an
    // entry sits as far from the front as its id is from the front's id
    // (finished places stay until they reach the front). ids_unordered
    // records that this no longer holds (a wrap, or a restore), until the
    // window next empties: lookups then fall back to a scan.
    bool ids_unordered = false;
    topic::alias_table aliases;  // outbound, per connection
    bool idle() const noexcept { return inflight_live == 0 && queue.empty(); }
  };
  outbound& make_outbound();  // creates the block on first use
  // Gives the block back when it holds nothing a later call needs.
  void release_if_idle() noexcept;
  void count_drop() noexcept {
    if (dropped_ != UINT32_MAX) ++dropped_;  // a statistic: saturates
  }

  // Field order: 88 bytes, no padding hole (link_params as one member
  // would pad its 9 bytes to 12 and push the flags into another word).
  std::string client_id_;
  const session_limits* limits_ = nullptr;
  // What the attached (or last) connection negotiated (link_params).
  std::uint32_t maximum_packet_size_ = 0;
  std::uint16_t receive_maximum_ = 65535;
  std::uint16_t topic_alias_maximum_ = 0;
  protocol::protocol_version version_ = protocol::protocol_version::v311;
  bool attached_ = false;
  // Survives the outbound block, so that ids keep going round 1..65535.
  std::uint16_t last_packet_id_ = 0;
  std::uint32_t dropped_ = 0;
  std::uint64_t last_seq_ = 0;  // the last entry sequence handed out; never reused
  std::unique_ptr<outbound> out_;
  // Allocated on the first inbound QoS 2 PUBLISH: most clients never send one.
  lazy_value<std::unordered_set<std::uint16_t>> inbound_qos2_;
  journal* journal_ = nullptr;
};

}  // namespace gridmq::session
