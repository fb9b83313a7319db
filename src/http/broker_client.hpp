// A broker client_port driven as an MQTT 5.0 client for the length of one
// HTTP request: the HTTP endpoints publish and read retained messages
// through the same door as every MQTT client, so every broker rule (limits,
// authentication, later authorization) applies unchanged.
//
// Lifecycle: start() opens the port and keeps the object alive (self
// reference) until finish(); the broker's close() also ends it. Threads: all
// calls on the HTTP connection's worker; wake()/close() from any thread only
// post there.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "broker/client_port.hpp"
#include "http/exchange.hpp"
#include "http/mqtt_wire.hpp"

namespace gridmq::http {

class broker_client : public broker::connection_sink, public std::enable_shared_from_this<broker_client> {
 public:
  explicit broker_client(std::shared_ptr<exchange> x) : x_(std::move(x)) {}
  ~broker_client() override;

  // Opens the port and sends CONNECT; false if the broker refused at once.
  bool start(broker::client_acceptor& acceptor, const std::string& client_id);

  void wake() noexcept override;
  void close(broker::close_reason why) noexcept override;
  std::string_view peer() const noexcept override { return x_->client().peer; }

 protected:
  virtual void on_packet(const wire::packet& p) = 0;
  // The broker ended the session before the flow was finished.
  virtual void on_gone() = 0;

  void send(const std::string& bytes);
  // Sends DISCONNECT (normal), releases the port and the self reference.
  void finish();
  void respond(response r);
  exchange& ex() { return *x_; }
  bool responded() const noexcept { return responded_; }

 private:
  void pump();
  void release();

  std::shared_ptr<exchange> x_;
  std::unique_ptr<broker::client_port> port_;
  std::shared_ptr<broker_client> self_;
  std::string in_;
  bool responded_ = false;
};

}  // namespace gridmq::http
