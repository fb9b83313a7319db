// encode_publish_header(publish_view) must write the same bytes as encoding
// the equivalent publish packet: the broker uses the view on the delivery
// path to avoid copying topic and properties per subscriber.
#include <gtest/gtest.h>

#include <random>

#include "protocol/codec.hpp"

namespace gridmq::protocol {
namespace {

TEST(publish_view, same_bytes_as_equivalent_publish) {
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    auto version = (i % 3 == 0) ? protocol_version::v311 : protocol_version::v5;
    properties forwarded;
    if (rng() % 2) forwarded.user_properties.push_back({"k" + std::to_string(rng() % 10), "v"});
    if (rng() % 2) forwarded.content_type = "text/plain";
    if (rng() % 2) forwarded.response_topic = "reply/" + std::to_string(rng() % 100);
    if (rng() % 2) forwarded.payload_format_indicator = 1;
    std::vector<std::uint32_t> ids;
    for (unsigned n = rng() % 3; n > 0; --n) ids.push_back(1 + rng() % 300000);

    publish_view v;
    v.topic = "a/b/c";
    v.qos_level = static_cast<qos>(rng() % 3);
    v.retain = rng() % 2;
    v.dup = v.qos_level != qos::at_most_once && rng() % 2;
    v.packet_id = v.qos_level == qos::at_most_once ? 0 : static_cast<std::uint16_t>(1 + rng() % 65535);
    v.forwarded = &forwarded;
    v.subscription_ids = ids;
    if (rng() % 2) v.message_expiry_interval = rng() % 1000;
    v.topic_alias = (rng() % 2) ? static_cast<std::uint16_t>(1 + rng() % 10) : 0;
    if (v.topic_alias != 0 && version == protocol_version::v5 && rng() % 2) v.topic = {};  // alias already known
    std::string payload(rng() % 300, 'x');
    v.payload_size = payload.size();

    publish p;
    p.topic = std::string(v.topic);
    p.qos_level = v.qos_level;
    p.retain = v.retain;
    p.dup = v.dup;
    p.packet_id = v.packet_id;
    p.payload = std::make_shared<const std::string>(payload);
    if (version == protocol_version::v5) {
      p.props = forwarded;
      p.props.subscription_identifiers = ids;
      p.props.message_expiry_interval = v.message_expiry_interval;
      if (v.topic_alias != 0) p.props.topic_alias = v.topic_alias;
    }
    std::string from_view, from_packet;
    encode_publish_header(v, version, from_view);
    encode_publish_header(p, version, from_packet);
    EXPECT_EQ(from_view.size(), publish_header_size(v, version));
    // Property order may differ; the decoded packets must be equal.
    std::string whole_view = from_view + payload;
    std::string whole_packet = from_packet + payload;
    auto dv = decode(std::span(reinterpret_cast<const std::uint8_t*>(whole_view.data()), whole_view.size()), version);
    auto dp = decode(std::span(reinterpret_cast<const std::uint8_t*>(whole_packet.data()), whole_packet.size()), version);
    ASSERT_TRUE(dv.has_value());
    ASSERT_TRUE(dp.has_value());
    auto& pv = std::get<publish>(*dv);
    auto& pp = std::get<publish>(*dp);
    EXPECT_EQ(pv.topic, pp.topic);
    EXPECT_EQ(pv.packet_id, pp.packet_id);
    EXPECT_EQ(pv.qos_level, pp.qos_level);
    EXPECT_EQ(pv.retain, pp.retain);
    EXPECT_EQ(pv.dup, pp.dup);
    EXPECT_EQ(pv.props, pp.props);
    EXPECT_EQ(*pv.payload, *pp.payload);
    EXPECT_EQ(from_view.size(), from_packet.size());
  }
}

}  // namespace
}  // namespace gridmq::protocol
