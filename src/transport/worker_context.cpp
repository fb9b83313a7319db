#include "transport/worker_context.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdio>

namespace gridmq::transport {

std::string_view worker_context::peer_name(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (fd < 0 || ::getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return {};
  char host[INET6_ADDRSTRLEN] = {};
  int written = -1;
  if (addr.ss_family == AF_INET) {
    const auto& a = reinterpret_cast<const sockaddr_in&>(addr);
    if (::inet_ntop(AF_INET, &a.sin_addr, host, sizeof host) == nullptr) return {};
    written = std::snprintf(peer_scratch_.data(), peer_scratch_.size(), "%s:%u", host, unsigned{ntohs(a.sin_port)});
  } else if (addr.ss_family == AF_INET6) {
    const auto& a = reinterpret_cast<const sockaddr_in6&>(addr);
    // A scoped address (fe80::...%eth0) is named differently by Asio: the
    // caller then keeps the listener's name instead.
    if (a.sin6_scope_id != 0 || ::inet_ntop(AF_INET6, &a.sin6_addr, host, sizeof host) == nullptr) return {};
    written = std::snprintf(peer_scratch_.data(), peer_scratch_.size(), "[%s]:%u", host, unsigned{ntohs(a.sin6_port)});
  }
  if (written <= 0 || static_cast<std::size_t>(written) >= peer_scratch_.size()) return {};
  return {peer_scratch_.data(), static_cast<std::size_t>(written)};
}

}  // namespace gridmq::transport
