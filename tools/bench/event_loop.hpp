// A thin epoll wrapper: the generator's one thread waits here for every
// socket. Level-triggered; a registration carries a pointer to its client.
// Clients outlive the loop's use of them (the runner keeps them until the
// end of a run), so a pointer in a batch of events is never dangling.
#pragma once

#include <sys/epoll.h>

#include <cstdint>
#include <span>
#include <vector>

namespace gridmq::bench {

class event_loop {
 public:
  event_loop();
  ~event_loop();
  event_loop(const event_loop&) = delete;
  event_loop& operator=(const event_loop&) = delete;

  bool add(int fd, std::uint32_t events, void* tag) noexcept;
  bool modify(int fd, std::uint32_t events, void* tag) noexcept;
  void remove(int fd) noexcept;

  // Waits at most timeout_ns (0 = poll, negative = forever) with nanosecond
  // resolution (epoll_pwait2), so a fixed-rate publisher can be paced finer
  // than epoll_wait's milliseconds.
  std::span<epoll_event> wait(std::int64_t timeout_ns);

 private:
  int fd_ = -1;
  std::vector<epoll_event> events_;
};

}  // namespace gridmq::bench
