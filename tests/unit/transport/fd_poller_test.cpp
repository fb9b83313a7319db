// fd_poller: the worker's own edge-triggered epoll set for plain TCP.
// Real io_context and socketpairs; each test bounds its run with run_for
// and stops the context as soon as what it waits for has happened.
#include "transport/fd_poller.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <functional>
#include <memory>
#include <stdexcept>
#include <vector>

namespace gridmq::transport {
namespace {

using namespace std::chrono_literals;

// One end of a non-blocking socketpair; counts its edges and runs `react`.
struct watcher final : fd_watcher {
  explicit watcher(int f) : fd(f) {}
  ~watcher() {
    ++*destroyed;
    ::close(fd);
  }
  void on_ready(std::uint32_t events) override {
    edges.push_back(events);
    if (react) react(events);
  }
  void on_unwatched() noexcept override {
    ++*unwatched;
    auto last = std::move(keep);  // may end this watcher: nothing touches it after
  }
  int fd;
  std::vector<std::uint32_t> edges;
  std::function<void(std::uint32_t)> react;
  std::shared_ptr<int> destroyed = std::make_shared<int>(0);
  std::shared_ptr<int> unwatched = std::make_shared<int>(0);
  std::shared_ptr<watcher> keep;  // the poller's reference, from add() to on_unwatched()
};

bool watch(fd_poller& poller, const std::shared_ptr<watcher>& w, error_code& ec) {
  w->keep = w;
  if (poller.add(w->fd, *w, ec)) return true;
  w->keep.reset();
  return false;
}

struct pair_fds {
  int ours = -1;
  int theirs = -1;
};

pair_fds make_pair() {
  int fds[2];
  EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds), 0);
  return {fds[0], fds[1]};
}

std::size_t drain(int fd) {
  char buf[256];
  std::size_t total = 0;
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) return total;
    total += static_cast<std::size_t>(n);
  }
}

// Two watchers registered at once (so both are in the first batch), and
// the other ends of their socketpairs, closed at the end of the test.
struct watched_pair {
  std::shared_ptr<watcher> a;
  std::shared_ptr<watcher> b;
  std::vector<int> theirs;
  watched_pair() = default;
  watched_pair(const watched_pair&) = delete;
  watched_pair& operator=(const watched_pair&) = delete;
  ~watched_pair() {
    for (int fd : theirs) ::close(fd);
  }
};

struct fd_poller_test : ::testing::Test {
  asio::io_context ctx{1};
  fd_poller& poller = asio::use_service<fd_poller>(ctx);
  void watch_two(watched_pair& two) {
    for (auto* w : {&two.a, &two.b}) {
      const pair_fds p = make_pair();
      *w = std::make_shared<watcher>(p.ours);
      two.theirs.push_back(p.theirs);
    }
    error_code ec;
    EXPECT_TRUE(watch(poller, two.a, ec));
    EXPECT_TRUE(watch(poller, two.b, ec));
  }
  void run_until(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + 2s;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      ctx.restart();
      ctx.run_for(10ms);
    }
  }
};

TEST_F(fd_poller_test, reports_writable_at_once_and_readable_when_bytes_arrive) {
  const pair_fds p = make_pair();
  auto w = std::make_shared<watcher>(p.ours);
  error_code ec;
  ASSERT_TRUE(watch(poller, w, ec)) << ec.message();
  EXPECT_EQ(poller.size(), 1u);
  run_until([&] { return !w->edges.empty(); });
  ASSERT_FALSE(w->edges.empty());
  EXPECT_TRUE(w->edges.front() & EPOLLOUT);
  EXPECT_FALSE(w->edges.front() & EPOLLIN);
  ASSERT_EQ(::write(p.theirs, "hi", 2), 2);
  run_until([&] { return w->edges.back() & EPOLLIN; });
  EXPECT_TRUE(w->edges.back() & EPOLLIN);
  EXPECT_EQ(drain(w->fd), 2u);
  poller.remove(w->fd, *w);
  ::close(p.theirs);
}

TEST_F(fd_poller_test, edge_triggered_one_report_per_arrival_even_unread) {
  const pair_fds p = make_pair();
  auto w = std::make_shared<watcher>(p.ours);
  error_code ec;
  ASSERT_TRUE(watch(poller, w, ec));
  run_until([&] { return !w->edges.empty(); });
  ASSERT_EQ(::write(p.theirs, "a", 1), 1);
  run_until([&] { return w->edges.size() >= 2; });
  ASSERT_EQ(w->edges.size(), 2u);
  // Nothing new arrives: the unread byte is not reported again.
  ctx.restart();
  ctx.run_for(50ms);
  EXPECT_EQ(w->edges.size(), 2u);
  // A new arrival after the outer wait was re-armed is a new edge.
  ASSERT_EQ(::write(p.theirs, "b", 1), 1);
  run_until([&] { return w->edges.size() >= 3; });
  EXPECT_EQ(w->edges.size(), 3u);
  EXPECT_EQ(drain(w->fd), 2u);
  poller.remove(w->fd, *w);
  ::close(p.theirs);
}

TEST_F(fd_poller_test, reports_the_peers_half_close) {
  const pair_fds p = make_pair();
  auto w = std::make_shared<watcher>(p.ours);
  error_code ec;
  ASSERT_TRUE(watch(poller, w, ec));
  ASSERT_EQ(::shutdown(p.theirs, SHUT_WR), 0);
  run_until([&] { return !w->edges.empty() && (w->edges.back() & EPOLLRDHUP); });
  ASSERT_FALSE(w->edges.empty());
  EXPECT_TRUE(w->edges.back() & EPOLLRDHUP);
  poller.remove(w->fd, *w);
  ::close(p.theirs);
}

// Two watchers ready in one batch; whichever runs first removes the other
// (as a connection finishing another would): the removed one is not called,
// and it is destroyed only after the batch, by the posted release.
TEST_F(fd_poller_test, a_watcher_removed_mid_batch_is_skipped_and_released_later) {
  watched_pair two;
  watch_two(two);
  auto& wa = two.a;
  auto& wb = two.b;
  const auto destroyed_a = wa->destroyed;
  const auto destroyed_b = wb->destroyed;
  watcher* raw_a = wa.get();
  watcher* raw_b = wb.get();
  int calls = 0;
  bool removed_while_alive = false;
  auto remove_other = [&](watcher* self, watcher* other, const std::shared_ptr<int>& other_gone) {
    return [&, self, other, other_gone](std::uint32_t) {
      ++calls;
      if (calls > 1) return;
      poller.remove(other->fd, *other);
      poller.remove(self->fd, *self);
      removed_while_alive = *other_gone == 0;
    };
  };
  wa->react = remove_other(raw_a, raw_b, destroyed_b);
  wb->react = remove_other(raw_b, raw_a, destroyed_a);
  wa.reset();
  wb.reset();
  run_until([&] { return *destroyed_a == 1 && *destroyed_b == 1; });
  EXPECT_EQ(calls, 1);  // the second was removed before its event was dispatched
  EXPECT_TRUE(removed_while_alive);
  EXPECT_EQ(*destroyed_a, 1);
  EXPECT_EQ(*destroyed_b, 1);
  EXPECT_EQ(poller.size(), 0u);
}

// A watcher that throws: the exception reaches run()'s caller (the worker
// logs it), and the other watcher of the same batch still gets its edge.
TEST_F(fd_poller_test, a_throwing_watcher_does_not_cost_the_batch_its_other_events) {
  watched_pair two;
  watch_two(two);
  auto& wa = two.a;
  auto& wb = two.b;
  wa->react = [](std::uint32_t) { throw std::runtime_error("handler bug"); };
  wb->react = [](std::uint32_t) { throw std::runtime_error("handler bug"); };
  bool caught = false;
  const auto deadline = std::chrono::steady_clock::now() + 2s;
  while ((wa->edges.empty() || wb->edges.empty()) && std::chrono::steady_clock::now() < deadline) {
    try {
      ctx.restart();
      ctx.run_for(10ms);
    } catch (const std::runtime_error&) {
      caught = true;
    }
  }
  EXPECT_TRUE(caught);
  EXPECT_EQ(wa->edges.size(), 1u);
  EXPECT_EQ(wb->edges.size(), 1u);
  poller.remove(wa->fd, *wa);
  poller.remove(wb->fd, *wb);
}

TEST_F(fd_poller_test, more_ready_than_one_batch_all_get_called) {
  constexpr int count = fd_poller::batch_size * 2 + 5;
  std::vector<std::shared_ptr<watcher>> ws;
  std::vector<int> theirs;
  error_code ec;
  for (int i = 0; i < count; ++i) {
    const pair_fds p = make_pair();
    ws.push_back(std::make_shared<watcher>(p.ours));
    theirs.push_back(p.theirs);
    ASSERT_TRUE(watch(poller, ws.back(), ec));
  }
  auto all_called = [&] {
    for (auto& w : ws) {
      if (w->edges.empty()) return false;
    }
    return true;
  };
  run_until(all_called);
  EXPECT_TRUE(all_called());
  for (auto& w : ws) poller.remove(w->fd, *w);
  for (int fd : theirs) ::close(fd);
}

// The context goes away with watchers still registered: each is released
// (its destructor runs) exactly once.
TEST(fd_poller_shutdown, releases_registered_watchers_once) {
  std::shared_ptr<int> destroyed;
  std::shared_ptr<int> unwatched;
  int theirs = -1;
  {
    asio::io_context ctx{1};
    fd_poller& poller = asio::use_service<fd_poller>(ctx);
    const pair_fds p = make_pair();
    theirs = p.theirs;
    auto w = std::make_shared<watcher>(p.ours);
    destroyed = w->destroyed;
    unwatched = w->unwatched;
    error_code ec;
    ASSERT_TRUE(watch(poller, w, ec));
    w.reset();
    ctx.run_for(10ms);
    EXPECT_EQ(*destroyed, 0);
  }
  EXPECT_EQ(*destroyed, 1);
  EXPECT_EQ(*unwatched, 1);
  ::close(theirs);
}

TEST_F(fd_poller_test, add_refuses_a_bad_fd) {
  auto w = std::make_shared<watcher>(-1);
  error_code ec;
  EXPECT_FALSE(watch(poller, w, ec));
  EXPECT_TRUE(ec);
  EXPECT_EQ(poller.size(), 0u);
}

}  // namespace
}  // namespace gridmq::transport
