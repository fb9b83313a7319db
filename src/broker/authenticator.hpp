// What the broker asks of authentication, as an interface that app/ fills in
// from auth/ (the broker does not depend on auth/: DESIGN.md's arrows).
//
// Threads: called on the connection's worker; implementations must be safe
// to call from several workers at once. An auth_exchange belongs to one
// connection.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/reason_code.hpp"

namespace gridmq::broker {

struct auth_step {
  enum class status { success, continue_auth, failure } st = status::failure;
  std::string data;  // Authentication Data for the client
  protocol::reason_code failure_code = protocol::reason_code::not_authorized;
  std::string why;   // log line and Reason String
};

// One enhanced-authentication exchange ([MQTT-4.12]).
class auth_exchange {
 public:
  virtual ~auth_exchange() = default;
  virtual auth_step step(std::string_view client_data) = 0;
};

struct credentials {
  std::string_view client_id;
  const std::optional<std::string>& username;
  const std::optional<std::string>& password;
};

class authenticator {
 public:
  virtual ~authenticator() = default;
  // A CONNECT without an Authentication Method. Returns success or the
  // reason to refuse (0x86 bad user name or password, 0x87 not authorized).
  virtual protocol::reason_code check(const credentials& c) = 0;
  // Starts an exchange for `method`; null when the method is not supported
  // (the broker answers CONNACK 0x8C).
  virtual std::unique_ptr<auth_exchange> start(std::string_view method, const credentials& c) = 0;
};

}  // namespace gridmq::broker
