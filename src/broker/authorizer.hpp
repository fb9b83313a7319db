// What the broker asks of authorization, as an interface that app/ fills in
// from auth/ (the broker does not depend on auth/: DESIGN.md's arrows), like
// authenticator.hpp.
//
// At CONNECT, after authentication, admit() names the connection's
// authentication name and hands back its policy: what this connection may
// publish and subscribe to, computed once (Event Grid's topic templates
// with the client's values substituted), so each PUBLISH costs one call and
// no allocation. Without an authorizer, or with a null policy, everything
// is allowed, as before.
//
// Threads: admit() is called on the connection's worker, from several
// workers at once. A connection_policy belongs to one connection.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "broker/client_port.hpp"
#include "protocol/reason_code.hpp"

namespace gridmq::broker {

class connection_policy {
 public:
  virtual ~connection_policy() = default;
  // `topic`: a PUBLISH's (or Will's) topic name.
  virtual bool may_publish(std::string_view topic) const noexcept = 0;
  // `filter`: a SUBSCRIBE's topic filter, "$share/group/F" included.
  virtual bool may_subscribe(std::string_view filter) const noexcept = 0;
};

struct identity {
  std::string_view client_id;
  const std::optional<std::string>& username;
  const client_certificate* certificate;  // null: no verified client certificate
};

struct admission {
  protocol::reason_code code = protocol::reason_code::success;  // else: refuse the CONNECT with it
  std::string why;                  // log line and Reason String of a refusal
  std::string authentication_name;  // empty: none (its sessions are not counted)
  std::unique_ptr<connection_policy> policy;  // null: everything allowed
};

class authorizer {
 public:
  virtual ~authorizer() = default;
  virtual admission admit(const identity& id) = 0;
  // Sessions, online or offline, that one authentication name may hold at
  // once (Event Grid's maximumClientSessionsPerAuthenticationName); 0: no limit.
  virtual std::uint32_t max_sessions_per_authentication_name() const noexcept = 0;
};

}  // namespace gridmq::broker
