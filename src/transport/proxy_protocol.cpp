// Design note: the header is parsed from a growing buffer, not read with a
// fixed length, because v1 is a text line of variable length and the bytes
// after the header (a TLS ClientHello, an HTTP request) may arrive in the
// same segment. Spec: HAProxy's "The PROXY protocol" versions 1 and 2.
#include "transport/proxy_protocol.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <string_view>

namespace gridmq::transport {
namespace {

using status = proxy_header::status;

constexpr std::string_view v1_prefix = "PROXY ";
constexpr std::array<std::uint8_t, 12> v2_signature{0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D,
                                                    0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

proxy_header invalid(std::string why) {
  proxy_header h;
  h.st = status::invalid;
  h.error = std::move(why);
  return h;
}

proxy_header done(std::size_t length, std::string source) {
  proxy_header h;
  h.st = status::done;
  h.length = length;
  h.source = std::move(source);
  return h;
}

bool parse_port(std::string_view s, unsigned& port) {
  if (s.empty() || s.size() > 5 || (s.size() > 1 && s[0] == '0')) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), port);
  return ec == std::errc() && end == s.data() + s.size() && port <= 65535;
}

bool valid_address(std::string_view s, int family) {
  if (s.empty() || s.size() >= INET6_ADDRSTRLEN) return false;
  std::string text(s);
  unsigned char buf[16];
  return inet_pton(family, text.c_str(), buf) == 1;
}

// "PROXY TCP4 <src> <dst> <sport> <dport>\r\n" or "PROXY UNKNOWN ...\r\n".
// "host:port", with brackets around an IPv6 host. Built by appending: the
// operator+ chains GCC 12 -O3 flags with a false -Wrestrict (PR 105329).
std::string host_port(std::string_view host, bool v6, unsigned port) {
  std::string out;
  out.reserve(host.size() + 8);
  if (v6) out.push_back('[');
  out.append(host);
  if (v6) out.push_back(']');
  out.push_back(':');
  out.append(std::to_string(port));
  return out;
}

proxy_header parse_v1(std::span<const std::uint8_t> data) {
  const std::string_view text(reinterpret_cast<const char*>(data.data()), data.size());
  const auto end = text.find("\r\n");
  if (end == std::string_view::npos) {
    if (text.size() >= max_proxy_v1_length) return invalid("v1 header longer than 107 bytes");
    return {};
  }
  if (end + 2 > max_proxy_v1_length) return invalid("v1 header longer than 107 bytes");
  std::string_view line = text.substr(v1_prefix.size(), end - v1_prefix.size());
  std::string_view fields[5];
  std::size_t n = 0;
  while (!line.empty() && n < 5) {
    const auto sp = line.find(' ');
    fields[n++] = line.substr(0, sp);
    line = sp == std::string_view::npos ? std::string_view() : line.substr(sp + 1);
  }
  if (n >= 1 && fields[0] == "UNKNOWN") return done(end + 2, {});
  if (n != 5 || !line.empty()) return invalid("v1 header needs protocol, two addresses and two ports");
  const int family = fields[0] == "TCP4" ? AF_INET : fields[0] == "TCP6" ? AF_INET6 : 0;
  if (family == 0) return invalid("v1 protocol must be TCP4, TCP6 or UNKNOWN");
  unsigned sport = 0, dport = 0;
  if (!valid_address(fields[1], family) || !valid_address(fields[2], family)) return invalid("v1 bad address");
  if (!parse_port(fields[3], sport) || !parse_port(fields[4], dport)) return invalid("v1 bad port");
  return done(end + 2, host_port(fields[1], family == AF_INET6, sport));
}

std::string address_text(int family, const std::uint8_t* addr, unsigned port) {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(family, addr, buf, sizeof buf);
  return host_port(buf, family == AF_INET6, port);
}

proxy_header parse_v2(std::span<const std::uint8_t> data) {
  if (data.size() < 16) return {};
  const std::uint8_t ver_cmd = data[12];
  if ((ver_cmd >> 4) != 2) return invalid("v2 version must be 2");
  const std::uint8_t command = ver_cmd & 0x0F;
  if (command > 1) return invalid("v2 command must be LOCAL or PROXY");
  const std::size_t length = 16 + ((std::size_t{data[14]} << 8) | data[15]);
  if (length > max_proxy_v2_length) return invalid("v2 header too long");
  if (data.size() < length) return {};
  if (command == 0) return done(length, {});  // LOCAL: the balancer's own health check
  const std::uint8_t family = data[13] >> 4;
  const std::uint8_t transport = data[13] & 0x0F;
  const std::uint8_t* p = data.data() + 16;
  if (transport != 1 || (family != 1 && family != 2)) return done(length, {});  // UNSPEC, UDP, unix: keep socket peer
  const std::size_t need = family == 1 ? 12 : 36;
  if (length - 16 < need) return invalid("v2 address block too short");
  const std::size_t alen = family == 1 ? 4 : 16;
  const unsigned sport = (unsigned{p[2 * alen]} << 8) | p[2 * alen + 1];
  return done(length, address_text(family == 1 ? AF_INET : AF_INET6, p, sport));
}

}  // namespace

proxy_header parse_proxy_header(std::span<const std::uint8_t> data) {
  if (data.empty()) return {};
  if (data[0] == v2_signature[0]) {
    const std::size_t n = std::min(data.size(), v2_signature.size());
    for (std::size_t i = 0; i < n; ++i) {
      if (data[i] != v2_signature[i]) return invalid("not a PROXY protocol header");
    }
    return parse_v2(data);
  }
  const std::size_t n = std::min(data.size(), v1_prefix.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (data[i] != static_cast<std::uint8_t>(v1_prefix[i])) return invalid("not a PROXY protocol header");
  }
  if (data.size() < v1_prefix.size()) return {};
  return parse_v1(data);
}

}  // namespace gridmq::transport
