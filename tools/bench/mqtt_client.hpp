// One MQTT connection of the generator: a non-blocking socket, a pending
// output buffer written with one send() per batch, and just enough of the
// protocol to connect, subscribe, publish with a window of unacknowledged
// QoS 1/2 messages, and acknowledge what it receives.
//
// Lifecycle: idle -> connecting (TCP, then the TLS handshake) -> awaiting_connack -> ready
// [-> subscribing -> ready] -> closing (DISCONNECT sent) -> closed; or failed
// at any point. Driven by the runner's event loop on its one thread; counts
// everything into the run's traffic_counters.
#pragma once

#include <netinet/in.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "event_loop.hpp"
#include "protocol/codec.hpp"
#include "tls_link.hpp"
#include "traffic_counters.hpp"
#include "wire.hpp"

namespace gridmq::bench {

enum class client_role : std::uint8_t { publisher, subscriber, idle };

// Who this client is; built by plan.cpp from the scenario.
struct client_spec {
  client_role role = client_role::idle;
  std::size_t index = 0;  // within its role: %i in topic templates
  std::string client_id;
  std::string topic;  // publisher: topic name; subscriber: filter
  protocol::qos qos_level = protocol::qos::at_most_once;
  bool clean_start = true;
  std::uint32_t session_expiry = 0;  // v5 Session Expiry Interval (persistent sessions)
};

// What every client of a run shares.
struct client_settings {
  protocol::protocol_version version = protocol::protocol_version::v311;
  std::uint16_t keep_alive = 60;
  std::size_t payload_size = 64;
  std::uint32_t inflight = 64;  // QoS 1/2 publish window
  bool no_delay = true;         // TCP_NODELAY: the generator batches by itself
  bool quick_ack = false;       // TCP_QUICKACK after every read
  bool verify = false;          // decode every packet with protocol::decode as well
  const tls_config* tls = nullptr;  // --tls: every connection runs TLS with this context
};

class mqtt_client {
 public:
  enum class state : std::uint8_t { idle, connecting, awaiting_connack, subscribing, ready, closing, closed, failed };

  mqtt_client(client_spec spec, const client_settings& settings, traffic_counters& counters, event_loop& loop,
              std::span<std::uint8_t> scratch);
  ~mqtt_client();
  mqtt_client(const mqtt_client&) = delete;
  mqtt_client& operator=(const mqtt_client&) = delete;

  // Opens the socket (bound to `source` if given) and starts the TCP
  // connect; CONNECT goes out when it completes. False: failed at once.
  bool start(const sockaddr_in& server, const sockaddr_in* source, std::uint64_t now_ns);
  void on_event(std::uint32_t events);

  void subscribe();
  // Writes up to max_messages PUBLISHes (fewer if the window is full or the
  // socket would block) in one send(); returns how many it wrote.
  std::size_t publish(std::size_t max_messages, std::uint64_t now_ns);
  void ping();
  // DISCONNECT, then wait for the broker to close the connection.
  void disconnect();
  void abort() noexcept;

  state current() const noexcept { return state_; }
  bool is_open() const noexcept { return fd_ >= 0; }
  bool can_publish() const noexcept { return state_ == state::ready && !write_blocked_ && window_room() > 0; }
  std::size_t window_room() const noexcept;
  std::uint64_t inflight() const noexcept { return inflight_; }
  const client_spec& spec() const noexcept { return spec_; }

 private:
  void on_tcp_connected();
  void continue_handshake();
  void on_connected();
  void on_readable();
  // recv()/send() or their TLS equivalents.
  ssize_t receive(void* buf, std::size_t len);
  ssize_t transmit(const void* buf, std::size_t len);
  void on_writable();
  void consume(std::span<const std::uint8_t> bytes, std::uint64_t now_ns);
  bool handle_frame(const protocol::frame& f, std::span<const std::uint8_t> whole, std::uint64_t now_ns);
  bool handle_publish(std::uint8_t first, std::span<const std::uint8_t> body, std::uint64_t now_ns);
  bool handle_ack(protocol::packet_type type, std::span<const std::uint8_t> body, std::uint64_t now_ns);
  bool handle_decoded(std::span<const std::uint8_t> whole);
  bool verify_publish(std::span<const std::uint8_t> whole, std::span<const std::uint8_t> body);
  void flush();
  void set_write_interest(bool on);
  void fail(const std::string& why);
  void report(const std::string& what);
  void finish(state final_state);

  client_spec spec_;
  const client_settings& settings_;
  traffic_counters& counters_;
  event_loop& loop_;
  std::span<std::uint8_t> scratch_;  // shared read buffer: only partial packets are kept per client

  int fd_ = -1;
  std::unique_ptr<tls_link> tls_;  // null for plain TCP
  state state_ = state::idle;
  bool tcp_up_ = false;  // connecting: the TCP connect is done, the TLS handshake runs
  bool write_blocked_ = false;
  std::uint64_t connect_started_ns_ = 0;
  std::string out_;
  std::size_t out_pos_ = 0;
  std::vector<std::uint8_t> partial_;

  publish_template template_;  // publishers only
  std::uint32_t window_ = 0;
  std::uint64_t inflight_ = 0;
  std::uint16_t next_id_ = 1;
  std::uint32_t seq_ = 0;
};

}  // namespace gridmq::bench
