#include "app/authz_adapter.hpp"

namespace gridmq::app {
namespace {

// A connection's grants, substituted once at CONNECT.
class grants_policy final : public broker::connection_policy {
 public:
  explicit grants_policy(ns::client_grants g) : grants_(std::move(g)) {}
  bool may_publish(std::string_view topic) const noexcept override { return grants_.may_publish(topic); }
  bool may_subscribe(std::string_view filter) const noexcept override { return grants_.may_subscribe(filter); }

 private:
  ns::client_grants grants_;
};

}  // namespace

authz_adapter::authz_adapter(const config::config& c)
    : sources_(c.auth.authentication_name_sources),
      max_sessions_(c.auth.max_sessions_per_authentication_name),
      authz_(std::make_shared<const auth::namespace_authorizer>(c.namespace_model, sources_, max_sessions_)) {}

void authz_adapter::replace_model(const config::config& c) {
  auto next = std::make_shared<const auth::namespace_authorizer>(c.namespace_model, sources_, max_sessions_);
  std::lock_guard lock(mutex_);
  authz_.swap(next);  // the old rules die outside the lock, with the last admission using them
}

std::shared_ptr<const auth::namespace_authorizer> authz_adapter::current() const {
  std::lock_guard lock(mutex_);
  return authz_;
}

bool authz_adapter::wanted(const config::config& c) {
  return c.namespace_model.enabled() || c.auth.max_sessions_per_authentication_name != 0;
}

broker::admission authz_adapter::admit(const broker::identity& id) {
  ns::certificate_fields fields;
  if (id.certificate != nullptr) {
    fields.subject = id.certificate->subject;
    fields.subject_alt_names = id.certificate->subject_alt_names;
    fields.sha256_thumbprint = id.certificate->sha256_thumbprint;
  }
  auto d = current()->admit(id.username, id.certificate != nullptr ? &fields : nullptr);
  broker::admission a;
  if (!d.allowed) {
    a.code = protocol::reason_code::not_authorized;
    a.why = std::move(d.why);
    return a;
  }
  a.authentication_name = std::move(d.authentication_name);
  if (d.grants) a.policy = std::make_unique<grants_policy>(std::move(*d.grants));
  return a;
}

}  // namespace gridmq::app
