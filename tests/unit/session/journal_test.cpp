// The session's journal (journal.hpp): every change to a QoS 1/2 entry is
// reported, in order, with what the broker needs to write it to the store;
// snapshot() and restore() carry the whole state out and back in.
#include <gtest/gtest.h>

#include "session/session.hpp"
#include "fixtures.hpp"

namespace gridmq::session {
namespace {

using kind = journal_event::kind;
using protocol::qos;

using fixtures::at;
using fixtures::decode_publish;
using fixtures::link;

message_ptr make(std::string payload, std::uint64_t id, std::optional<std::uint32_t> expiry = std::nullopt) {
  return fixtures::message_of("t", std::move(payload), qos::exactly_once, id, expiry);
}

// A session with a journal, and the events since the last take().
struct journaled {
  session_limits lim;  // before s, which keeps a pointer to it
  session s;
  journal j;
  frame_list out;
  explicit journaled(session_limits l = {}) : lim(l), s("c", lim) { s.set_journal(&j); }
  journal take() { return std::exchange(j, {}); }
};

TEST(journal, offline_delivery_is_created_queued_then_sent_on_attach_then_finished_on_puback) {
  journaled x;
  x.s.deliver(make("a", 11), at(qos::at_least_once), clock::now(), x.out);
  x.s.deliver(make("b", 12), at(qos::at_least_once), clock::now(), x.out);
  auto ev = x.take();
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].what, kind::created);
  EXPECT_EQ(ev[0].state, entry_state::queued);
  EXPECT_EQ(ev[0].msg->id, 11u);
  EXPECT_EQ(ev[0].how.qos_level, qos::at_least_once);
  EXPECT_LT(ev[0].sequence, ev[1].sequence);  // delivery order

  x.s.attach(link(1), clock::now(), x.out);  // a window of one
  ev = x.take();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].what, kind::sent);
  EXPECT_EQ(ev[0].state, entry_state::inflight_publish);
  EXPECT_EQ(ev[0].packet_id, decode_publish(x.out.at(0)).packet_id);
  EXPECT_EQ(ev[0].msg->id, 11u);
  const auto first_seq = ev[0].sequence;

  ASSERT_TRUE(x.s.on_puback(ev[0].packet_id, clock::now(), x.out));
  ev = x.take();
  ASSERT_EQ(ev.size(), 2u);  // the ack finishes one and refills the window
  EXPECT_EQ(ev[0].what, kind::finished);
  EXPECT_EQ(ev[0].sequence, first_seq);
  EXPECT_EQ(ev[1].what, kind::sent);
  EXPECT_EQ(ev[1].msg->id, 12u);
}

TEST(journal, online_delivery_is_created_in_flight_and_qos0_is_not_journaled) {
  journaled x;
  x.s.attach(link(), clock::now(), x.out);
  x.s.deliver(make("a", 1), at(qos::at_most_once), clock::now(), x.out);
  EXPECT_TRUE(x.j.empty());
  x.s.deliver(make("b", 2), at(qos::exactly_once), clock::now(), x.out);
  auto ev = x.take();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].what, kind::created);
  EXPECT_EQ(ev[0].state, entry_state::inflight_publish);
  EXPECT_EQ(ev[0].packet_id, decode_publish(x.out.at(1)).packet_id);
}

TEST(journal, qos2_pubrec_releases_and_pubcomp_finishes) {
  journaled x;
  x.s.attach(link(), clock::now(), x.out);
  x.s.deliver(make("a", 1), at(qos::exactly_once), clock::now(), x.out);
  auto id = x.take().at(0).packet_id;
  ASSERT_TRUE(x.s.on_pubrec(id, protocol::reason_code::success, clock::now(), x.out));
  auto ev = x.take();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].what, kind::released);
  EXPECT_EQ(ev[0].state, entry_state::inflight_pubrel);
  EXPECT_EQ(ev[0].packet_id, id);
  EXPECT_EQ(ev[0].msg->id, 1u);
  // A repeated PUBREC changes nothing durable.
  ASSERT_TRUE(x.s.on_pubrec(id, protocol::reason_code::success, clock::now(), x.out));
  EXPECT_TRUE(x.j.empty());
  ASSERT_TRUE(x.s.on_pubcomp(id, clock::now(), x.out));
  ev = x.take();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].what, kind::finished);
}

TEST(journal, pubrec_with_an_error_finishes) {
  journaled x;
  x.s.attach(link(), clock::now(), x.out);
  x.s.deliver(make("a", 1), at(qos::exactly_once), clock::now(), x.out);
  auto created = x.take().at(0);
  ASSERT_TRUE(x.s.on_pubrec(created.packet_id, protocol::reason_code::unspecified_error, clock::now(), x.out));
  auto ev = x.take();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].what, kind::finished);
  EXPECT_EQ(ev[0].sequence, created.sequence);
}

TEST(journal, drop_oldest_finishes_the_oldest_and_drop_new_creates_nothing) {
  session_limits lim;
  lim.max_queued_messages = 1;
  lim.overflow = overflow_policy::drop_oldest;
  journaled x(lim);
  x.s.deliver(make("a", 1), at(qos::at_least_once), clock::now(), x.out);
  auto first = x.take().at(0).sequence;
  x.s.deliver(make("b", 2), at(qos::at_least_once), clock::now(), x.out);
  auto ev = x.take();
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].what, kind::finished);
  EXPECT_EQ(ev[0].sequence, first);
  EXPECT_EQ(ev[1].what, kind::created);
  EXPECT_EQ(ev[1].msg->id, 2u);

  lim.overflow = overflow_policy::drop_new;
  journaled y(lim);
  y.s.deliver(make("a", 1), at(qos::at_least_once), clock::now(), y.out);
  y.take();
  EXPECT_EQ(y.s.deliver(make("b", 2), at(qos::at_least_once), clock::now(), y.out), deliver_status::dropped_overflow);
  EXPECT_TRUE(y.j.empty());
}

TEST(journal, expired_at_fill_is_finished) {
  journaled x;
  auto now = clock::now();
  x.s.deliver(make("a", 1, 1), at(qos::at_least_once), now, x.out);
  auto seq = x.take().at(0).sequence;
  x.s.attach(link(), now + std::chrono::seconds(2), x.out);
  EXPECT_TRUE(x.out.empty());
  auto ev = x.take();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].what, kind::finished);
  EXPECT_EQ(ev[0].sequence, seq);
}

TEST(journal, take_shared_finishes_what_it_takes) {
  journaled x;
  auto shared = at(qos::at_least_once);
  shared.share = std::make_shared<const share_origin>(share_origin{"g", "t"});
  x.s.attach(link(1), clock::now(), x.out);
  x.s.deliver(make("a", 1), shared, clock::now(), x.out);                // in flight
  x.s.deliver(make("b", 2), shared, clock::now(), x.out);                // queued
  x.s.deliver(make("c", 3), at(qos::at_least_once), clock::now(), x.out);  // not shared: stays
  auto created = x.take();
  auto taken = x.s.take_shared();
  ASSERT_EQ(taken.size(), 2u);
  auto ev = x.take();
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].what, kind::finished);
  EXPECT_EQ(ev[0].sequence, created[0].sequence);
  EXPECT_EQ(ev[1].sequence, created[1].sequence);
}

TEST(journal, nothing_is_journaled_without_a_journal) {
  journaled x;
  x.s.set_journal(nullptr);
  x.s.deliver(make("a", 1), at(qos::at_least_once), clock::now(), x.out);
  x.s.attach(link(), clock::now(), x.out);
  EXPECT_TRUE(x.j.empty());
}

TEST(journal, snapshot_then_restore_gives_the_same_session) {
  journaled x;
  x.s.attach(link(2), clock::now(), x.out);
  for (std::uint64_t i = 1; i <= 4; ++i) {
    x.s.deliver(make(std::to_string(i), i), at(qos::exactly_once), clock::now(), x.out);
  }
  auto sent = x.take();
  ASSERT_TRUE(x.s.on_pubrec(sent[0].packet_id, protocol::reason_code::success, clock::now(), x.out));
  journal snap;
  x.s.snapshot(snap);
  ASSERT_EQ(snap.size(), 4u);
  EXPECT_EQ(snap[0].state, entry_state::inflight_pubrel);
  EXPECT_EQ(snap[1].state, entry_state::inflight_publish);
  EXPECT_EQ(snap[2].state, entry_state::queued);
  EXPECT_EQ(snap[3].state, entry_state::queued);

  // What recovery does with the store's entries.
  session r("c");
  for (const auto& e : snap) r.restore(e.sequence, e.msg, e.how, e.state, e.packet_id);
  frame_list out;
  r.attach(link(2), clock::now(), out);
  // [MQTT-4.4.0-1] the PUBREL, then the PUBLISH again with DUP, same ids.
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(static_cast<std::uint8_t>(out[0].bytes[0]), 0x62);
  auto p = decode_publish(out[1]);
  EXPECT_TRUE(p.dup);
  EXPECT_EQ(p.packet_id, snap[1].packet_id);
  EXPECT_EQ(*p.payload, "2");
  // Queued entries follow in order once the window opens.
  out.clear();
  ASSERT_TRUE(r.on_pubcomp(snap[0].packet_id, clock::now(), out));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(*decode_publish(out[0]).payload, "3");
  EXPECT_FALSE(decode_publish(out[0]).dup);
  // New entries continue after the restored sequences.
  journal j;
  r.set_journal(&j);
  r.deliver(make("5", 5), at(qos::at_least_once), clock::now(), out);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_GT(j[0].sequence, snap[3].sequence);
}

TEST(journal, restore_queues_an_in_flight_entry_whose_packet_id_is_taken) {
  session r("c");
  r.restore(1, make("a", 1), at(qos::at_least_once), entry_state::inflight_publish, 7);
  r.restore(2, make("b", 2), at(qos::at_least_once), entry_state::inflight_publish, 7);
  r.restore_inbound_qos2(9);
  EXPECT_EQ(r.inflight_count(), 1u);
  EXPECT_EQ(r.queued_count(), 1u);
  EXPECT_EQ(r.inbound_qos2_ids(), std::vector<std::uint16_t>{9});
  frame_list out;
  r.attach(link(), clock::now(), out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(*decode_publish(out[0]).payload, "a");
  EXPECT_EQ(*decode_publish(out[1]).payload, "b");
}

}  // namespace
}  // namespace gridmq::session
