#include "auth/namespace_authorizer.hpp"

namespace gridmq::auth {

namespace_authorizer::decision namespace_authorizer::admit(const std::optional<std::string>& username,
                                                           const ns::certificate_fields* cert) const {
  decision d;
  std::optional<std::string> name;
  for (auto source : sources_) {
    name = ns::name_from(source, username, cert);
    if (name) break;
  }
  if (name) d.authentication_name = ns::fold_case(*name);
  if (!model_.enabled()) return d;
  auto deny = [&](std::string why) {
    d.allowed = false;
    d.why = std::move(why);
    return d;
  };
  // Event Grid needs Username unless a certificate source is configured and present.
  if (!name) return deny("no authentication name (Username or a configured client certificate field)");
  const ns::client* c = model_.find_client(*name);
  if (c == nullptr) return deny("Client could not be found: no client has authentication name '" + *name + "'");
  if (!c->enabled) return deny("client '" + c->name + "' is disabled");
  if (!ns::certificate_proves(*c, cert)) {
    return deny("client '" + c->name + "': the client certificate does not prove authentication name '" + *name + "'");
  }
  d.grants = model_.grants_for(*c);
  return d;
}

}  // namespace gridmq::auth
