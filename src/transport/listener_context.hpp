// What every connection of one listener shares: its options, its URL, the
// broker, the HTTP service and the current TLS configuration.
//
// Lifecycle: made by tcp_listener::bind(), shared (shared_ptr) by the
// listener and by every connection still in its handshakes. Threads: all
// fields are read-only except the TLS snapshot, which reload_tls() replaces
// under a mutex; a handshake takes the snapshot once, when it starts.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "broker/client_port.hpp"
#include "transport/connection_options.hpp"
#include "transport/http_service.hpp"
#include "transport/tls_options.hpp"

namespace spdlog {
class logger;
}

namespace gridmq::transport {

class tls_context;

struct listener_options {
  std::string host;        // IPv4 or IPv6 literal (no brackets) or a name
  std::uint16_t port = 0;  // 0: ephemeral
  std::string scheme = "mqtt";  // mqtt, mqtts, ws, wss, http, https
  connection_options connection;
  // PROXY protocol, TLS and HTTP upgrade together must finish within this.
  std::chrono::milliseconds handshake_timeout{10000};
  bool proxy_protocol = false;   // expect a PROXY v1/v2 header first
  std::string ws_path = "/mqtt";  // ws, wss, http, https: where WebSocket is served
  std::optional<tls_options> tls;  // required for mqtts, wss, https
  http_service* http = nullptr;    // http, https: non-WebSocket requests (null: 404)
  std::size_t max_http_body = 512 * 1024;  // larger request bodies get 413
};

struct listener_context {
  listener_context(listener_options o, std::string u, broker::client_acceptor& a, spdlog::logger& l)
      : options(std::move(o)), url(std::move(u)), acceptor(a), log(l) {}

  listener_options options;
  std::string url;  // with the bound port
  broker::client_acceptor& acceptor;
  spdlog::logger& log;

  bool is_tls() const noexcept { return options.tls.has_value(); }
  bool is_mqtt() const noexcept { return options.scheme == "mqtt" || options.scheme == "mqtts"; }

  std::shared_ptr<const tls_context> tls() const {
    std::lock_guard lock(tls_mutex_);
    return tls_;
  }
  void set_tls(std::shared_ptr<const tls_context> t) {
    std::lock_guard lock(tls_mutex_);
    tls_ = std::move(t);
  }

 private:
  mutable std::mutex tls_mutex_;
  std::shared_ptr<const tls_context> tls_;
};

}  // namespace gridmq::transport
