// The in-flight window (session.hpp: a ring in send order plus the packet
// id arithmetic): packet ids that wrap past 65535 around an entry the client
// never acknowledges, acknowledgements out of order, the window bound, the
// resend order after all of that, and restore with ids the store kept.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <vector>

#include "session/session.hpp"
#include "fixtures.hpp"

namespace gridmq::session {
namespace {

using protocol::protocol_version;
using protocol::qos;

using fixtures::at;
using fixtures::decode_publish;
using fixtures::link;

message_ptr make(std::string payload, qos q = qos::at_least_once) {
  return fixtures::message_of("t", std::move(payload), q);
}

// Delivers one QoS 1 message to an attached session and returns its packet id.
std::uint16_t send_one(session& s, const std::string& payload) {
  frame_list out;
  EXPECT_EQ(s.deliver(make(payload), at(qos::at_least_once), clock::now(), out), deliver_status::sent);
  EXPECT_EQ(out.size(), 1u);
  return out.empty() ? 0 : decode_publish(out[0]).packet_id;
}

std::vector<std::string> resent_payloads(session& s) {
  s.detach();
  frame_list out;
  s.attach(link(), clock::now(), out);
  std::vector<std::string> got;
  for (const auto& f : out) {
    auto p = decode_publish(f);
    EXPECT_TRUE(p.dup);  // [MQTT-4.4.0-1]
    got.push_back(*p.payload);
  }
  return got;
}

// [MQTT-2.2.1-3] ids are never 0, and an id still in flight is not reused
// when the counter wraps round to it, while every other id keeps flowing.
TEST(inflight, packet_ids_wrap_around_an_entry_never_acknowledged) {
  session s("c");
  frame_list out;
  s.attach(link(), clock::now(), out);
  const auto stuck = send_one(s, "stuck");
  std::set<std::uint16_t> live{stuck};
  for (int i = 0; i < 140000; ++i) {
    auto id = send_one(s, "m");
    ASSERT_NE(id, 0);
    ASSERT_NE(id, stuck);
    ASSERT_TRUE(live.insert(id).second);
    // Acknowledge all but the two newest, so that ids keep wrapping.
    if (live.size() > 3) {
      auto oldest_other = std::find_if(live.begin(), live.end(), [&](std::uint16_t x) { return x != stuck && x != id; });
      ASSERT_TRUE(s.on_puback(*oldest_other, clock::now(), out));
      live.erase(oldest_other);
    }
  }
  EXPECT_EQ(s.inflight_count(), live.size());
  EXPECT_TRUE(s.on_puback(stuck, clock::now(), out));
  EXPECT_FALSE(s.on_puback(stuck, clock::now(), out));  // once only
}

// Acknowledgements in any order finish exactly their entry; an unknown or
// repeated one is refused; what stays is resent in send order ([MQTT-4.6.0-1]).
TEST(inflight, acks_out_of_order_then_resend_keeps_send_order) {
  session s("c");
  frame_list out;
  s.attach(link(), clock::now(), out);
  std::vector<std::uint16_t> ids;
  for (int i = 0; i < 200; ++i) ids.push_back(send_one(s, std::to_string(i)));
  std::vector<int> order(200);
  for (int i = 0; i < 200; ++i) order[static_cast<std::size_t>(i)] = i;
  std::shuffle(order.begin(), order.end(), std::mt19937(3));
  std::set<int> acked;
  for (int k = 0; k < 150; ++k) {
    int i = order[static_cast<std::size_t>(k)];
    ASSERT_TRUE(s.on_puback(ids[static_cast<std::size_t>(i)], clock::now(), out));
    acked.insert(i);
  }
  EXPECT_FALSE(s.on_puback(ids[static_cast<std::size_t>(order[0])], clock::now(), out));
  EXPECT_FALSE(s.on_pubcomp(ids[static_cast<std::size_t>(order[199])], clock::now(), out));  // wrong ack type
  EXPECT_EQ(s.inflight_count(), 50u);
  std::vector<std::string> want;
  for (int i = 0; i < 200; ++i) {
    if (acked.count(i) == 0) want.push_back(std::to_string(i));
  }
  EXPECT_EQ(resent_payloads(s), want);
}

// One entry left unacknowledged while thousands after it are acknowledged:
// finished places are reclaimed (memory stays bounded), lookups still find
// every entry, and the resend order is kept.
TEST(inflight, a_stuck_entry_does_not_hold_finished_places) {
  session s("c");
  frame_list out;
  s.attach(link(), clock::now(), out);
  send_one(s, "first");
  std::vector<std::uint16_t> pending;
  for (int i = 0; i < 5000; ++i) {
    pending.push_back(send_one(s, std::to_string(i)));
    if (pending.size() == 10) {
      // Newest first: the worst order for a front-relative guess.
      for (auto it = pending.rbegin(); it != pending.rend(); ++it) ASSERT_TRUE(s.on_puback(*it, clock::now(), out));
      pending.clear();
    }
  }
  EXPECT_EQ(s.inflight_count(), 1u);
  auto second = send_one(s, "last");
  EXPECT_EQ(resent_payloads(s), (std::vector<std::string>{"first", "last"}));
  frame_list more;
  EXPECT_TRUE(s.on_puback(second, clock::now(), more));
}

// [MQTT-3.3.4-7] never more in flight than Receive Maximum, whichever
// entries the acknowledgements free; the queue refills in order.
TEST(inflight, window_holds_with_acks_out_of_order) {
  session s("c");
  frame_list out;
  s.attach(link(3), clock::now(), out);
  for (int i = 0; i < 9; ++i) s.deliver(make(std::to_string(i)), at(qos::at_least_once), clock::now(), out);
  ASSERT_EQ(out.size(), 3u);
  std::vector<protocol::publish> sent;
  for (const auto& f : out) sent.push_back(decode_publish(f));
  out.clear();
  ASSERT_TRUE(s.on_puback(sent[2].packet_id, clock::now(), out));
  ASSERT_TRUE(s.on_puback(sent[1].packet_id, clock::now(), out));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(*decode_publish(out[0]).payload, "3");
  EXPECT_EQ(*decode_publish(out[1]).payload, "4");
  EXPECT_EQ(s.inflight_count(), 3u);
  EXPECT_EQ(s.queued_count(), 4u);
}

// restore() with the ids the store kept (not consecutive, and one taken
// twice): acks find them, new ids avoid them, the resend order is the
// sequence order.
TEST(inflight, restore_with_scattered_ids_then_new_deliveries_avoid_them) {
  session s("c");
  s.restore(1, make("a"), at(qos::at_least_once), entry_state::inflight_publish, 65534);
  s.restore(2, make("b"), at(qos::at_least_once), entry_state::inflight_publish, 2);
  s.restore(3, make("c"), at(qos::at_least_once), entry_state::inflight_publish, 2);  // taken: queued
  s.restore(4, make("d", qos::exactly_once), at(qos::exactly_once), entry_state::inflight_pubrel, 1);
  EXPECT_EQ(s.inflight_count(), 3u);
  EXPECT_EQ(s.queued_count(), 1u);
  frame_list out;
  s.attach(link(4), clock::now(), out);
  // [MQTT-4.6.0-1] sequence order: a, b resent; c (demoted, maybe sent)
  // under a fresh id; then d's PUBREL.
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(*decode_publish(out[0]).payload, "a");
  EXPECT_EQ(*decode_publish(out[1]).payload, "b");
  auto c = decode_publish(out[2]);
  EXPECT_EQ(*c.payload, "c");
  EXPECT_TRUE(c.dup);
  EXPECT_EQ(static_cast<std::uint8_t>(out[3].bytes[0]), 0x62);
  std::set<std::uint16_t> taken{65534, 2, 1};
  EXPECT_EQ(taken.count(c.packet_id), 0u);
  EXPECT_TRUE(s.on_puback(65534, clock::now(), out));
  EXPECT_TRUE(s.on_puback(2, clock::now(), out));
  EXPECT_TRUE(s.on_pubcomp(1, clock::now(), out));
  EXPECT_TRUE(s.on_puback(c.packet_id, clock::now(), out));
  EXPECT_EQ(s.inflight_count(), 0u);
}

// A queued entry restored as "maybe sent" (under the store's sent_through),
// or demoted from in flight because its id was taken, goes out with DUP=1
// the first time ([MQTT-3.3.1-1]); a plain queued one without; DUP is not
// carried to later messages.
TEST(inflight, restored_maybe_sent_entries_go_out_with_dup) {
  session s("c");
  s.restore(1, make("a"), at(qos::at_least_once), entry_state::queued, 0, true);
  s.restore(2, make("b"), at(qos::at_least_once), entry_state::inflight_publish, 7);
  s.restore(3, make("c"), at(qos::at_least_once), entry_state::inflight_publish, 7);  // taken: queued
  s.restore(4, make("d"), at(qos::at_least_once), entry_state::queued, 0, false);
  frame_list out;
  s.attach(link(10), clock::now(), out);
  ASSERT_EQ(out.size(), 4u);
  // [MQTT-4.6.0-1] sequence order: a (maybe sent before b) first, then b
  // resent, then the rest of the queue.
  EXPECT_EQ(*decode_publish(out[0]).payload, "a");
  EXPECT_TRUE(decode_publish(out[0]).dup);
  EXPECT_EQ(*decode_publish(out[1]).payload, "b");
  EXPECT_TRUE(decode_publish(out[1]).dup);
  EXPECT_EQ(*decode_publish(out[2]).payload, "c");
  EXPECT_TRUE(decode_publish(out[2]).dup);
  EXPECT_EQ(*decode_publish(out[3]).payload, "d");
  EXPECT_FALSE(decode_publish(out[3]).dup);
  out.clear();
  s.deliver(make("e"), at(qos::at_least_once), clock::now(), out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(decode_publish(out[0]).dup);
}

// take_shared() removes $share entries from the middle of the window and
// the queue; what stays keeps its order and its acks.
TEST(inflight, take_shared_from_the_middle_of_the_window) {
  session s("c");
  frame_list out;
  s.attach(link(4), clock::now(), out);
  auto share = std::make_shared<const share_origin>(share_origin{"g", "t"});
  std::vector<message_ptr> msgs;
  for (int i = 0; i < 8; ++i) {
    delivery d = at(qos::at_least_once);
    if (i % 2 == 1) d.share = share;
    msgs.push_back(make(std::to_string(i)));
    s.deliver(msgs.back(), d, clock::now(), out);
  }
  auto ids = std::vector<std::uint16_t>{};
  for (const auto& f : out) ids.push_back(decode_publish(f).packet_id);
  auto taken = s.take_shared();
  ASSERT_EQ(taken.size(), 4u);
  EXPECT_EQ(taken[0].msg, msgs[1]);
  EXPECT_EQ(taken[3].msg, msgs[7]);
  EXPECT_EQ(s.inflight_count(), 2u);
  EXPECT_EQ(s.queued_count(), 2u);
  EXPECT_FALSE(s.on_puback(ids[1], clock::now(), out));  // taken
  out.clear();
  EXPECT_TRUE(s.on_puback(ids[2], clock::now(), out));
  ASSERT_EQ(out.size(), 2u);  // the window has room for both queued entries left
  EXPECT_EQ(*decode_publish(out[0]).payload, "4");
  EXPECT_EQ(*decode_publish(out[1]).payload, "6");
  EXPECT_EQ(resent_payloads(s), (std::vector<std::string>{"0", "4", "6"}));
}

}  // namespace
}  // namespace gridmq::session
