#include "event_loop.hpp"

#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

namespace gridmq::bench {

event_loop::event_loop() : fd_(epoll_create1(EPOLL_CLOEXEC)), events_(1024) {
  if (fd_ < 0) throw std::runtime_error("epoll_create1 failed");
}

event_loop::~event_loop() {
  if (fd_ >= 0) ::close(fd_);
}

bool event_loop::add(int fd, std::uint32_t events, void* tag) noexcept {
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = tag;
  return epoll_ctl(fd_, EPOLL_CTL_ADD, fd, &ev) == 0;
}

bool event_loop::modify(int fd, std::uint32_t events, void* tag) noexcept {
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = tag;
  return epoll_ctl(fd_, EPOLL_CTL_MOD, fd, &ev) == 0;
}

void event_loop::remove(int fd) noexcept {
  epoll_ctl(fd_, EPOLL_CTL_DEL, fd, nullptr);
}

std::span<epoll_event> event_loop::wait(std::int64_t timeout_ns) {
  timespec ts{};
  timespec* tp = nullptr;
  if (timeout_ns >= 0) {
    ts.tv_sec = timeout_ns / 1000000000;
    ts.tv_nsec = timeout_ns % 1000000000;
    tp = &ts;
  }
  const int n = epoll_pwait2(fd_, events_.data(), static_cast<int>(events_.size()), tp, nullptr);
  if (n < 0) {
    if (errno == EINTR) return {};
    throw std::runtime_error("epoll_pwait2 failed");
  }
  return {events_.data(), static_cast<std::size_t>(n)};
}

}  // namespace gridmq::bench
