// Reason code names (2.4) and the mapping of v5 CONNACK reason codes onto
// the six return codes of 3.1.1 (3.2.2.3).
#include "protocol/reason_code.hpp"

namespace gridmq::protocol {

std::string_view to_string(reason_code rc) noexcept {
  switch (rc) {
    case reason_code::success: return "success";
    case reason_code::granted_qos_1: return "granted QoS 1";
    case reason_code::granted_qos_2: return "granted QoS 2";
    case reason_code::disconnect_with_will: return "disconnect with will message";
    case reason_code::no_matching_subscribers: return "no matching subscribers";
    case reason_code::no_subscription_existed: return "no subscription existed";
    case reason_code::continue_authentication: return "continue authentication";
    case reason_code::re_authenticate: return "re-authenticate";
    case reason_code::unspecified_error: return "unspecified error";
    case reason_code::malformed_packet: return "malformed packet";
    case reason_code::protocol_error: return "protocol error";
    case reason_code::implementation_specific_error: return "implementation specific error";
    case reason_code::unsupported_protocol_version: return "unsupported protocol version";
    case reason_code::client_identifier_not_valid: return "client identifier not valid";
    case reason_code::bad_user_name_or_password: return "bad user name or password";
    case reason_code::not_authorized: return "not authorized";
    case reason_code::server_unavailable: return "server unavailable";
    case reason_code::server_busy: return "server busy";
    case reason_code::banned: return "banned";
    case reason_code::server_shutting_down: return "server shutting down";
    case reason_code::bad_authentication_method: return "bad authentication method";
    case reason_code::keep_alive_timeout: return "keep alive timeout";
    case reason_code::session_taken_over: return "session taken over";
    case reason_code::topic_filter_invalid: return "topic filter invalid";
    case reason_code::topic_name_invalid: return "topic name invalid";
    case reason_code::packet_identifier_in_use: return "packet identifier in use";
    case reason_code::packet_identifier_not_found: return "packet identifier not found";
    case reason_code::receive_maximum_exceeded: return "receive maximum exceeded";
    case reason_code::topic_alias_invalid: return "topic alias invalid";
    case reason_code::packet_too_large: return "packet too large";
    case reason_code::message_rate_too_high: return "message rate too high";
    case reason_code::quota_exceeded: return "quota exceeded";
    case reason_code::administrative_action: return "administrative action";
    case reason_code::payload_format_invalid: return "payload format invalid";
    case reason_code::retain_not_supported: return "retain not supported";
    case reason_code::qos_not_supported: return "QoS not supported";
    case reason_code::use_another_server: return "use another server";
    case reason_code::server_moved: return "server moved";
    case reason_code::shared_subscriptions_not_supported: return "shared subscriptions not supported";
    case reason_code::connection_rate_exceeded: return "connection rate exceeded";
    case reason_code::maximum_connect_time: return "maximum connect time";
    case reason_code::subscription_identifiers_not_supported: return "subscription identifiers not supported";
    case reason_code::wildcard_subscriptions_not_supported: return "wildcard subscriptions not supported";
  }
  return "unknown reason code";
}

connack_return_code to_v311_connack(reason_code rc) noexcept {
  switch (rc) {
    case reason_code::success: return connack_return_code::accepted;
    case reason_code::unsupported_protocol_version: return connack_return_code::unacceptable_protocol_version;
    case reason_code::client_identifier_not_valid: return connack_return_code::identifier_rejected;
    case reason_code::bad_user_name_or_password: return connack_return_code::bad_user_name_or_password;
    case reason_code::not_authorized:
    case reason_code::banned:
    case reason_code::bad_authentication_method:
      return connack_return_code::not_authorized;
    default:
      // Busy, shutting down, moved, quotas and every other refusal: 3.1.1
      // can only say the service is unavailable.
      return connack_return_code::server_unavailable;
  }
}

}  // namespace gridmq::protocol
