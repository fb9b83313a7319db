#include "transport/fd_poller.hpp"

#include <unistd.h>

#include <cerrno>
#include <exception>
#include <system_error>
#include <utility>

namespace gridmq::transport {

fd_poller::fd_poller(asio::io_context& ctx)
    : service(ctx), ctx_(ctx), batch_(std::make_unique<epoll_event[]>(batch_size)) {
  const int fd = ::epoll_create1(EPOLL_CLOEXEC);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
  // Created here, after the reactor it registers with, so it is shut down
  // before that reactor (services shut down in reverse order of creation).
  inner_.emplace(ctx.get_executor(), fd);
}

fd_poller::~fd_poller() = default;

bool fd_poller::add(int fd, fd_watcher& w, error_code& ec) {
  if (shut_down_ || w.poller_slot_ != fd_watcher::no_slot) {
    ec = asio::error::bad_descriptor;
    return false;
  }
  watchers_.push_back(nullptr);  // may throw: before the kernel knows the fd
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  ev.data.ptr = &w;
  if (::epoll_ctl(inner_->native_handle(), EPOLL_CTL_ADD, fd, &ev) != 0) {
    ec = error_code(errno, asio::error::get_system_category());
    watchers_.pop_back();
    return false;
  }
  w.poller_slot_ = static_cast<std::uint32_t>(watchers_.size() - 1);
  watchers_.back() = &w;
  if (!waiting_) wait();
  return true;
}

void fd_poller::remove(int fd, fd_watcher& w) noexcept {
  const std::uint32_t slot = w.poller_slot_;
  if (slot == fd_watcher::no_slot || slot >= watchers_.size() || watchers_[slot] != &w) return;
  // Before the fd is closed: a closed fd leaves the set by itself only if
  // no other descriptor shares its file.
  epoll_event ignored{};
  (void)::epoll_ctl(inner_->native_handle(), EPOLL_CTL_DEL, fd, &ignored);
  w.poller_slot_ = fd_watcher::no_slot;
  if (slot + 1 != watchers_.size()) {
    watchers_[slot] = watchers_.back();
    watchers_[slot]->poller_slot_ = slot;
  }
  watchers_.pop_back();
  // The caller is usually `w` itself, and a batch being dispatched may still
  // name it: let go of it once the running handler has returned.
  try {
    retired_.push_back(&w);
  } catch (...) {
    return;  // out of memory: the poller's hold on `w` is leaked, never freed early
  }
  if (release_posted_) return;
  try {
    asio::post(ctx_, [this] { release_retired(); });
    release_posted_ = true;
  } catch (...) {
    // Out of memory: released with the next removal's post, or at shutdown.
  }
}

void fd_poller::release_retired() noexcept {
  release_posted_ = false;
  // on_unwatched() may end a watcher whose destructor removes more: swap first.
  std::vector<fd_watcher*> done;
  done.swap(retired_);
  for (fd_watcher* w : done) w->on_unwatched();
  done.clear();
  if (retired_.empty()) retired_.swap(done);  // keep the capacity
}

void fd_poller::wait() {
  waiting_ = true;
  inner_->async_wait(descriptor::wait_read, [this](const error_code& ec) {
    waiting_ = false;
    if (ec || shut_down_) return;
    dispatch();
  });
}

void fd_poller::dispatch() {
  const int n = ::epoll_wait(inner_->native_handle(), batch_.get(), batch_size, 0);
  // Re-arm before calling out: a watcher that throws cannot leave the
  // poller deaf (worker_pool logs the exception and runs on).
  if (n == batch_size) {
    asio::post(ctx_, [this] {
      if (!shut_down_) dispatch();
    });
  } else if (!waiting_ && !watchers_.empty()) {
    wait();
  }
  // Edge-triggered: an event not delivered now never comes again, so one
  // watcher that throws must not cost the rest of the batch theirs.
  std::exception_ptr thrown;
  for (int i = 0; i < n; ++i) {
    auto* w = static_cast<fd_watcher*>(batch_[i].data.ptr);
    // A watcher removed earlier in this batch is still alive (retired_), but
    // its fd may already name another connection's socket: skip it.
    if (w->poller_slot_ == fd_watcher::no_slot) continue;
    try {
      w->on_ready(batch_[i].events);
    } catch (...) {
      if (!thrown) thrown = std::current_exception();
    }
  }
  if (thrown) std::rethrow_exception(thrown);  // for the worker to log, as any handler's
}

void fd_poller::shutdown() {
  shut_down_ = true;
  // The context is going away with its handlers unrun: drop the watchers
  // here so their destructors run while the other services still exist.
  std::vector<fd_watcher*> live;
  live.swap(watchers_);
  for (fd_watcher* w : live) w->poller_slot_ = fd_watcher::no_slot;
  for (fd_watcher* w : live) w->on_unwatched();
  release_retired();
  inner_.reset();  // closes the epoll fd while its reactor still exists
}

}  // namespace gridmq::transport
