// The session's QoS 1/2 machinery lives in one block created on first use
// and given back when the session holds nothing (session.hpp, "Memory"):
// when it appears, that it is kept while the connection is busy (no
// allocation per message), given back at detach, and that a session whose
// block was given back and re-created behaves as one that kept it.
#include <gtest/gtest.h>

#include "session/session.hpp"
#include "fixtures.hpp"

namespace gridmq::session {
namespace {

using protocol::protocol_version;
using protocol::qos;

using fixtures::at;
using fixtures::decode_publish;

message_ptr make(std::string topic, qos q = qos::at_least_once) { return fixtures::message_of(std::move(topic), "x", q); }

link_params v311() { return {protocol_version::v311, 65535, 0, 0}; }

TEST(outbound_block, an_idle_session_and_qos0_without_aliases_allocate_none) {
  session s("c");
  frame_list out;
  s.attach(v311(), clock::now(), out);
  EXPECT_FALSE(s.has_outbound_state());
  EXPECT_EQ(s.deliver(make("t", qos::at_most_once), at(qos::at_most_once), clock::now(), out), deliver_status::sent);
  EXPECT_FALSE(s.has_outbound_state());
  EXPECT_EQ(s.inflight_count(), 0u);
  EXPECT_EQ(s.queued_count(), 0u);
}

TEST(outbound_block, kept_while_attached_and_given_back_at_detach_once_acknowledged) {
  session s("c");
  frame_list out;
  s.attach(v311(), clock::now(), out);
  ASSERT_EQ(s.deliver(make("t"), at(qos::at_least_once), clock::now(), out), deliver_status::sent);
  EXPECT_TRUE(s.has_outbound_state());
  EXPECT_TRUE(s.on_puback(1, clock::now(), out));
  EXPECT_TRUE(s.has_outbound_state());  // not freed per message
  s.detach();
  EXPECT_FALSE(s.has_outbound_state());
}

TEST(outbound_block, not_given_back_while_a_message_waits_for_its_ack) {
  session s("c");
  frame_list out;
  s.attach(v311(), clock::now(), out);
  ASSERT_EQ(s.deliver(make("t"), at(qos::at_least_once), clock::now(), out), deliver_status::sent);
  s.detach();
  ASSERT_TRUE(s.has_outbound_state());
  // [MQTT-4.4.0-1] resent with DUP on the next connection.
  out.clear();
  s.attach(v311(), clock::now(), out);
  ASSERT_EQ(out.size(), 1u);
  auto p = decode_publish(out[0], protocol_version::v311);
  EXPECT_TRUE(p.dup);
  EXPECT_EQ(p.packet_id, 1);
}

TEST(outbound_block, re_created_block_continues_packet_ids_and_sequences) {
  session s("c");
  journal j;
  s.set_journal(&j);
  frame_list out;
  s.attach(v311(), clock::now(), out);
  ASSERT_EQ(s.deliver(make("t"), at(qos::at_least_once), clock::now(), out), deliver_status::sent);
  ASSERT_TRUE(s.on_puback(1, clock::now(), out));
  s.detach();
  ASSERT_FALSE(s.has_outbound_state());
  const auto first_seq = j.front().sequence;
  j.clear();
  // Offline: queued (a new block), then sent on the next connection.
  EXPECT_EQ(s.deliver(make("t"), at(qos::at_least_once), clock::now(), out), deliver_status::queued);
  EXPECT_EQ(s.queued_count(), 1u);
  out.clear();
  s.attach(v311(), clock::now(), out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(decode_publish(out[0], protocol_version::v311).packet_id, 2);  // ids go on, not back to 1
  ASSERT_FALSE(j.empty());
  EXPECT_GT(j.front().sequence, first_seq);  // a store key is never reused
}

TEST(outbound_block, clear_gives_it_back) {
  session s("c");
  frame_list out;
  ASSERT_EQ(s.deliver(make("t"), at(qos::exactly_once), clock::now(), out), deliver_status::queued);
  ASSERT_TRUE(s.has_outbound_state());
  s.clear();
  EXPECT_FALSE(s.has_outbound_state());
  EXPECT_EQ(s.queued_count(), 0u);
}

TEST(outbound_block, restore_creates_it_and_attach_resends) {
  session s("c");
  s.restore(7, make("t"), at(qos::exactly_once), entry_state::inflight_publish, 42);
  ASSERT_TRUE(s.has_outbound_state());
  EXPECT_EQ(s.inflight_count(), 1u);
  frame_list out;
  s.attach(v311(), clock::now(), out);
  ASSERT_EQ(out.size(), 1u);
  auto p = decode_publish(out[0], protocol_version::v311);
  EXPECT_TRUE(p.dup);
  EXPECT_EQ(p.packet_id, 42);
  EXPECT_TRUE(s.on_pubrec(42, protocol::reason_code::success, clock::now(), out));
  EXPECT_TRUE(s.on_pubcomp(42, clock::now(), out));
  s.detach();
  EXPECT_FALSE(s.has_outbound_state());
}

TEST(outbound_block, aliases_live_in_it_and_start_afresh_on_a_new_connection) {
  // [MQTT-3.3.2-10] aliases do not survive the connection.
  session s("c");
  frame_list out;
  const link_params v5{protocol_version::v5, 65535, 0, 10};
  s.attach(v5, clock::now(), out);
  ASSERT_EQ(s.deliver(make("t", qos::at_most_once), at(qos::at_most_once), clock::now(), out), deliver_status::sent);
  EXPECT_TRUE(s.has_outbound_state());
  ASSERT_EQ(s.deliver(make("t", qos::at_most_once), at(qos::at_most_once), clock::now(), out), deliver_status::sent);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(decode_publish(out[1], protocol_version::v5).topic, "");  // the alias alone
  s.detach();
  EXPECT_FALSE(s.has_outbound_state());
  out.clear();
  s.attach(v5, clock::now(), out);
  ASSERT_EQ(s.deliver(make("t", qos::at_most_once), at(qos::at_most_once), clock::now(), out), deliver_status::sent);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(decode_publish(out[0], protocol_version::v5).topic, "t");  // the topic again
}

}  // namespace
}  // namespace gridmq::session
