// Resend order after a restart when a session mixes QoS 1 and QoS 2
// (session_resend.cpp). The store brings a sent QoS 1 entry back queued and
// maybe-sent, a QoS 2 one into the window with its packet id; attach() must
// still resend in the original send order ([MQTT-4.6.0-1]), under packet
// ids that do not collide, within the client's Receive Maximum.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "protocol/codec.hpp"
#include "session/session.hpp"
#include "fixtures.hpp"

namespace gridmq::session {
namespace {

using protocol::protocol_version;
using protocol::qos;

using fixtures::at;
using fixtures::link;

message_ptr make(std::string payload, qos q) { return fixtures::message_of("t", std::move(payload), q); }

// One frame as the client sees it: "A" for a PUBLISH of payload A, with
// "+dup" when DUP=1; "rel:N" for a PUBREL of packet id N.
struct seen {
  std::string what;
  std::uint16_t packet_id = 0;
};

std::vector<seen> decode_all(const frame_list& out) {
  std::vector<seen> got;
  for (const auto& f : out) {
    const auto r = fixtures::decode_frame(f, protocol_version::v311);
    if (!r) continue;
    if (auto* p = std::get_if<protocol::publish>(&*r)) {
      got.push_back({*p->payload + (p->dup ? "+dup" : ""), p->packet_id});
    } else if (auto* rel = std::get_if<protocol::pubrel>(&*r)) {
      got.push_back({"rel:" + std::to_string(rel->packet_id), rel->packet_id});
    } else {
      got.push_back({"other", 0});
    }
  }
  return got;
}

std::vector<std::string> names(const std::vector<seen>& v) {
  std::vector<std::string> n;
  for (const auto& s : v) n.push_back(s.what);
  return n;
}

// The case of the known gap: QoS 1 A (seq 5) sent, then QoS 2 B (seq 10)
// sent and awaiting PUBREC; after the restart A comes back queued and
// maybe-sent, B in flight with id 1. [MQTT-4.6.0-1]: A(DUP) before B(DUP).
TEST(resend_order, maybe_sent_qos1_before_inflight_qos2_mqtt_4_6_0_1) {
  session s("c");
  s.restore(5, make("A", qos::at_least_once), at(qos::at_least_once), entry_state::queued, 0, true);
  s.restore(10, make("B", qos::exactly_once), at(qos::exactly_once), entry_state::inflight_publish, 1);
  frame_list out;
  s.attach(link(), clock::now(), out);
  auto got = decode_all(out);
  ASSERT_EQ(names(got), (std::vector<std::string>{"A+dup", "B+dup"}));
  EXPECT_EQ(got[1].packet_id, 1u);  // [MQTT-4.4.0-1] B keeps its id
  EXPECT_NE(got[0].packet_id, 1u);  // A's fresh id is not B's
  EXPECT_EQ(s.inflight_count(), 2u);
  EXPECT_EQ(s.queued_count(), 0u);
  // Both ids are acknowledged as what they are.
  out.clear();
  EXPECT_FALSE(s.on_pubrec(got[0].packet_id, protocol::reason_code::success, clock::now(), out));
  EXPECT_TRUE(s.on_puback(got[0].packet_id, clock::now(), out));
  EXPECT_TRUE(s.on_pubrec(1, protocol::reason_code::success, clock::now(), out));
  EXPECT_TRUE(s.on_pubcomp(1, clock::now(), out));
  EXPECT_EQ(s.inflight_count(), 0u);
}

// A QoS 2 entry past PUBREC carries no PUBLISH, only its PUBREL; it keeps
// its sequence place among the resent PUBLISHes ([MQTT-4.6.0-4] asks
// PUBRELs in PUBREC order, which the client kept in PUBLISH order).
TEST(resend_order, pubrel_keeps_its_place_between_resent_publishes) {
  session s("c");
  s.restore(5, make("A", qos::at_least_once), at(qos::at_least_once), entry_state::queued, 0, true);
  s.restore(7, make("P", qos::exactly_once), at(qos::exactly_once), entry_state::inflight_pubrel, 3);
  s.restore(9, make("C", qos::at_least_once), at(qos::at_least_once), entry_state::queued, 0, true);
  s.restore(10, make("B", qos::exactly_once), at(qos::exactly_once), entry_state::inflight_publish, 4);
  s.restore(11, make("D", qos::at_least_once), at(qos::at_least_once), entry_state::queued, 0, true);
  s.restore(12, make("E", qos::at_least_once), at(qos::at_least_once), entry_state::queued, 0, false);
  frame_list out;
  s.attach(link(), clock::now(), out);
  auto got = decode_all(out);
  // D (maybe sent, after B) and E (never sent) follow from the queue.
  ASSERT_EQ(names(got), (std::vector<std::string>{"A+dup", "rel:3", "C+dup", "B+dup", "D+dup", "E"}));
  std::set<std::uint16_t> ids;
  for (const auto& g : got) ids.insert(g.packet_id);
  EXPECT_EQ(ids.size(), got.size());  // no id twice
  EXPECT_TRUE(s.on_pubcomp(3, clock::now(), out));
}

// Fresh ids for the promoted entries skip every restored id, even where the
// counter would run into them (restored ids 2 then 1: the next is 2).
TEST(resend_order, fresh_ids_avoid_restored_ones) {
  session s("c");
  journal j;
  s.set_journal(&j);
  s.restore(5, make("A", qos::at_least_once), at(qos::at_least_once), entry_state::queued, 0, true);
  s.restore(6, make("A2", qos::at_least_once), at(qos::at_least_once), entry_state::queued, 0, true);
  s.restore(10, make("B", qos::exactly_once), at(qos::exactly_once), entry_state::inflight_publish, 2);
  s.restore(11, make("C", qos::exactly_once), at(qos::exactly_once), entry_state::inflight_publish, 1);
  frame_list out;
  s.attach(link(), clock::now(), out);
  auto got = decode_all(out);
  ASSERT_EQ(names(got), (std::vector<std::string>{"A+dup", "A2+dup", "B+dup", "C+dup"}));
  std::set<std::uint16_t> ids{got[0].packet_id, got[1].packet_id, 1, 2};
  EXPECT_EQ(ids.size(), 4u);
  // The journal says where each promoted entry went, so the store can keep
  // a QoS 2 one's id before its PUBLISH leaves.
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0].what, journal_event::kind::sent);
  EXPECT_EQ(j[0].sequence, 5u);
  EXPECT_EQ(j[0].packet_id, got[0].packet_id);
  EXPECT_EQ(j[1].sequence, 6u);
  // A new delivery avoids all four.
  out.clear();
  s.deliver(make("N", qos::at_least_once), at(qos::at_least_once), clock::now(), out);
  got = decode_all(out);
  ASSERT_EQ(names(got), (std::vector<std::string>{"N"}));
  ids.insert(got[0].packet_id);
  EXPECT_EQ(ids.size(), 5u);
}

// An in-flight entry whose id another restored entry took is demoted to
// the queue (maybe sent); it goes back between its neighbours.
TEST(resend_order, entry_demoted_by_an_id_collision_keeps_its_place) {
  session s("c");
  s.restore(2, make("B", qos::exactly_once), at(qos::exactly_once), entry_state::inflight_publish, 7);
  s.restore(3, make("C", qos::exactly_once), at(qos::exactly_once), entry_state::inflight_publish, 7);  // taken
  s.restore(4, make("D", qos::at_least_once), at(qos::at_least_once), entry_state::inflight_publish, 8);
  EXPECT_EQ(s.queued_count(), 1u);
  frame_list out;
  s.attach(link(), clock::now(), out);
  auto got = decode_all(out);
  ASSERT_EQ(names(got), (std::vector<std::string>{"B+dup", "C+dup", "D+dup"}));
  EXPECT_NE(got[1].packet_id, 7u);
  EXPECT_NE(got[1].packet_id, 8u);
  out.clear();
  EXPECT_TRUE(s.on_pubrec(got[1].packet_id, protocol::reason_code::success, clock::now(), out));
}

// [MQTT-4.9.0-2] resent PUBLISHes take places in the new connection's send
// quota: with Receive Maximum 1 they go out one per acknowledgement, in
// order, and a message delivered meanwhile waits behind them.
TEST(resend_order, resends_respect_a_smaller_receive_maximum) {
  session s("c");
  s.restore(5, make("A", qos::at_least_once), at(qos::at_least_once), entry_state::queued, 0, true);
  s.restore(10, make("B", qos::exactly_once), at(qos::exactly_once), entry_state::inflight_publish, 1);
  s.restore(11, make("C", qos::at_least_once), at(qos::at_least_once), entry_state::inflight_publish, 2);
  frame_list out;
  s.attach(link(1), clock::now(), out);
  auto got = decode_all(out);
  ASSERT_EQ(names(got), (std::vector<std::string>{"A+dup"}));
  out.clear();
  EXPECT_EQ(s.deliver(make("N", qos::at_least_once), at(qos::at_least_once), clock::now(), out),
            deliver_status::queued);
  EXPECT_TRUE(out.empty());
  ASSERT_TRUE(s.on_puback(got[0].packet_id, clock::now(), out));
  EXPECT_EQ(names(decode_all(out)), (std::vector<std::string>{"B+dup"}));
  out.clear();
  ASSERT_TRUE(s.on_pubrec(1, protocol::reason_code::success, clock::now(), out));
  EXPECT_EQ(names(decode_all(out)), (std::vector<std::string>{"rel:1"}));  // still in the window
  out.clear();
  ASSERT_TRUE(s.on_pubcomp(1, clock::now(), out));
  EXPECT_EQ(names(decode_all(out)), (std::vector<std::string>{"C+dup"}));
  out.clear();
  ASSERT_TRUE(s.on_puback(2, clock::now(), out));
  got = decode_all(out);
  ASSERT_EQ(names(got), (std::vector<std::string>{"N"}));
  out.clear();
  ASSERT_TRUE(s.on_puback(got[0].packet_id, clock::now(), out));
  EXPECT_EQ(s.inflight_count(), 0u);
  EXPECT_EQ(s.queued_count(), 0u);
}

// A PUBLISH held for the quota that the client acknowledges anyway (it had
// it from the earlier connection) ends; the next one takes its turn.
TEST(resend_order, held_entry_acknowledged_before_its_resend) {
  session s("c");
  s.restore(1, make("A", qos::at_least_once), at(qos::at_least_once), entry_state::inflight_publish, 1);
  s.restore(2, make("B", qos::at_least_once), at(qos::at_least_once), entry_state::inflight_publish, 2);
  s.restore(3, make("C", qos::at_least_once), at(qos::at_least_once), entry_state::inflight_publish, 3);
  frame_list out;
  s.attach(link(1), clock::now(), out);
  EXPECT_EQ(names(decode_all(out)), (std::vector<std::string>{"A+dup"}));
  out.clear();
  ASSERT_TRUE(s.on_puback(2, clock::now(), out));  // B, held
  EXPECT_TRUE(out.empty());                         // A still holds the one place
  ASSERT_TRUE(s.on_puback(1, clock::now(), out));
  EXPECT_EQ(names(decode_all(out)), (std::vector<std::string>{"C+dup"}));
}

// Detached again before the resends finished: the next attach starts over,
// in order, from what is still unacknowledged.
TEST(resend_order, reattach_resends_in_order_again) {
  session s("c");
  s.restore(5, make("A", qos::at_least_once), at(qos::at_least_once), entry_state::queued, 0, true);
  s.restore(10, make("B", qos::exactly_once), at(qos::exactly_once), entry_state::inflight_publish, 1);
  frame_list out;
  s.attach(link(1), clock::now(), out);
  EXPECT_EQ(names(decode_all(out)), (std::vector<std::string>{"A+dup"}));
  s.detach();
  out.clear();
  s.attach(link(), clock::now(), out);
  EXPECT_EQ(names(decode_all(out)), (std::vector<std::string>{"A+dup", "B+dup"}));
}

// Random restored states (QoS 1 maybe-sent queued, QoS 2 in flight with
// ids that may collide, QoS 2 past PUBREC, never-sent queued) and a random
// Receive Maximum; a client that acknowledges the oldest flow first. Every
// entry reaches the client, the first PUBLISH of each in sequence order,
// no packet id is used by two live flows, the window never exceeds the
// Receive Maximum counting the PUBRELs already out. Bounded: 200 rounds.
TEST(resend_order, random_restored_states_resend_in_sequence_order) {
  std::mt19937 rng(4601);
  for (int round = 0; round < 200; ++round) {
    session s("c");
    const int n = 1 + static_cast<int>(rng() % 30);
    std::vector<std::string> expected;  // payloads of PUBLISHes the client must get, in order
    int pubrels = 0;
    for (int i = 1; i <= n; ++i) {
      const std::string name = "m" + std::to_string(i);
      switch (rng() % 4) {
        case 0:
          s.restore(i, make(name, qos::at_least_once), at(qos::at_least_once), entry_state::queued, 0, true);
          expected.push_back(name);
          break;
        case 1:
          s.restore(i, make(name, qos::exactly_once), at(qos::exactly_once), entry_state::inflight_publish,
                    static_cast<std::uint16_t>(1 + rng() % 8));
          expected.push_back(name);
          break;
        case 2: {
          const auto queued = s.queued_count();
          s.restore(i, make(name, qos::exactly_once), at(qos::exactly_once), entry_state::inflight_pubrel,
                    static_cast<std::uint16_t>(1 + rng() % 8));
          // An id collision demotes it to the queue: it goes out again as a
          // PUBLISH (maybe sent); else only its PUBREL is resent.
          if (s.queued_count() > queued) {
            expected.push_back(name);
          } else {
            ++pubrels;
          }
          break;
        }
        default:
          s.restore(i, make(name, qos::at_least_once), at(qos::at_least_once), entry_state::queued, 0, false);
          expected.push_back(name);
          break;
      }
    }
    const auto rm = static_cast<std::uint16_t>(1 + rng() % 5);
    frame_list out;
    s.attach(link(rm), clock::now(), out);
    // The client: flows open (id -> kind), acknowledged oldest first.
    std::vector<std::pair<std::uint16_t, bool>> open;  // id, is a PUBREL (awaits PUBCOMP)
    std::vector<std::string> got;
    int rels_seen = 0;
    for (int step = 0; step < 1000 && (!out.empty() || !open.empty()); ++step) {
      for (const auto& g : decode_all(out)) {
        if (g.what.rfind("rel:", 0) == 0) {
          // A PUBREL from before the restart (our PUBRECs' answers are
          // taken below).
          ++rels_seen;
          for (const auto& f : open) ASSERT_NE(f.first, g.packet_id) << "round " << round;
          open.push_back({g.packet_id, true});
          continue;
        }
        for (const auto& f : open) ASSERT_NE(f.first, g.packet_id) << "round " << round << ": id reused while open";
        got.push_back(g.what.substr(0, g.what.find('+')));
        open.push_back({g.packet_id, false});
      }
      out.clear();
      std::size_t publishes_open = 0;
      for (const auto& f : open) publishes_open += f.second ? 0 : 1;
      ASSERT_LE(publishes_open, rm) << "round " << round;
      if (open.empty()) break;
      auto [id, is_rel] = open.front();
      open.erase(open.begin());
      if (is_rel) {
        ASSERT_TRUE(s.on_pubcomp(id, clock::now(), out));
        continue;
      }
      if (s.on_puback(id, clock::now(), out)) continue;  // QoS 1
      ASSERT_TRUE(s.on_pubrec(id, protocol::reason_code::success, clock::now(), out));
      // The PUBREL answers at once; the flow stays open until PUBCOMP.
      auto answer = decode_all(out);
      ASSERT_EQ(answer.size(), 1u);
      ASSERT_EQ(answer[0].what, "rel:" + std::to_string(id));
      out.clear();
      open.insert(open.begin(), {id, true});
    }
    EXPECT_EQ(got, expected) << "round " << round;
    EXPECT_EQ(rels_seen, pubrels) << "round " << round;
    EXPECT_EQ(s.inflight_count(), 0u) << "round " << round;
    EXPECT_EQ(s.queued_count(), 0u) << "round " << round;
  }
}

}  // namespace
}  // namespace gridmq::session
