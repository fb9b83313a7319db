// Adapts auth::namespace_authorizer (Event Grid's clients, groups, topic
// spaces and bindings) to the broker's authorizer interface; the broker
// does not depend on auth/ (DESIGN.md's arrows), app/ joins them.
//
// app/ creates one only when the configuration has clients or permission
// bindings, or a max_sessions_per_authentication_name: otherwise the broker
// gets no authorizer and runs as before.
//
// Threads: admit() from any worker; replace_model() from the signal thread
// (SIGHUP): admissions in flight finish with the rules they started with.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>

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
  std::uint32_t max_sessions_per_authentication_name() const noexcept override { return max_sessions_; }

  // Replaces the namespace resources (clients, client groups, topic spaces,
  // permission bindings) with those of `c`; the authentication name sources
  // and the session limit stay as they were at start.
  void replace_model(const config::config& c);

 private:
  std::shared_ptr<const auth::namespace_authorizer> current() const;

  const std::vector<ns::name_source> sources_;
  const std::uint32_t max_sessions_;
  mutable std::mutex mutex_;  // guards the pointer only
  std::shared_ptr<const auth::namespace_authorizer> authz_;
};

}  // namespace gridmq::app
