#include "http/flows.hpp"

namespace gridmq::http {
namespace {

constexpr std::uint8_t connack = 2, publish = 3, puback = 4, pubrel = 6, suback = 9, pingresp = 13, disconnect = 14;

}  // namespace

http_error error_for_reason(std::uint8_t reason) {
  switch (reason) {
    case 0x86: case 0x8C: return {401, {}, "the broker refused the credentials"};
    case 0x87: return {403, {}, "not authorized"};
    case 0x8F: case 0x90: case 0xA2: return {400, "topic", "the broker refused the topic"};
    case 0x95: return {413, {}, "the message is over the broker's maximum packet size"};
    case 0x97: case 0x9F: case 0x96: return {429, {}, "quota exceeded"};
    case 0x89: return {429, {}, "the broker is busy"};
    case 0x99: return {400, "mqtt-payload-format-indicator", "the payload is not valid UTF-8"};
    case 0x9A: return {400, "retain", "retained messages are not available"};
    case 0x9B: return {400, "qos", "the QoS is not supported"};
    case 0x8B: return {500, {}, "the broker is shutting down"};
    default: break;
  }
  char code[8];
  std::snprintf(code, sizeof code, "0x%02X", reason);
  return {500, {}, std::string("the broker answered reason code ") + code};
}

void publish_flow::fail(const http_error& e) {
  respond({e.status, {{"Content-Type", "application/json"}}, error_body(e)});
  finish();
}

void publish_flow::on_packet(const wire::packet& p) {
  switch (p.type) {
    case connack:
      if (p.reason >= 0x80) return fail(error_for_reason(p.reason));
      if (p.maximum_packet_size != 0 && wire::publish_size(r_) > p.maximum_packet_size) {
        return fail({413, {}, "the message is over the broker's maximum packet size of " +
                                  std::to_string(p.maximum_packet_size) + " bytes"});
      }
      send(wire::publish(r_, 1));
      // QoS 0 has no acknowledgement: a PINGRESP tells that the PUBLISH has
      // been handled (or a DISCONNECT that it was refused).
      if (r_.qos == 0) send(wire::pingreq());
      return;
    case puback:
    case pingresp:
      if (p.type == puback && p.reason >= 0x80) return fail(error_for_reason(p.reason));
      respond({204, {}, {}});
      return finish();
    case disconnect:
      return fail(error_for_reason(p.reason));
    default:
      return;
  }
}

void publish_flow::on_gone() {
  if (!responded()) respond({500, {{"Content-Type", "application/json"}}, error_body({500, {}, "the broker closed the session"})});
}

void retained_flow::on_packet(const wire::packet& p) {
  switch (p.type) {
    case connack:
    case suback:
      if (p.reason >= 0x80) {
        const http_error e = error_for_reason(p.reason);
        respond({e.status, {{"Content-Type", "application/json"}}, error_body(e)});
        return finish();
      }
      if (p.type == connack) {
        send(wire::subscribe(1, filter_, 2));
        send(wire::pingreq());
      }
      return;
    case publish: {
      const std::uint8_t qos = (p.flags >> 1) & 3;
      if (qos == 1) send(wire::ack(4, p.packet_id));
      if (qos == 2) send(wire::ack(5, p.packet_id));  // PUBREC; PUBCOMP follows the PUBREL
      // Only retained copies: a live publish racing the SUBSCRIBE has RETAIN 0 ([MQTT-3.3.1-9]).
      if (p.flags & 1) found_.push_back({p.topic, qos, p.payload, p.message_expiry});
      return;
    }
    case pubrel:
      return send(wire::ack(7, p.packet_id));
    case pingresp: {
      auto done = std::move(done_);
      auto found = std::move(found_);
      finish();
      if (done) done(std::move(found));
      return;
    }
    case disconnect: {
      const http_error e = error_for_reason(p.reason);
      respond({e.status, {{"Content-Type", "application/json"}}, error_body(e)});
      return finish();
    }
    default:
      return;
  }
}

void retained_flow::on_gone() {
  if (!responded()) respond({500, {{"Content-Type", "application/json"}}, error_body({500, {}, "the broker closed the session"})});
}

}  // namespace gridmq::http
