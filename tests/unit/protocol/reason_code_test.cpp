// Reason code names, packet types and the 3.1.1 CONNACK mapping.
#include "test_support.hpp"

namespace gridmq::protocol::test {
namespace {

TEST(ReasonCode, Names) {
  EXPECT_EQ(to_string(reason_code::success), "success");
  EXPECT_EQ(to_string(reason_code::malformed_packet), "malformed packet");
  EXPECT_EQ(to_string(reason_code::packet_too_large), "packet too large");
  EXPECT_EQ(to_string(static_cast<reason_code>(0x7F)), "unknown reason code");
  EXPECT_TRUE(is_error(reason_code::unspecified_error));
  EXPECT_FALSE(is_error(reason_code::granted_qos_2));
}

TEST(ReasonCode, V311Connack) {
  EXPECT_EQ(to_v311_connack(reason_code::success), connack_return_code::accepted);
  EXPECT_EQ(to_v311_connack(reason_code::unsupported_protocol_version),
            connack_return_code::unacceptable_protocol_version);
  EXPECT_EQ(to_v311_connack(reason_code::client_identifier_not_valid), connack_return_code::identifier_rejected);
  EXPECT_EQ(to_v311_connack(reason_code::server_unavailable), connack_return_code::server_unavailable);
  EXPECT_EQ(to_v311_connack(reason_code::server_busy), connack_return_code::server_unavailable);
  EXPECT_EQ(to_v311_connack(reason_code::bad_user_name_or_password), connack_return_code::bad_user_name_or_password);
  EXPECT_EQ(to_v311_connack(reason_code::not_authorized), connack_return_code::not_authorized);
  EXPECT_EQ(to_v311_connack(reason_code::banned), connack_return_code::not_authorized);
}

TEST(PacketType, TypeOf) {
  EXPECT_EQ(type_of(connect{}), packet_type::connect);
  EXPECT_EQ(type_of(publish{}), packet_type::publish);
  EXPECT_EQ(type_of(pubrel{}), packet_type::pubrel);
  EXPECT_EQ(type_of(unsuback{}), packet_type::unsuback);
  EXPECT_EQ(type_of(auth{}), packet_type::auth);
}

}  // namespace
}  // namespace gridmq::protocol::test
