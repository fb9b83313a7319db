// The session's delivery state machine, driven by plain calls: no sockets,
// no sleeps. Frames are decoded back with the codec to check what would go
// on the wire.
#include "session/session.hpp"

#include <gtest/gtest.h>

#include <set>

#include "protocol/codec.hpp"
#include "fixtures.hpp"

namespace gridmq::session {
namespace {

using protocol::protocol_version;
using protocol::qos;

using fixtures::at;
using fixtures::decode_publish;
using fixtures::link;

message_ptr make(std::string topic, std::string payload, qos q = qos::at_least_once) {
  return fixtures::message_of(std::move(topic), std::move(payload), q);
}

TEST(session, qos0_is_sent_when_attached_and_dropped_when_not) {
  session s("c");
  frame_list out;
  EXPECT_EQ(s.deliver(make("t", "x", qos::at_most_once), at(qos::at_most_once), clock::now(), out),
            deliver_status::dropped_qos0);
  s.attach(link(), clock::now(), out);
  EXPECT_EQ(s.deliver(make("t", "x", qos::at_most_once), at(qos::at_most_once), clock::now(), out),
            deliver_status::sent);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(decode_publish(out[0]).topic, "t");
}

TEST(session, payload_is_shared_not_copied) {
  session a("a"), b("b");
  frame_list out;
  a.attach(link(), clock::now(), out);
  b.attach(link(), clock::now(), out);
  auto m = make("t", "payload");
  a.deliver(m, at(qos::at_least_once), clock::now(), out);
  b.deliver(m, at(qos::at_least_once), clock::now(), out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].payload.get(), out[1].payload.get());
  EXPECT_EQ(out[0].payload.get(), &m->payload);  // points into the shared message
}

// [MQTT-3.3.4-7] no more unacknowledged QoS 1/2 PUBLISHes than Receive Maximum.
TEST(session, receive_maximum_bounds_the_window_and_acks_refill_it_in_order) {
  session s("c");
  frame_list out;
  s.attach(link(2), clock::now(), out);
  for (int i = 0; i < 5; ++i) s.deliver(make("t", std::to_string(i)), at(qos::at_least_once), clock::now(), out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(s.inflight_count(), 2u);
  EXPECT_EQ(s.queued_count(), 3u);
  auto first = decode_publish(out[0]);
  out.clear();
  ASSERT_TRUE(s.on_puback(first.packet_id, clock::now(), out));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(*decode_publish(out[0]).payload, "2");  // [MQTT-4.6.0-6] order kept
  EXPECT_FALSE(s.on_puback(first.packet_id, clock::now(), out));  // unknown now
}

// [MQTT-4.4.0-1] on reconnect unacknowledged PUBLISHes are resent with DUP=1.
TEST(session, attach_resends_inflight_with_dup_and_same_packet_id) {
  session s("c");
  frame_list out;
  s.attach(link(), clock::now(), out);
  s.deliver(make("t", "a"), at(qos::at_least_once), clock::now(), out);
  s.deliver(make("t", "b"), at(qos::exactly_once), clock::now(), out);
  auto a = decode_publish(out[0]);
  auto b = decode_publish(out[1]);
  EXPECT_FALSE(a.dup);
  s.detach();
  out.clear();
  s.attach(link(), clock::now(), out);
  ASSERT_EQ(out.size(), 2u);
  auto a2 = decode_publish(out[0]);
  auto b2 = decode_publish(out[1]);
  EXPECT_TRUE(a2.dup);
  EXPECT_TRUE(b2.dup);
  EXPECT_EQ(a2.packet_id, a.packet_id);
  EXPECT_EQ(b2.packet_id, b.packet_id);
  EXPECT_EQ(*a2.payload, "a");
}

// [MQTT-4.3.3] QoS 2 sender: PUBREC -> PUBREL, and a reconnect resends PUBREL.
TEST(session, qos2_pubrec_then_reconnect_resends_pubrel) {
  session s("c");
  frame_list out;
  s.attach(link(), clock::now(), out);
  s.deliver(make("t", "a", qos::exactly_once), at(qos::exactly_once), clock::now(), out);
  auto id = decode_publish(out[0]).packet_id;
  out.clear();
  ASSERT_TRUE(s.on_pubrec(id, protocol::reason_code::success, clock::now(), out));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(static_cast<std::uint8_t>(out[0].bytes[0]), 0x62);  // PUBREL with flags 0010
  s.detach();
  out.clear();
  s.attach(link(), clock::now(), out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(static_cast<std::uint8_t>(out[0].bytes[0]), 0x62);
  ASSERT_TRUE(s.on_pubcomp(id, clock::now(), out));
  EXPECT_EQ(s.inflight_count(), 0u);
}

TEST(session, inbound_qos2_is_routed_once_until_pubrel) {
  session s("c");
  EXPECT_TRUE(s.inbound_qos2_begin(7));
  EXPECT_FALSE(s.inbound_qos2_begin(7));  // [MQTT-4.3.3-10] resend before PUBREL
  EXPECT_TRUE(s.inbound_qos2_release(7));
  EXPECT_FALSE(s.inbound_qos2_release(7));
  EXPECT_TRUE(s.inbound_qos2_begin(7));  // a new message may reuse the id
}

TEST(session, offline_queue_overflow_policies) {
  session_limits lim;
  lim.max_queued_messages = 2;
  frame_list out;
  {
    lim.overflow = overflow_policy::drop_new;
    session s("c", lim);
    s.deliver(make("t", "1"), at(qos::at_least_once), clock::now(), out);
    s.deliver(make("t", "2"), at(qos::at_least_once), clock::now(), out);
    EXPECT_EQ(s.deliver(make("t", "3"), at(qos::at_least_once), clock::now(), out), deliver_status::dropped_overflow);
    s.attach(link(), clock::now(), out);
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(*decode_publish(out[0]).payload, "1");
    out.clear();
  }
  {
    lim.overflow = overflow_policy::drop_oldest;
    session s("c", lim);
    for (auto p : {"1", "2", "3"}) s.deliver(make("t", p), at(qos::at_least_once), clock::now(), out);
    EXPECT_EQ(s.dropped_count(), 1u);
    s.attach(link(), clock::now(), out);
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(*decode_publish(out[0]).payload, "2");
    out.clear();
  }
  {
    lim.overflow = overflow_policy::terminate;
    session s("c", lim);
    s.deliver(make("t", "1"), at(qos::at_least_once), clock::now(), out);
    s.deliver(make("t", "2"), at(qos::at_least_once), clock::now(), out);
    EXPECT_EQ(s.deliver(make("t", "3"), at(qos::at_least_once), clock::now(), out),
              deliver_status::overflow_terminate);
  }
}

TEST(session, byte_limit_counts_payload_bytes) {
  session_limits lim;
  lim.max_queued_bytes = 10;
  lim.overflow = overflow_policy::drop_new;
  session s("c", lim);
  frame_list out;
  EXPECT_EQ(s.deliver(make("t", "123456"), at(qos::at_least_once), clock::now(), out), deliver_status::queued);
  EXPECT_EQ(s.deliver(make("t", "123456"), at(qos::at_least_once), clock::now(), out),
            deliver_status::dropped_overflow);
  EXPECT_EQ(s.deliver(make("t", "1234"), at(qos::at_least_once), clock::now(), out), deliver_status::queued);
}

// [MQTT-3.1.2-25] a message larger than the client's Maximum Packet Size is not sent.
TEST(session, message_bigger_than_client_maximum_packet_size_is_dropped) {
  session s("c");
  frame_list out;
  s.attach({protocol_version::v5, 65535, 100}, clock::now(), out);
  EXPECT_EQ(s.deliver(make("t", std::string(200, 'x')), at(qos::at_least_once), clock::now(), out),
            deliver_status::dropped_too_large);
  EXPECT_EQ(s.deliver(make("t", "small"), at(qos::at_least_once), clock::now(), out), deliver_status::sent);
}

TEST(session, packet_ids_skip_zero_and_ids_in_use) {
  session s("c");
  frame_list out;
  s.attach(link(), clock::now(), out);
  std::set<std::uint16_t> seen;
  for (int i = 0; i < 300; ++i) {
    out.clear();
    s.deliver(make("t", "x"), at(qos::at_least_once), clock::now(), out);
    auto id = decode_publish(out[0]).packet_id;
    EXPECT_NE(id, 0);  // [MQTT-2.2.1-3]
    EXPECT_TRUE(seen.insert(id).second);
  }
}

TEST(session, expired_message_is_not_delivered) {
  session s("c");
  frame_list out;
  protocol::publish p;
  p.topic = "t";
  p.payload = std::make_shared<const std::string>("x");
  p.qos_level = qos::at_least_once;
  p.props.message_expiry_interval = 1;
  auto now = clock::now();
  auto m = make_message(std::move(p), 0, now);
  EXPECT_EQ(s.deliver(m, at(qos::at_least_once), now, out), deliver_status::queued);
  s.attach(link(), now + std::chrono::seconds(2), out);
  EXPECT_TRUE(out.empty());  // [MQTT-3.3.2-5] expired while queued
}

}  // namespace
}  // namespace gridmq::session
