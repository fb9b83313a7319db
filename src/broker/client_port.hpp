// The narrow interface between a transport connection and the broker.
//
// This is the only broker header that transport/ includes. It names no
// sockets and no Asio types, and it exposes nothing of sessions, topics or
// the store: the transport moves bytes, the broker interprets them.
//
// Threads: a client_port is called only on the worker that owns its
// connection. connection_sink::wake() and close() may be called from any
// worker (a delivery routed from another connection), so they must only
// schedule work on the connection's own worker.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gridmq::broker {

// One piece of outbound data: header bytes followed by an optional shared
// payload, so a PUBLISH delivered to many clients shares one payload buffer.
struct outbound_chunk {
  std::string bytes;
  std::shared_ptr<const std::string> payload;  // may be null
};

// Why the broker ends a connection, in words a transport can pass on: a
// WebSocket close frame carries it as its status code (RFC 6455 7.4.1).
// The broker derives it from the MQTT reason code it closes with.
enum class close_reason : std::uint8_t {
  normal,            // 1000: DISCONNECT answered, session taken over, success codes
  going_away,        // 1001: the server shuts down or sends the client elsewhere
  protocol_error,    // 1002: malformed packet, protocol error, keep-alive timeout
  policy_violation,  // 1008: not authorized, quota, banned, rates, limits refused
  too_big,           // 1009: packet too large
  internal_error,    // 1011: unspecified / implementation-specific error, server busy
};

// Implemented by the transport, one per connection. The broker holds a
// reference only between client_port creation and on_closed() returning.
class connection_sink {
 public:
  virtual ~connection_sink() = default;
  // Outbound data is waiting: the connection should call drain() soon on its
  // own worker. Cheap and idempotent; safe from any thread.
  virtual void wake() noexcept = 0;
  // The broker is done with the connection: flush what is queued, then close
  // the socket. Safe from any thread; on_closed() follows on the worker.
  // Only the first call's reason counts.
  virtual void close(close_reason why) noexcept = 0;
  // The peer's address as the transport names it in log lines
  // ("127.0.0.1:50412"); valid as long as the sink. Worker only.
  virtual std::string_view peer() const noexcept = 0;
};

// A client certificate that the TLS handshake verified against the
// listener's CA bundle, for the identity and authorization rules to use.
struct client_certificate {
  std::string subject;                          // RFC 2253: "CN=device-1,O=Example"
  std::vector<std::string> subject_alt_names;   // "DNS:a.example", "URI:...", "email:...", "IP:10.0.0.1"
  std::string sha256_thumbprint;                // 64 uppercase hex digits of the DER certificate
  std::vector<std::string> chain_pem;           // the verified chain, leaf first, PEM
};

// What the transport knows about a connection when it is accepted.
struct client_info {
  std::string peer;      // "127.0.0.1:50412", for logs (the PROXY protocol's source when enabled)
  std::string listener;  // "mqtt://127.0.0.1:1883"
  std::string transport;  // the listener's scheme: "mqtt", "mqtts", "ws", "wss", "http", "https"
  std::string server_name;  // the TLS SNI host name the client asked for, if any
  std::shared_ptr<const client_certificate> certificate;  // null: no (verified) client certificate
};

// Result of offering received bytes to the broker.
struct data_result {
  std::size_t consumed = 0;  // whole packets taken from the front of the buffer
  std::size_t need = 0;      // bytes the next packet needs in total, if known (0: any more)
};

// Implemented by the broker, one per connection.
class client_port {
 public:
  virtual ~client_port() = default;
  // Bytes received and not yet consumed, in order. The broker consumes whole
  // packets only; the transport keeps the rest and appends what it reads next.
  virtual data_result on_data(std::span<const std::uint8_t> buffered) = 0;
  // Moves all queued outbound data into `out` (appending).
  virtual void drain(std::vector<outbound_chunk>& out) = 0;
  // How long the connection may stay silent before on_idle_timeout() is due:
  // the CONNECT timeout before CONNECT, 1.5 x Keep Alive after it, zero for
  // none. Asked again after every on_data().
  virtual std::chrono::milliseconds idle_timeout() const = 0;
  // Nothing was received for idle_timeout(): the broker queues what it must
  // send (DISCONNECT 0x8D in v5) and calls connection_sink::close().
  virtual void on_idle_timeout() = 0;
  // The connection is gone (peer closed, I/O error, or after close()). Called
  // exactly once; the broker drops its reference to the sink before returning.
  virtual void on_closed() = 0;
};

// The broker as the transport sees it: a factory of ports.
class client_acceptor {
 public:
  virtual ~client_acceptor() = default;
  virtual std::unique_ptr<client_port> open(connection_sink& sink, client_info info) = 0;
};

}  // namespace gridmq::broker
