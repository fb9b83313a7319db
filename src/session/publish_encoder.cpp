#include "session/publish_encoder.hpp"

#include <chrono>

#include "protocol/codec.hpp"
#include "session/session.hpp"

namespace gridmq::session {
namespace {

std::uint32_t remaining_seconds(const message& m, clock::time_point now) {
  auto left = std::chrono::ceil<std::chrono::seconds>(*m.expires_at - now).count();
  return left < 1 ? 1u : static_cast<std::uint32_t>(left);
}

protocol::publish make_packet(const message& m, const delivery& d, std::uint16_t packet_id, bool dup,
                              protocol::protocol_version version, clock::time_point now, alias_use alias) {
  protocol::publish p;
  p.dup = dup && d.qos_level != protocol::qos::at_most_once;
  p.qos_level = d.qos_level;
  p.retain = d.retain;
  if (alias.send_topic) p.topic = m.topic;
  p.packet_id = d.qos_level == protocol::qos::at_most_once ? 0 : packet_id;
  p.payload = m.payload;
  if (version == protocol::protocol_version::v5) {
    p.props = m.props;
    p.props.subscription_identifiers = d.subscription_ids;
    if (m.expires_at) p.props.message_expiry_interval = remaining_seconds(m, now);
    if (alias.alias != 0) p.props.topic_alias = alias.alias;
  }
  return p;
}

}  // namespace

void encode_delivery(const message& m, const delivery& d, std::uint16_t packet_id, bool dup,
                     protocol::protocol_version version, clock::time_point now, frame_list& out,
                     alias_use alias) {
  frame f;
  auto p = make_packet(m, d, packet_id, dup, version, now, alias);
  protocol::encode_publish_header(p, version, f.bytes);
  f.payload = m.payload;
  out.push_back(std::move(f));
}

std::size_t delivery_size(const message& m, const delivery& d, protocol::protocol_version version) {
  auto p = make_packet(m, d, 1, false, version, clock::now(), {});
  return protocol::publish_header_size(p, version) + m.payload_size();
}

}  // namespace gridmq::session
