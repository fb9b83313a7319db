#include "session/publish_encoder.hpp"

#include <chrono>

#include "protocol/codec.hpp"
#include "session/session.hpp"

namespace gridmq::session {
namespace {

std::uint32_t remaining_seconds(const message& m, clock::time_point now) {
  auto left = std::chrono::ceil<std::chrono::seconds>(m.expires_at - now).count();
  return left < 1 ? 1u : static_cast<std::uint32_t>(left);
}

// A view of the delivery: nothing of the message is copied.
protocol::publish_view make_view(const message& m, const delivery& d, std::uint16_t packet_id, bool dup,
                                 protocol::protocol_version version, clock::time_point now, alias_use alias) {
  protocol::publish_view v;
  v.qos_level = d.qos_level;
  v.dup = dup && d.qos_level != protocol::qos::at_most_once;
  v.retain = d.retain;
  if (alias.send_topic) v.topic = m.topic;
  v.packet_id = d.qos_level == protocol::qos::at_most_once ? 0 : packet_id;
  v.payload_size = m.payload_size();
  if (version == protocol::protocol_version::v5) {
    v.forwarded = &m.props();
    v.subscription_ids = d.subscription_ids;
    if (m.has_expiry()) v.message_expiry_interval = remaining_seconds(m, now);
    v.topic_alias = alias.alias;
  }
  return v;
}

}  // namespace

void encode_delivery(const message_ptr& m, const delivery& d, std::uint16_t packet_id, bool dup,
                     protocol::protocol_version version, clock::time_point now, frame_list& out,
                     alias_use alias) {
  auto& f = out.emplace_back();
  protocol::encode_publish_header(make_view(*m, d, packet_id, dup, version, now, alias), version, f.bytes);
  f.payload = payload_of(m);
}

std::size_t delivery_size(const message& m, const delivery& d, protocol::protocol_version version) {
  return protocol::publish_header_size(make_view(m, d, 1, false, version, clock::now(), {}), version) +
         m.payload_size();
}

}  // namespace gridmq::session
