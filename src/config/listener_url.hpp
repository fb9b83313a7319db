// A listener address written as a URL: scheme://host:port, where scheme is
// mqtt (TCP), mqtts (TLS), ws, wss (WebSocket), http or https (HTTP publish
// and WebSocket on one port).
//
// The host is an IPv4 literal, a bracketed IPv6 literal or a name; the port
// defaults to the scheme's port and 0 asks for an ephemeral one. Parsing is
// total: any string gives a listener_url or a message saying what is wrong.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace gridmq::config {

struct listener_url {
  std::string scheme;  // "mqtt", "mqtts", "ws", "wss", "http", "https"
  std::string host;    // without brackets: "127.0.0.1", "::1", "localhost"
  std::uint16_t port = 0;

  friend bool operator==(const listener_url&, const listener_url&) = default;
};

// What a scheme implies.
bool uses_tls(const listener_url& url) noexcept;        // mqtts, wss, https
bool serves_websocket(const listener_url& url) noexcept;  // ws, wss, http, https
bool serves_http(const listener_url& url) noexcept;     // http, https

result<listener_url, std::string> parse_listener_url(std::string_view text);

// Back to URL form, with brackets around an IPv6 host: "mqtt://[::1]:1883".
std::string to_string(const listener_url& url);

}  // namespace gridmq::config
