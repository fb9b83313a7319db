// The outbox's write path: small packets coalesced into large buffers,
// large ones kept by reference, order kept across reservations, and the
// per-thread push batch that sends a run of QoS 0 packets in one push.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "broker/outbox.hpp"
#include "broker/push_batch.hpp"

namespace gridmq::broker {
namespace {

struct counting_sink : connection_sink {
  int wakes = 0;
  int closes = 0;
  void wake() noexcept override { ++wakes; }
  void close(close_reason) noexcept override { ++closes; }
  std::string_view peer() const noexcept override { return "test"; }
};

session::frame small_frame(int i) {
  session::frame f;
  f.bytes = "H" + std::to_string(i) + ":";
  f.payload = std::make_shared<const std::string>("payload-" + std::to_string(i) + ";");
  return f;
}

std::string expected_text(int from, int to) {
  std::string s;
  for (int i = from; i < to; ++i) s += "H" + std::to_string(i) + ":payload-" + std::to_string(i) + ";";
  return s;
}

std::string flatten(const std::vector<outbound_chunk>& chunks) {
  std::string s;
  for (const auto& c : chunks) {
    s += c.bytes;
    if (c.payload) s += *c.payload;
  }
  return s;
}

std::vector<outbound_chunk> drained(outbox& o) {
  std::vector<outbound_chunk> out;
  o.drain(out);
  return out;
}

TEST(Outbox, SmallPacketsLeaveAsOneBufferInOrder) {
  counting_sink sink;
  outbox o(sink);
  for (int i = 0; i < 200; ++i) o.push(small_frame(i));
  EXPECT_EQ(o.pending_bytes(), expected_text(0, 200).size());
  auto out = drained(o);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].payload, nullptr);
  EXPECT_EQ(flatten(out), expected_text(0, 200));
  EXPECT_EQ(o.pending_bytes(), 0u);
}

TEST(Outbox, LargePayloadIsSharedNotCopied) {
  counting_sink sink;
  outbox o(sink);
  o.push(small_frame(0));
  session::frame big;
  big.bytes = "BIG:";
  big.payload = std::make_shared<const std::string>(4096, 'x');
  const auto* payload = big.payload.get();
  o.push(std::move(big));
  o.push(small_frame(1));
  auto out = drained(o);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[1].payload.get(), payload);
  EXPECT_EQ(flatten(out), expected_text(0, 1) + "BIG:" + std::string(4096, 'x') + expected_text(1, 2));
}

TEST(Outbox, CoalescedBufferStopsGrowingAtItsLimit) {
  counting_sink sink;
  outbox o(sink);
  session::frame f;
  f.bytes = std::string(1000, 'a');
  for (int i = 0; i < 200; ++i) o.push(session::frame{f.bytes, nullptr});
  auto out = drained(o);
  EXPECT_GT(out.size(), 1u);
  for (const auto& c : out) EXPECT_LE(c.bytes.size(), 64u * 1024u);
  EXPECT_EQ(flatten(out), std::string(200 * 1000, 'a'));
}

TEST(Outbox, CoalescingKeepsOrderBehindAReservation) {
  counting_sink sink;
  outbox o(sink);
  o.push(small_frame(0));
  const auto ticket = o.reserve();
  o.push(small_frame(2));
  o.push(small_frame(3));
  EXPECT_EQ(flatten(drained(o)), expected_text(0, 1));  // the rest waits for the reservation
  session::frame_list filled;
  filled.push_back(small_frame(1));
  o.fill(ticket, filled);
  EXPECT_EQ(flatten(drained(o)), expected_text(1, 4));
}

// The queues are created on first use (an idle connection holds none); the
// counters and the order must not notice.
TEST(Outbox, ReservationsFilledOutOfOrderLeaveInReservationOrder) {
  counting_sink sink;
  outbox o(sink);
  const auto first = o.reserve();
  const auto second = o.reserve();
  EXPECT_NE(first, 0u);
  EXPECT_NE(first, second);
  o.push(small_frame(2));
  session::frame_list two{small_frame(1)};
  o.fill(second, two);
  EXPECT_TRUE(drained(o).empty());  // both wait for the first reservation
  EXPECT_EQ(o.pending_bytes(), expected_text(1, 3).size());
  session::frame_list one{small_frame(0)};
  o.fill(first, one);
  EXPECT_EQ(flatten(drained(o)), expected_text(0, 3));
  EXPECT_EQ(o.pending_bytes(), 0u);
}

TEST(Outbox, DrainingNothingLeavesTheOutputAlone) {
  counting_sink sink;
  outbox o(sink);
  std::vector<outbound_chunk> out;
  out.push_back(outbound_chunk{"kept", nullptr});
  o.drain(out);
  ASSERT_EQ(out.size(), 1u);
  o.push(small_frame(0));
  EXPECT_EQ(o.pending_bytes(), expected_text(0, 1).size());
  o.drain(out);  // appended behind what the transport holds
  EXPECT_EQ(flatten(out), "kept" + expected_text(0, 1));
  EXPECT_EQ(o.pending_bytes(), 0u);
  o.push(small_frame(1));  // the queue given back when emptied is made again
  EXPECT_EQ(flatten(drained(o)), expected_text(1, 2));
}

// The queues an emptied outbox gives back are the thread's spare, taken by
// the next outbox that needs queues: it must find them as new.
TEST(Outbox, QueuesGivenBackAreReusedAsNew) {
  counting_sink sink;
  outbox a(sink);
  outbox b(sink);
  for (int round = 0; round < 3; ++round) {
    a.push(small_frame(round));
    EXPECT_EQ(flatten(drained(a)), expected_text(round, round + 1));
    EXPECT_EQ(a.pending_bytes(), 0u);
    b.push(small_frame(round + 10));  // takes a's queues
    EXPECT_EQ(b.pending_bytes(), expected_text(round + 10, round + 11).size());
    EXPECT_EQ(flatten(drained(b)), expected_text(round + 10, round + 11));
  }
  const auto ticket = b.reserve();  // after reuse, reservations still order
  EXPECT_NE(ticket, 0u);
  b.push(small_frame(21));
  session::frame_list filled{small_frame(20)};
  b.fill(ticket, filled);
  EXPECT_EQ(flatten(drained(b)), expected_text(20, 22));
}

TEST(Outbox, CloseWaitsForEarlierReservations) {
  counting_sink sink;
  outbox o(sink);
  const auto ticket = o.reserve();
  o.close();
  EXPECT_EQ(sink.closes, 0);
  session::frame_list ack{small_frame(0)};
  o.fill(ticket, ack);
  EXPECT_EQ(sink.closes, 1);
  EXPECT_EQ(flatten(drained(o)), expected_text(0, 1));
}

TEST(Outbox, NothingIsKeptAfterTheSinkIsDetached) {
  counting_sink sink;
  outbox o(sink);
  const auto ticket = o.reserve();
  o.push(small_frame(1));
  o.detach_sink();
  EXPECT_EQ(o.pending_bytes(), 0u);
  EXPECT_EQ(o.peer(), "");
  session::frame_list late{small_frame(0)};
  o.fill(ticket, late);  // the store's callback after the connection went
  o.push(small_frame(2));
  EXPECT_TRUE(drained(o).empty());
}

TEST(PushBatch, OutsideABatchPushesAtOnce) {
  counting_sink sink;
  auto o = std::make_shared<outbox>(sink);
  session::frame_list frames{small_frame(0)};
  push_batch::push_qos0(o, frames);
  EXPECT_EQ(sink.wakes, 1);
  EXPECT_EQ(flatten(drained(*o)), expected_text(0, 1));
}

TEST(PushBatch, ARunReachesTheOutboxOnceWhenTheBatchEnds) {
  counting_sink sink;
  auto o = std::make_shared<outbox>(sink);
  {
    push_batch batch;
    for (int i = 0; i < 50; ++i) {
      session::frame_list frames{small_frame(i)};
      push_batch::push_qos0(o, frames);
    }
    EXPECT_EQ(sink.wakes, 0);
    EXPECT_EQ(o->pending_bytes(), 0u);
  }
  EXPECT_EQ(sink.wakes, 1);
  EXPECT_EQ(flatten(drained(*o)), expected_text(0, 50));
}

TEST(PushBatch, NestedScopesFlushAtTheOutermost) {
  counting_sink sink;
  auto o = std::make_shared<outbox>(sink);
  {
    push_batch outer;
    {
      push_batch inner;
      session::frame_list frames{small_frame(0)};
      push_batch::push_qos0(o, frames);
    }
    EXPECT_EQ(sink.wakes, 0);
  }
  EXPECT_EQ(sink.wakes, 1);
}

TEST(PushBatch, SwitchingDestinationKeepsEachConnectionsOrder) {
  counting_sink sink_a, sink_b;
  auto a = std::make_shared<outbox>(sink_a);
  auto b = std::make_shared<outbox>(sink_b);
  {
    push_batch batch;
    for (int i = 0; i < 6; ++i) {
      session::frame_list frames{small_frame(i)};
      push_batch::push_qos0(i % 3 == 2 ? b : a, frames);
    }
  }
  EXPECT_EQ(flatten(drained(*a)), expected_text(0, 2) + expected_text(3, 5));
  EXPECT_EQ(flatten(drained(*b)), expected_text(2, 3) + expected_text(5, 6));
}

TEST(PushBatch, ADirectPushToTheSameConnectionGoesAfterTheRun) {
  counting_sink sink;
  auto o = std::make_shared<outbox>(sink);
  {
    push_batch batch;
    session::frame_list frames{small_frame(0)};
    push_batch::push_qos0(o, frames);
    o->push(small_frame(1));  // e.g. a PINGRESP, a QoS 1 delivery or a DISCONNECT
    EXPECT_EQ(flatten(drained(*o)), expected_text(0, 2));
  }
}

TEST(PushBatch, AReservationGoesAfterTheRun) {
  counting_sink sink;
  auto o = std::make_shared<outbox>(sink);
  push_batch batch;
  session::frame_list frames{small_frame(0)};
  push_batch::push_qos0(o, frames);
  const auto ticket = o->reserve();
  session::frame_list filled{small_frame(1)};
  o->fill(ticket, filled);
  EXPECT_EQ(flatten(drained(*o)), expected_text(0, 2));
}

TEST(PushBatch, ADirectPushElsewhereLeavesTheRunHeld) {
  counting_sink sink_a, sink_b;
  auto a = std::make_shared<outbox>(sink_a);
  auto b = std::make_shared<outbox>(sink_b);
  {
    push_batch batch;
    session::frame_list frames{small_frame(0)};
    push_batch::push_qos0(a, frames);
    b->push(small_frame(1));
    EXPECT_EQ(a->pending_bytes(), 0u);
  }
  EXPECT_EQ(flatten(drained(*a)), expected_text(0, 1));
}

TEST(PushBatch, LargePacketsAreNotHeld) {
  counting_sink sink;
  auto o = std::make_shared<outbox>(sink);
  {
    push_batch batch;
    session::frame_list small{small_frame(0)};
    push_batch::push_qos0(o, small);
    session::frame big;
    big.bytes = "BIG:";
    big.payload = std::make_shared<const std::string>(push_batch::small_frame + 1, 'y');
    session::frame_list large{std::move(big)};
    push_batch::push_qos0(o, large);
    EXPECT_EQ(flatten(drained(*o)), expected_text(0, 1) + "BIG:" + std::string(push_batch::small_frame + 1, 'y'));
  }
}

TEST(PushBatch, ARunIsPushedWhenItReachesItsLimit) {
  counting_sink sink;
  auto o = std::make_shared<outbox>(sink);
  push_batch batch;
  session::frame f;
  f.bytes = std::string(1000, 'z');
  for (std::size_t sent = 0; sent < push_batch::run_limit; sent += f.bytes.size()) {
    session::frame_list frames{session::frame{f.bytes, nullptr}};
    push_batch::push_qos0(o, frames);
  }
  EXPECT_GE(o->pending_bytes(), push_batch::run_limit);
}

}  // namespace
}  // namespace gridmq::broker
