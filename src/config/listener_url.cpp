#include "config/listener_url.hpp"

#include <charconv>
#include <string>

namespace gridmq::config {
namespace {

struct scheme_info {
  std::string_view name;
  std::uint16_t default_port;
};

// IANA's MQTT ports, and the web ports for WebSocket and HTTP.
constexpr scheme_info schemes[] = {{"mqtt", 1883}, {"mqtts", 8883}, {"ws", 80},
                                   {"wss", 443},   {"http", 80},    {"https", 443}};

const scheme_info* find_scheme(std::string_view name) {
  for (const auto& s : schemes) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

using url_result = result<listener_url, std::string>;

url_result url_error(std::string_view text, std::string_view why) {
  std::string msg = "invalid listener URL \"";
  msg.append(text).append("\": ").append(why);
  return unexpected{std::move(msg)};
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_';
}

// Inside brackets: hex digits, colons, dots (IPv4 tail) and a %zone suffix.
bool is_ipv6_char(char c) { return is_name_char(c) || c == ':' || c == '%'; }

template <class Pred>
bool all_of(std::string_view s, Pred pred) {
  for (char c : s) {
    if (!pred(c)) return false;
  }
  return true;
}

}  // namespace

result<listener_url, std::string> parse_listener_url(std::string_view text) {
  const auto sep = text.find("://");
  if (sep == std::string_view::npos) return url_error(text, "expected scheme://host:port");
  listener_url url;
  url.scheme = std::string(text.substr(0, sep));
  const scheme_info* scheme = find_scheme(url.scheme);
  if (scheme == nullptr) return url_error(text, "unsupported scheme (expected mqtt, mqtts, ws, wss, http or https)");

  std::string_view rest = text.substr(sep + 3);
  if (rest.find_first_of("/?#") != std::string_view::npos) {
    return url_error(text, "a listener URL has no path, query or fragment");
  }
  if (rest.find('@') != std::string_view::npos) return url_error(text, "user information is not allowed");

  std::string_view host;
  std::string_view port_part;  // text after the host, ":1883" or empty
  if (!rest.empty() && rest.front() == '[') {
    const auto close = rest.find(']');
    if (close == std::string_view::npos) return url_error(text, "missing ']' after IPv6 address");
    host = rest.substr(1, close - 1);
    if (host.empty() || host.find(':') == std::string_view::npos || !all_of(host, is_ipv6_char)) {
      return url_error(text, "invalid IPv6 address in brackets");
    }
    port_part = rest.substr(close + 1);
  } else {
    const auto colon = rest.find(':');
    host = rest.substr(0, colon);
    if (colon != std::string_view::npos) port_part = rest.substr(colon);
    if (port_part.find(':', 1) != std::string_view::npos) {
      return url_error(text, "an IPv6 address must be written in brackets: mqtt://[::1]:1883");
    }
    if (host.empty()) return url_error(text, "missing host");
    if (!all_of(host, is_name_char)) return url_error(text, "invalid character in host");
  }
  url.host = std::string(host);

  if (port_part.empty()) {
    url.port = scheme->default_port;
    return url;
  }
  if (port_part.front() != ':') return url_error(text, "expected ':' and a port after the host");
  const std::string_view digits = port_part.substr(1);
  if (digits.empty() || digits.size() > 5 || !all_of(digits, [](char c) { return c >= '0' && c <= '9'; })) {
    return url_error(text, "port must be a number from 0 to 65535");
  }
  unsigned value = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (value > 65535) return url_error(text, "port must be a number from 0 to 65535");
  url.port = static_cast<std::uint16_t>(value);
  return url;
}

bool uses_tls(const listener_url& url) noexcept {
  return url.scheme == "mqtts" || url.scheme == "wss" || url.scheme == "https";
}

bool serves_websocket(const listener_url& url) noexcept { return url.scheme != "mqtt" && url.scheme != "mqtts"; }

bool serves_http(const listener_url& url) noexcept { return url.scheme == "http" || url.scheme == "https"; }

std::string to_string(const listener_url& url) {
  std::string out = url.scheme + "://";
  if (url.host.find(':') != std::string::npos) {
    out.append("[").append(url.host).append("]");
  } else {
    out.append(url.host);
  }
  out.append(":").append(std::to_string(url.port));
  return out;
}

}  // namespace gridmq::config
