// Admission of a connection by Event Grid's rules (eventgrid.md 1.3, 1.7,
// 2.4): its authentication name from the configured sources, the registered
// client of that name (enabled, proven by its certificate when the client
// asks for one), and the grants its groups and permission bindings give.
//
// With an empty namespace_model nothing is restricted: the name is still
// resolved, for counting sessions per authentication name.
//
// Threads: read-only after construction; any worker.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "namespace/certificate_identity.hpp"
#include "namespace/namespace_model.hpp"

namespace gridmq::auth {

class namespace_authorizer {
 public:
  namespace_authorizer(ns::namespace_model model, std::vector<ns::name_source> sources, std::uint32_t max_sessions)
      : model_(std::move(model)), sources_(std::move(sources)), max_sessions_(max_sessions) {}

  struct decision {
    bool allowed = true;
    std::string why;                          // a refusal, for the log and Reason String
    std::string authentication_name;          // case-folded; empty: none
    std::optional<ns::client_grants> grants;  // nullopt: unrestricted
  };

  decision admit(const std::optional<std::string>& username, const ns::certificate_fields* cert) const;

  bool restricts() const noexcept { return model_.enabled(); }
  std::uint32_t max_sessions() const noexcept { return max_sessions_; }

 private:
  ns::namespace_model model_;
  std::vector<ns::name_source> sources_;
  std::uint32_t max_sessions_;
};

}  // namespace gridmq::auth
