// The stream layerings an MQTT connection runs over, each reduced to the few
// operations stream_connection needs: read some bytes, write a gather
// sequence, reach the TCP socket, and say goodbye (see `goodbye`).
// `polled` streams (plain TCP) do their I/O on a raw fd registered with the
// worker's fd_poller; the others run on Asio (see the note of fd_poller.hpp).
//
// plain:  MQTT over TCP          goodbye: half-close, read until the peer's FIN
// tls:    MQTT over TLS          goodbye: TLS close_notify, with no read in flight
// ws<S>:  MQTT in WebSocket binary messages over S (TCP or TLS)
//                                goodbye: WebSocket close frame with a status code
//
// Include only from transport/ .cpp files (Asio, OpenSSL and Beast).
#pragma once

#include <cstdint>
#include <span>
#include <utility>

#include "transport/asio.hpp"
#include "transport/beast.hpp"
#include "transport/ssl.hpp"
#include "transport/worker_context.hpp"

#include <boost/beast/websocket/ssl.hpp>

namespace gridmq::transport {

enum class goodbye : std::uint8_t { fin, close_notify, close_frame };

// The worker a socket (and the connection made of it) belongs to.
inline worker_context& worker_of(tcp_socket& s) {
  return asio::use_service<worker_context>(s.get_executor().context());
}

// The socket operations stream_connection needs of an Asio stream's TCP
// socket, reached through `lowest()`.
template <class Adaptor>
struct asio_socket_ops {
  static constexpr bool polled = false;
  // Asio's native_handle() is not const; reading the fd changes nothing.
  int native_handle() const { return const_cast<asio_socket_ops&>(*this).self().lowest().native_handle(); }
  void set_no_delay() {
    error_code ignored;
    self().lowest().set_option(asio::ip::tcp::no_delay(true), ignored);
  }
  void shutdown_send(error_code& ec) { self().lowest().shutdown(asio::ip::tcp::socket::shutdown_send, ec); }
  void close() {
    error_code ignored;
    self().lowest().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    self().lowest().close(ignored);
  }

 private:
  Adaptor& self() { return static_cast<Adaptor&>(*this); }
};

// Plain TCP on a raw, non-blocking fd, taken from Asio at accept: no Asio
// socket and no reactor state per connection. The connection registers the
// fd with its worker's fd_poller (edge-triggered), reads when it is
// readable into the worker's shared buffer (worker_read_buffer.hpp) and
// writes without blocking, waiting for EPOLLOUT only when the kernel's send
// buffer is full.
class plain_stream {
 public:
  static constexpr goodbye goodbye_kind = goodbye::fin;
  static constexpr bool polled = true;
  // Takes the fd out of `s` and makes it non-blocking (on failure the fd is
  // closed and native_handle() is -1).
  explicit plain_stream(tcp_socket s);
  ~plain_stream() { close(); }
  plain_stream(plain_stream&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  plain_stream& operator=(plain_stream&&) = delete;

  int native_handle() const noexcept { return fd_; }
  void set_no_delay() noexcept;
  void shutdown_send(error_code& ec) noexcept;
  void close() noexcept;
  // Reads what is there: asio::error::would_block when nothing is,
  // asio::error::eof at the peer's FIN.
  std::size_t read_now(asio::mutable_buffer b, error_code& ec) noexcept;
  // Writes from `buffers[next]` on, advancing `next` and trimming the first
  // unfinished buffer, until all is written (true) or the send buffer is full
  // (false, no error). An error ends it (true, `ec` set).
  bool send_now(std::span<asio::const_buffer> buffers, std::uint32_t& next, error_code& ec) noexcept;

 private:
  int fd_ = -1;
};

struct tls_adaptor : asio_socket_ops<tls_adaptor> {
  static constexpr goodbye goodbye_kind = goodbye::close_notify;
  explicit tls_adaptor(tls_stream s) : next(std::move(s)) {}
  tcp_socket& lowest() { return next.next_layer(); }
  template <class Buffer, class Handler>
  void read_some(const Buffer& b, Handler&& h) {
    next.async_read_some(b, std::forward<Handler>(h));
  }
  template <class Buffers, class Handler>
  void write(const Buffers& b, Handler&& h) {
    asio::async_write(next, b, std::forward<Handler>(h));
  }
  template <class Handler>
  void say_goodbye(Handler&& h) {
    next.async_shutdown(std::forward<Handler>(h));
  }
  tls_stream next;
};

template <class Next>
struct ws_adaptor : asio_socket_ops<ws_adaptor<Next>> {
  static constexpr goodbye goodbye_kind = goodbye::close_frame;
  explicit ws_adaptor(websocket::stream<Next> s) : ws(std::move(s)) {}
  tcp_socket& lowest() { return beast::get_lowest_layer(ws); }
  template <class Buffer, class Handler>
  void read_some(const Buffer& b, Handler&& h) {
    ws.async_read_some(b, std::forward<Handler>(h));
  }
  // One gather write is one binary message: MQTT over WebSocket does not
  // align packets with messages ([MQTT-6.0.0-2]), so a batch may share one.
  template <class Buffers, class Handler>
  void write(const Buffers& b, Handler&& h) {
    ws.async_write(b, std::forward<Handler>(h));
  }
  template <class Handler>
  void say_goodbye(websocket::close_code code, Handler&& h) {
    ws.async_close(code, std::forward<Handler>(h));
  }
  websocket::stream<Next> ws;
};

using ws_stream = ws_adaptor<tcp_socket>;
using wss_stream = ws_adaptor<tls_stream>;

}  // namespace gridmq::transport
