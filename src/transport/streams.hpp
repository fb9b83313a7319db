// The stream layerings an MQTT connection runs over, each reduced to the few
// operations stream_connection needs: read some bytes, write a gather
// sequence, reach the TCP socket, and say goodbye (see `goodbye`).
//
// plain:  MQTT over TCP          goodbye: half-close, read until the peer's FIN
// tls:    MQTT over TLS          goodbye: TLS close_notify, with no read in flight
// ws<S>:  MQTT in WebSocket binary messages over S (TCP or TLS)
//                                goodbye: WebSocket close frame with a status code
//
// Include only from transport/ .cpp files (Asio, OpenSSL and Beast).
#pragma once

#include <utility>

#include "transport/asio.hpp"
#include "transport/beast.hpp"
#include "transport/ssl.hpp"

#include <boost/beast/websocket/ssl.hpp>

namespace gridmq::transport {

enum class goodbye : std::uint8_t { fin, close_notify, close_frame };

struct plain_stream {
  static constexpr goodbye goodbye_kind = goodbye::fin;
  // Reads wait for readability, then read without blocking into the
  // worker's shared buffer (worker_read_buffer.hpp): no buffer per idle
  // connection. The other streams decrypt or unframe into a buffer of the
  // connection's own, so they keep read_some().
  static constexpr bool reads_when_ready = true;
  explicit plain_stream(tcp_socket s) : next(std::move(s)) {}
  tcp_socket& lowest() { return next; }
  template <class Handler>
  void wait_readable(Handler&& h) {
    next.async_wait(tcp_socket::wait_read, std::forward<Handler>(h));
  }
  // Non-blocking (start() sets the socket so): asio::error::would_block when
  // nothing is there, asio::error::eof at the peer's FIN.
  std::size_t read_now(asio::mutable_buffer b, error_code& ec) { return next.read_some(b, ec); }
  template <class Buffer, class Handler>
  void read_some(const Buffer& b, Handler&& h) {
    next.async_read_some(b, std::forward<Handler>(h));
  }
  template <class Buffers, class Handler>
  void write(const Buffers& b, Handler&& h) {
    asio::async_write(next, b, std::forward<Handler>(h));
  }
  tcp_socket next;
};

struct tls_adaptor {
  static constexpr goodbye goodbye_kind = goodbye::close_notify;
  static constexpr bool reads_when_ready = false;
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
struct ws_adaptor {
  static constexpr goodbye goodbye_kind = goodbye::close_frame;
  static constexpr bool reads_when_ready = false;
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
