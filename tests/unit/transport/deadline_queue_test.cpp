// deadline_queue: one timer per worker for every connection's deadline.
// Real io_context, short real deadlines (tens of milliseconds), run until
// the queue has nothing left; each test bounds its run with run_for.
#include "transport/deadline_queue.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace gridmq::transport {
namespace {

using namespace std::chrono_literals;
using clock = deadline_queue::clock;

struct recorder : timed_object {
  recorder(std::string n, std::vector<std::string>& log) : name(std::move(n)), calls(log) {}
  void on_deadline() override {
    calls.push_back(name);
    if (again) {
      again = false;
      queue->set(*this, clock::now() + 10ms);
    }
  }
  std::string name;
  std::vector<std::string>& calls;
  bool again = false;
  deadline_queue* queue = nullptr;
};

struct deadline_queue_test : ::testing::Test {
  asio::io_context ctx{1};
  deadline_queue& q = asio::use_service<deadline_queue>(ctx);
  std::vector<std::string> calls;
  void run() { ctx.run_for(2s); }
};

TEST_F(deadline_queue_test, fires_in_deadline_order_not_insertion_order) {
  recorder a("a", calls), b("b", calls), c("c", calls);
  const auto now = clock::now();
  q.set(a, now + 60ms);
  q.set(b, now + 20ms);
  q.set(c, now + 40ms);
  run();
  EXPECT_EQ(calls, (std::vector<std::string>{"b", "c", "a"}));
  EXPECT_EQ(q.size(), 0u);
}

TEST_F(deadline_queue_test, moving_a_deadline_later_and_earlier_reorders) {
  recorder a("a", calls), b("b", calls), c("c", calls);
  const auto now = clock::now();
  q.set(a, now + 20ms);
  q.set(b, now + 40ms);
  q.set(c, now + 60ms);
  q.set(a, now + 80ms);  // later: now last
  q.set(c, now + 10ms);  // earlier than the timer's pending wait: now first
  run();
  EXPECT_EQ(calls, (std::vector<std::string>{"c", "b", "a"}));
}

TEST_F(deadline_queue_test, cancelled_deadline_never_fires_and_others_still_do) {
  recorder a("a", calls), b("b", calls), c("c", calls);
  const auto now = clock::now();
  q.set(a, now + 20ms);
  q.set(b, now + 30ms);
  q.set(c, now + 40ms);
  q.cancel(a);  // the front of the heap
  q.cancel(a);  // twice is harmless
  run();
  EXPECT_EQ(calls, (std::vector<std::string>{"b", "c"}));
}

TEST_F(deadline_queue_test, on_deadline_may_arm_again) {
  recorder a("a", calls), b("b", calls);
  a.again = true;
  a.queue = &q;
  const auto now = clock::now();
  q.set(a, now + 10ms);
  q.set(b, now + 15ms);
  run();
  EXPECT_EQ(calls, (std::vector<std::string>{"a", "b", "a"}));
}

TEST_F(deadline_queue_test, many_objects_fire_each_exactly_once_in_order) {
  std::vector<std::unique_ptr<recorder>> objs;
  const auto now = clock::now();
  for (int i = 0; i < 200; ++i) {
    objs.push_back(std::make_unique<recorder>(std::to_string(i), calls));
    // Deadlines in a scrambled order: i * 37 mod 200 milliseconds / 4.
    q.set(*objs.back(), now + std::chrono::microseconds((i * 37 % 200) * 250));
  }
  for (int i = 0; i < 200; i += 3) q.cancel(*objs[i]);
  run();
  std::vector<std::string> want;
  for (int k = 0; k < 200; ++k) {
    for (int i = 0; i < 200; ++i) {
      if (i * 37 % 200 == k && i % 3 != 0) want.push_back(std::to_string(i));
    }
  }
  EXPECT_EQ(calls, want);
}

}  // namespace
}  // namespace gridmq::transport
