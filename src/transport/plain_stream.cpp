// plain_stream: plain TCP on a raw non-blocking fd (see streams.hpp).
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>

#include "transport/streams.hpp"

namespace gridmq::transport {
namespace {

// Asio's limit of buffers per scatter/gather system call, kept.
constexpr std::size_t iov_per_send = 64;

error_code errno_code() noexcept { return {errno, asio::error::get_system_category()}; }

}  // namespace

plain_stream::plain_stream(tcp_socket s) {
  error_code ec;
  const int fd = s.release(ec);
  if (ec || fd < 0) return;
  fd_ = fd;
  const int flags = ::fcntl(fd_, F_GETFL, 0);
  if (flags < 0 || ::fcntl(fd_, F_SETFL, flags | O_NONBLOCK) != 0) close();
}

void plain_stream::set_no_delay() noexcept {
  const int on = 1;
  (void)::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);  // best effort, as before
}

void plain_stream::shutdown_send(error_code& ec) noexcept {
  if (::shutdown(fd_, SHUT_WR) != 0) ec = errno_code();
}

void plain_stream::close() noexcept {
  if (fd_ < 0) return;
  ::close(fd_);
  fd_ = -1;
}

std::size_t plain_stream::read_now(asio::mutable_buffer b, error_code& ec) noexcept {
  for (;;) {
    const ssize_t n = ::recv(fd_, b.data(), b.size(), 0);
    if (n > 0) return static_cast<std::size_t>(n);
    if (n == 0) {
      ec = asio::error::eof;
    } else if (errno == EINTR) {
      continue;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      ec = asio::error::would_block;
    } else {
      ec = errno_code();
    }
    return 0;
  }
}

bool plain_stream::send_now(std::span<asio::const_buffer> buffers, std::uint32_t& next, error_code& ec) noexcept {
  std::array<iovec, iov_per_send> iov{};
  while (next < buffers.size()) {
    const std::size_t count = std::min(iov_per_send, buffers.size() - next);
    for (std::size_t i = 0; i < count; ++i) {
      iov[i].iov_base = const_cast<void*>(buffers[next + i].data());
      iov[i].iov_len = buffers[next + i].size();
    }
    msghdr msg{};
    msg.msg_iov = iov.data();
    msg.msg_iovlen = count;
    const ssize_t n = ::sendmsg(fd_, &msg, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return false;
      ec = errno_code();
      return true;
    }
    // Skip what was written: whole buffers, then the front of a partial one.
    auto left = static_cast<std::size_t>(n);
    while (next < buffers.size() && left >= buffers[next].size()) {
      left -= buffers[next].size();
      ++next;
    }
    if (left > 0) buffers[next] += left;
  }
  return true;
}

}  // namespace gridmq::transport
