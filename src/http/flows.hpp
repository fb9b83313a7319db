// The broker conversations behind the HTTP endpoints (each a broker_client):
//
// publish_flow   CONNECT, PUBLISH (QoS 1: wait for PUBACK; QoS 0: PINGREQ and
//                wait for PINGRESP, so errors still come back), DISCONNECT.
// retained_flow  CONNECT, SUBSCRIBE to the topic or filter at QoS 2 with
//                Retain Handling 0, PINGREQ; the retained PUBLISHes arrive
//                before the PINGRESP (the broker sends them while handling
//                the SUBSCRIBE), each acknowledged at once; then DISCONNECT.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "http/broker_client.hpp"
#include "http/publish_request.hpp"

namespace gridmq::http {

// MQTT reason code -> HTTP status (and the parameter to blame), for answers
// the broker gives in CONNACK, PUBACK, SUBACK or DISCONNECT.
http_error error_for_reason(std::uint8_t reason);

class publish_flow final : public broker_client {
 public:
  publish_flow(std::shared_ptr<exchange> x, publish_request r) : broker_client(std::move(x)), r_(std::move(r)) {}

 private:
  void on_packet(const wire::packet& p) override;
  void on_gone() override;
  void fail(const http_error& e);

  publish_request r_;
};

struct retained_message {
  std::string topic;
  std::uint8_t qos = 0;
  std::string payload;
  std::optional<std::uint32_t> expiry;  // seconds left
};

class retained_flow final : public broker_client {
 public:
  using done_fn = std::function<void(std::vector<retained_message>&&)>;
  retained_flow(std::shared_ptr<exchange> x, std::string filter, done_fn done)
      : broker_client(std::move(x)), filter_(std::move(filter)), done_(std::move(done)) {}

 private:
  void on_packet(const wire::packet& p) override;
  void on_gone() override;

  std::string filter_;
  done_fn done_;
  std::vector<retained_message> found_;
};

}  // namespace gridmq::http
