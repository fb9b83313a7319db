// Adapts auth/ (credentials, SCRAM) to the broker's authenticator interface;
// the broker does not depend on auth/ (DESIGN.md's arrows), app/ joins them.
//
// Policy: with no users configured, allow_anonymous decides alone and
// usernames are not checked. With users, a CONNECT that names a username
// must give its password (else 0x86); one without a username is let in only
// if allow_anonymous. SCRAM-SHA-256 is offered when users exist.
//
// Threads: read-only after construction; any worker.
#pragma once

#include <memory>

#include "auth/user_table.hpp"
#include "broker/authenticator.hpp"
#include "config/config.hpp"

namespace gridmq::app {

class auth_adapter final : public broker::authenticator {
 public:
  explicit auth_adapter(const config::auth_settings& settings);

  protocol::reason_code check(const broker::credentials& c) override;
  std::unique_ptr<broker::auth_exchange> start(std::string_view method, const broker::credentials& c) override;

 private:
  bool allow_anonymous_;
  auth::user_table users_;
};

}  // namespace gridmq::app
