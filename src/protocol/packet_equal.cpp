#include "protocol/packet_equal.hpp"

#include <string_view>

namespace gridmq::protocol {

namespace {

std::string_view view(const payload_ptr& p) noexcept { return p ? std::string_view(*p) : std::string_view(); }

bool same(const will& a, const will& b) noexcept {
  return a.topic == b.topic && same_payload(a.payload, b.payload) && a.qos_level == b.qos_level &&
         a.retain == b.retain && a.props == b.props;
}

bool same(const std::optional<will>& a, const std::optional<will>& b) noexcept {
  if (a.has_value() != b.has_value()) return false;
  return !a || same(*a, *b);
}

bool same(const connect& a, const connect& b) noexcept {
  return a.version == b.version && a.clean_start == b.clean_start && a.keep_alive == b.keep_alive &&
         a.client_id == b.client_id && same(a.will_message, b.will_message) && a.username == b.username &&
         a.password == b.password && a.props == b.props;
}

bool same(const connack& a, const connack& b) noexcept {
  return a.session_present == b.session_present && a.code == b.code && a.props == b.props;
}

bool same(const publish& a, const publish& b) noexcept {
  return a.dup == b.dup && a.qos_level == b.qos_level && a.retain == b.retain && a.topic == b.topic &&
         a.packet_id == b.packet_id && a.props == b.props && same_payload(a.payload, b.payload);
}

template <packet_type T>
bool same(const pub_response<T>& a, const pub_response<T>& b) noexcept {
  return a.packet_id == b.packet_id && a.code == b.code && a.props == b.props;
}

bool same(const subscription_request& a, const subscription_request& b) noexcept {
  return a.filter == b.filter && a.options == b.options;
}

bool same(const subscribe& a, const subscribe& b) noexcept {
  if (a.packet_id != b.packet_id || !(a.props == b.props) || a.topics.size() != b.topics.size()) return false;
  for (std::size_t i = 0; i < a.topics.size(); ++i) {
    if (!same(a.topics[i], b.topics[i])) return false;
  }
  return true;
}

bool same(const suback& a, const suback& b) noexcept {
  return a.packet_id == b.packet_id && a.codes == b.codes && a.props == b.props;
}

bool same(const unsubscribe& a, const unsubscribe& b) noexcept {
  return a.packet_id == b.packet_id && a.filters == b.filters && a.props == b.props;
}

bool same(const unsuback& a, const unsuback& b) noexcept {
  return a.packet_id == b.packet_id && a.codes == b.codes && a.props == b.props;
}

bool same(const pingreq&, const pingreq&) noexcept { return true; }
bool same(const pingresp&, const pingresp&) noexcept { return true; }

bool same(const disconnect& a, const disconnect& b) noexcept { return a.code == b.code && a.props == b.props; }
bool same(const auth& a, const auth& b) noexcept { return a.code == b.code && a.props == b.props; }

}  // namespace

bool same_payload(const payload_ptr& a, const payload_ptr& b) noexcept { return view(a) == view(b); }

bool equal_content(const packet& a, const packet& b) noexcept {
  if (a.index() != b.index()) return false;
  return std::visit(
      [&b](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        return same(x, std::get<T>(b));
      },
      a);
}

}  // namespace gridmq::protocol
