// Adapts auth::namespace_authorizer (Event Grid's clients, groups, topic
// spaces and bindings) to the broker's authorizer interface; the broker
// does not depend on auth/ (DESIGN.md's arrows), app/ joins them.
//
// app/ creates one only when the configuration has clients or permission
// bindings, or a max_sessions_per_authentication_name: otherwise the broker
// gets no authorizer and runs as before.
//
// Threads: read-only after construction; any worker.
#pragma once

#include <memory>

#include "auth/namespace_authorizer.hpp"
#include "broker/authorizer.hpp"
#include "config/config.hpp"

namespace gridmq::app {

class authz_adapter final : public broker::authorizer {
 public:
  explicit authz_adapter(const config::config& c);

  // Whether `c` asks for any authorization at all.
  static bool wanted(const config::config& c);

  broker::admission admit(const broker::identity& id) override;
  std::uint32_t max_sessions_per_authentication_name() const noexcept override { return authz_.max_sessions(); }

 private:
  auth::namespace_authorizer authz_;
};

}  // namespace gridmq::app
