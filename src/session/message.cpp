#include "session/message.hpp"

namespace gridmq::session {

namespace {

// Only the properties the spec says are forwarded unchanged ([MQTT-3.3.2-4],
// [MQTT-3.3.2-15..20], [MQTT-3.3.2-17]); the topic alias is per connection.
void keep_forwarded(protocol::properties& in, message& m, clock::time_point now) {
  if (in.message_expiry_interval) m.expires_at = now + std::chrono::seconds(*in.message_expiry_interval);
  if (in.payload_format_indicator || in.content_type || in.response_topic || in.correlation_data ||
      !in.user_properties.empty()) {
    auto out = std::make_unique<protocol::properties>();
    out->payload_format_indicator = in.payload_format_indicator;
    out->content_type = std::move(in.content_type);
    out->response_topic = std::move(in.response_topic);
    out->correlation_data = std::move(in.correlation_data);
    out->user_properties = std::move(in.user_properties);
    m.forwarded = std::move(out);
  }
}

// The fields both kinds of decoded PUBLISH give alike; topic and payload
// are the caller's, since one kind owns them and the other only views them.
template <class Publish>
std::shared_ptr<message> new_message(Publish& p, std::uint64_t origin, clock::time_point now, std::uint64_t id) {
  auto m = std::make_shared<message>();
  m->qos_level = p.qos_level;
  m->retain = p.retain;
  m->origin = origin;
  m->id = id;
  keep_forwarded(p.props, *m, now);
  return m;
}

}  // namespace

message_ptr make_message(protocol::publish&& p, std::uint64_t origin, clock::time_point now, std::uint64_t id) {
  auto m = new_message(p, origin, now, id);
  m->topic = std::move(p.topic);
  if (p.payload) m->payload = *p.payload;
  return m;
}

message_ptr make_message(protocol::publish_in&& p, std::uint64_t origin, clock::time_point now, std::uint64_t id) {
  auto m = new_message(p, origin, now, id);
  m->topic.assign(p.topic);
  m->payload.assign(p.payload);
  return m;
}

void message::set_props(protocol::properties&& p) {
  if (p == no_properties()) {
    forwarded.reset();
  } else {
    forwarded = std::make_unique<const protocol::properties>(std::move(p));
  }
}

const protocol::properties& message::no_properties() noexcept {
  static const protocol::properties none;
  return none;
}

}  // namespace gridmq::session

// See the layout note in message.hpp: with the 16 bytes of reference counts
// the block must stay at 120 bytes.
static_assert(sizeof(gridmq::session::message) <= 104, "a message no longer fits glibc's fast bins");
