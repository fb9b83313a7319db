// mqtt_client: the packets it receives. PUBLISH and the four acks take the
// light path of wire.hpp (they are nearly all the traffic); CONNACK, SUBACK,
// DISCONNECT and anything unexpected go through protocol::decode.
#include <algorithm>
#include <cstdio>
#include <variant>

#include "mqtt_client.hpp"
#include "proc_stats.hpp"
#include "protocol/reason_code.hpp"

namespace gridmq::bench {

namespace {
// The generator accepts anything the protocol allows (2.1: 256 MiB).
constexpr std::uint32_t max_frame = 268435460;

std::string hex(unsigned v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02X", v);
  return buf;
}
}  // namespace

void mqtt_client::consume(std::span<const std::uint8_t> bytes, std::uint64_t now_ns) {
  std::size_t pos = 0;
  while (pos < bytes.size() && fd_ >= 0) {
    const auto rest = bytes.subspan(pos);
    const protocol::frame_result r = protocol::next_frame(rest, max_frame);
    if (r.status == protocol::frame_status::incomplete) break;
    if (r.status == protocol::frame_status::error) {
      ++counters_.protocol_errors;
      fail(std::string("bad frame: ") + std::string(r.error.what));
      return;
    }
    if (r.f.total() > rest.size()) break;
    if (!handle_frame(r.f, rest.first(r.f.total()), now_ns)) return;
    pos += r.f.total();
  }
  if (fd_ >= 0 && pos < bytes.size()) partial_.assign(bytes.begin() + static_cast<std::ptrdiff_t>(pos), bytes.end());
}

bool mqtt_client::handle_frame(const protocol::frame& f, std::span<const std::uint8_t> whole, std::uint64_t now_ns) {
  const auto type = static_cast<protocol::packet_type>(f.first_byte >> 4);
  const auto body = whole.subspan(f.header_size);
  switch (type) {
    case protocol::packet_type::publish:
      return handle_publish(f.first_byte, body, now_ns) && (!settings_.verify || verify_publish(whole, body));
    case protocol::packet_type::puback:
    case protocol::packet_type::pubrec:
    case protocol::packet_type::pubrel:
    case protocol::packet_type::pubcomp:
      return handle_ack(type, body, now_ns);
    case protocol::packet_type::pingresp:
      return true;
    default:
      return handle_decoded(whole);
  }
}

bool mqtt_client::handle_publish(std::uint8_t first, std::span<const std::uint8_t> body, std::uint64_t now_ns) {
  publish_view p;
  if (!parse_publish(first, body, settings_.version, p)) {
    ++counters_.protocol_errors;
    fail("malformed PUBLISH from the broker");
    return false;
  }
  ++counters_.received;
  counters_.last_receive_ns = now_ns;
  std::uint64_t sent_ns = 0;
  if (read_stamp(p.payload, sent_ns) && now_ns >= sent_ns) {
    counters_.latency.record(now_ns - sent_ns);
    counters_.interval_latency.record(now_ns - sent_ns);
  }
  if (state_ == state::closing) return true;  // no acks after our DISCONNECT ([MQTT-3.14.4-1])
  if (p.qos_level == protocol::qos::at_least_once) {
    append_ack(out_, protocol::packet_type::puback, p.packet_id);
  } else if (p.qos_level == protocol::qos::exactly_once) {
    append_ack(out_, protocol::packet_type::pubrec, p.packet_id);
  }
  return true;
}

bool mqtt_client::handle_ack(protocol::packet_type type, std::span<const std::uint8_t> body, std::uint64_t now_ns) {
  std::uint16_t id = 0;
  std::uint8_t reason = 0;
  if (!parse_ack(body, id, reason)) {
    ++counters_.protocol_errors;
    fail("malformed ack from the broker");
    return false;
  }
  if (state_ == state::closing) return true;
  switch (type) {
    case protocol::packet_type::pubrel:  // we are the QoS 2 receiver
      append_ack(out_, protocol::packet_type::pubcomp, id);
      return true;
    case protocol::packet_type::pubrec:
      // A PUBREC with an error code ends the flow ([MQTT-4.3.3] v5); success goes on with PUBREL.
      if (reason < 0x80) {
        append_ack(out_, protocol::packet_type::pubrel, id);
        return true;
      }
      break;
    default:
      break;
  }
  if (inflight_ == 0) {
    ++counters_.protocol_errors;
    report("ack " + std::to_string(id) + " for nothing in flight");
    return true;
  }
  --inflight_;
  ++counters_.acked;
  counters_.last_ack_ns = now_ns;
  if (reason >= 0x80) {
    ++counters_.ack_errors;
    if (counters_.ack_errors <= 3) report("publish refused with reason " + hex(reason));
  }
  return true;
}

bool mqtt_client::verify_publish(std::span<const std::uint8_t> whole, std::span<const std::uint8_t> body) {
  publish_view fast;
  parse_publish(whole[0], body, settings_.version, fast);
  auto d = protocol::decode(whole, settings_.version);
  const auto* p = d ? std::get_if<protocol::publish>(&*d) : nullptr;
  const bool same = p != nullptr && p->topic == fast.topic && p->qos_level == fast.qos_level &&
                    p->packet_id == fast.packet_id && p->payload->size() == fast.payload.size() &&
                    std::equal(fast.payload.begin(), fast.payload.end(),
                               reinterpret_cast<const std::uint8_t*>(p->payload->data()));
  if (!same) {
    ++counters_.protocol_errors;
    fail("--verify: protocol::decode and the fast path disagree on a PUBLISH");
  }
  return same;
}

bool mqtt_client::handle_decoded(std::span<const std::uint8_t> whole) {
  auto d = protocol::decode(whole, settings_.version);
  if (!d) {
    ++counters_.protocol_errors;
    fail("undecodable packet: " + std::string(d.error().what));
    return false;
  }
  if (auto* ack = std::get_if<protocol::connack>(&*d)) {
    if (state_ != state::awaiting_connack) {
      ++counters_.protocol_errors;
      fail("unexpected CONNACK");
      return false;
    }
    if (ack->code != protocol::reason_code::success) {
      fail("CONNACK refused with " + hex(static_cast<unsigned>(ack->code)));
      return false;
    }
    if (ack->props.receive_maximum) window_ = std::min<std::uint32_t>(window_, *ack->props.receive_maximum);
    if (ack->props.maximum_qos && static_cast<unsigned>(spec_.qos_level) > *ack->props.maximum_qos) {
      fail("broker's Maximum QoS is below the QoS asked for");
      return false;
    }
    ++counters_.connected;
    if (ack->session_present) ++counters_.session_present;
    counters_.connect_latency.record(monotonic_ns() - connect_started_ns_);
    state_ = state::ready;
    return true;
  }
  if (auto* sub = std::get_if<protocol::suback>(&*d)) {
    const bool granted = !sub->codes.empty() && static_cast<unsigned>(sub->codes.front()) < 0x80;
    if (!granted) {
      fail("subscription to '" + spec_.topic + "' refused");
      return false;
    }
    ++counters_.subscribed;
    state_ = state::ready;
    return true;
  }
  if (auto* disc = std::get_if<protocol::disconnect>(&*d)) {
    fail("DISCONNECT from the broker, reason " + hex(static_cast<unsigned>(disc->code)));
    return false;
  }
  ++counters_.protocol_errors;
  report("unexpected packet type " + std::to_string(whole[0] >> 4));
  return true;
}

}  // namespace gridmq::bench
