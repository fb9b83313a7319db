// The worker's own epoll set for plain TCP connections.
//
// Why: Asio's reactor keeps per socket a descriptor state (~167 B) and, for
// an idle connection, a pending readiness-wait operation (~79 B), and it
// re-arms the socket with epoll_ctl(MOD) on every wait: ~290 B per idle
// client, more than a third of Mosquitto's whole figure. Here a plain socket
// is registered once, edge-triggered, with its watcher as the epoll data: it
// costs the kernel's entry and one slot in this poller's table.
//
// Design: one inner epoll fd per worker, nested in Asio's reactor through one
// stream_descriptor waiting for readability (Asio re-arms it with
// epoll_ctl(MOD) on each wait, which re-checks readiness, so no edge is
// lost). When it is readable, epoll_wait(inner, 0) fetches a batch and
// calls each watcher's on_ready(); a full batch posts a continuation
// instead of waiting, so other handlers get their turn.
//
// Lifetime: a watcher is held (it counts one reference for the poller)
// from a successful add() until the poller calls its on_unwatched(): after
// remove(), from a posted handler, so an event later in the same batch still
// finds it alive (it then sees itself removed and is skipped); or when the
// worker's context shuts down, for every watcher still registered (which
// then keeps its own promises, e.g. the broker's on_closed()). The table
// holds one pointer per watcher.
//
// Threads: an Asio service of the worker's io_context; every member is
// called on the worker's one thread.
#pragma once

#include <sys/epoll.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "transport/asio.hpp"

#include <boost/asio/posix/basic_stream_descriptor.hpp>

namespace gridmq::transport {

class fd_poller;

// What the poller calls when a registered fd becomes ready.
class fd_watcher {
 public:
  // `events`: the EPOLLIN / EPOLLOUT / EPOLLRDHUP / EPOLLHUP / EPOLLERR bits
  // of one edge. Edge-triggered: the next call comes only after a change.
  virtual void on_ready(std::uint32_t events) = 0;
  // The poller lets go of the watcher: once per successful add().
  virtual void on_unwatched() noexcept = 0;

 protected:
  fd_watcher() = default;
  ~fd_watcher() = default;
  fd_watcher(const fd_watcher&) = delete;
  fd_watcher& operator=(const fd_watcher&) = delete;

 private:
  friend class fd_poller;
  static constexpr std::uint32_t no_slot = UINT32_MAX;
  std::uint32_t poller_slot_ = no_slot;
};

class fd_poller final : public asio::execution_context::service {
 public:
  using key_type = fd_poller;
  static inline asio::execution_context::id id;
  // Events fetched per epoll_wait; more wait for the posted continuation.
  static constexpr int batch_size = 64;

  explicit fd_poller(asio::io_context& ctx);
  ~fd_poller() override;

  // Registers `fd` (non-blocking) edge-triggered for input, output and the
  // peer's half-close; `w` is called until remove(), and w.on_unwatched()
  // once after it. False, with errno's code in `ec`, if the kernel refused
  // (then no on_unwatched() follows).
  bool add(int fd, fd_watcher& w, error_code& ec);
  // Unregisters `fd` (call before closing it) and calls w.on_unwatched()
  // after the running handler returns. Does nothing for a watcher not
  // registered.
  void remove(int fd, fd_watcher& w) noexcept;
  std::size_t size() const noexcept { return watchers_.size(); }

 private:
  using descriptor = asio::posix::basic_stream_descriptor<executor>;

  void shutdown() override;
  void wait();
  void dispatch();
  void release_retired() noexcept;

  asio::io_context& ctx_;
  std::optional<descriptor> inner_;  // owns the epoll fd; made on first add()
  std::vector<fd_watcher*> watchers_;  // index = fd_watcher::poller_slot_
  std::vector<fd_watcher*> retired_;   // removed; let go of by a posted handler
  std::unique_ptr<epoll_event[]> batch_;
  bool waiting_ = false;
  bool release_posted_ = false;
  bool shut_down_ = false;
};

}  // namespace gridmq::transport
