// Concurrency smoke test: readers match while a writer churns subscriptions.
// Bounded iterations, no sleeps. Meant to be run under -fsanitize=thread as
// well (build-topic-tsan); in a normal build it checks that readers always
// see the subscriptions nobody touches.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "topic/subscription_index.hpp"

namespace gridmq::topic {
namespace {

constexpr std::uint64_t stable_key = 1000;

TEST(concurrency, readers_match_while_a_writer_churns) {
  subscription_index<int> index;
  // Stable subscriptions: every reader must see them on every match.
  index.subscribe("s/#", "", stable_key, 1);
  index.subscribe("s/+/x", "g", stable_key, 2);
  index.subscribe("s/+/x", "g", stable_key + 1, 3);

  constexpr int readers = 3;
  constexpr int reads_per_reader = 20000;
  constexpr int writes = 20000;
  std::atomic<int> missing{0};
  std::atomic<int> picked{0};

  std::vector<std::thread> threads;
  for (int r = 0; r < readers; ++r) {
    threads.emplace_back([&, r] {
      const std::string topics[] = {"s/a/x", "s/b/x", "s/a/y", "s/c/x/z"};
      for (int i = 0; i < reads_per_reader; ++i) {
        const std::string& topic = topics[static_cast<std::size_t>(i + r) % 4];
        bool saw_stable = false;
        index.match(
            topic, [&](std::uint64_t k, const int&) { saw_stable = saw_stable || k == stable_key; },
            [&](std::string_view, shared_group_view<int>& g) {
              if (g.pick([](std::uint64_t, const int&) { return true; }) != nullptr) picked.fetch_add(1);
            });
        if (!saw_stable) missing.fetch_add(1);
      }
    });
  }
  threads.emplace_back([&] {
    std::mt19937 rng(42);
    const char* filters[] = {"s/#", "s/+/x", "s/a/x", "+/+/+", "#", "s/a/#", "s/b/x"};
    const char* groups[] = {"", "", "g", "h"};
    for (int i = 0; i < writes; ++i) {
      const char* f = filters[rng() % 7];
      const char* g = groups[rng() % 4];
      const std::uint64_t k = rng() % 16;  // never a stable key
      if (rng() % 3 == 0) {
        index.unsubscribe(f, g, k);
      } else {
        index.subscribe(f, g, k, i);
      }
      if (i % 1000 == 999) index.unsubscribe_all(k);
    }
  });
  for (auto& t : threads) t.join();

  EXPECT_EQ(missing.load(), 0);
  // "s/+/x" topics are half of the reads and always carry group "g".
  EXPECT_GE(picked.load(), readers * reads_per_reader / 2);
  EXPECT_GE(index.size(), 3u);
}

}  // namespace
}  // namespace gridmq::topic
