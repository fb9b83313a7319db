// A listening TCP socket that hands accepted connections to the workers.
//
// One acceptor, on the context given at bind time; each accepted socket is
// created directly on the next worker's io_context (round-robin), and its
// tcp_connection is started there, so a connection never changes worker.
//
// Lifecycle: bind() resolves, binds and listens (start-up: throws
// std::runtime_error naming the listener URL), start() begins accepting,
// stop() closes the acceptor. shared_ptr: pending handlers keep it alive.
// Threads: start() and stop() may be called from any thread.
//
// What happens to an accepted socket depends on the scheme (handshake.hpp):
// PROXY header, TLS, WebSocket upgrade or HTTP, then an MQTT connection.
// reload_tls() swaps the certificates for new handshakes only.
//
// Accept errors such as EMFILE (out of file descriptors) would fail again at
// once, so they back off for 100 ms and are logged once per episode.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "broker/client_port.hpp"
#include "transport/asio.hpp"
#include "transport/listener_context.hpp"

namespace spdlog {
class logger;
}

namespace gridmq::transport {

class worker_pool;

class tcp_listener : public std::enable_shared_from_this<tcp_listener> {
 public:
  static std::shared_ptr<tcp_listener> bind(asio::io_context& accept_context, worker_pool& workers,
                                            broker::client_acceptor& acceptor, listener_options options,
                                            spdlog::logger& log);

  // Use bind(); public only for make_shared.
  tcp_listener(asio::io_context& accept_context, worker_pool& workers, broker::client_acceptor& acceptor,
               listener_options options, spdlog::logger& log);

  std::uint16_t port() const noexcept { return bound_port_; }
  // The URL with the bound port, "mqtt://127.0.0.1:40123".
  const std::string& url() const noexcept { return url_; }

  void start();
  void stop() noexcept;

  bool is_tls() const noexcept { return context_->is_tls(); }
  // Reads the certificate files again; new handshakes use them, live
  // connections keep theirs. Throws std::runtime_error (naming the file) and
  // keeps the old certificates when a file is bad. Returns the new default
  // certificate's SHA-256 fingerprint. Any thread.
  std::string reload_tls();

 private:
  void open(const asio::ip::tcp::endpoint& endpoint);
  asio::ip::tcp::endpoint resolve();
  void do_accept();
  void on_accept(const error_code& ec, tcp_socket socket);
  void back_off(const error_code& ec);

  tcp_acceptor acceptor_;
  steady_timer backoff_;
  worker_pool& workers_;
  broker::client_acceptor& broker_;
  listener_options options_;
  spdlog::logger& log_;
  std::string url_;
  std::shared_ptr<listener_context> context_;  // made once the port is bound
  std::uint16_t bound_port_ = 0;
  bool stopped_ = false;
  bool backing_off_ = false;  // an accept error was logged; cleared by the next success
};

}  // namespace gridmq::transport
