#include "app/auth_adapter.hpp"

#include "auth/scram_exchange.hpp"

namespace gridmq::app {

namespace {

class scram_adapter final : public broker::auth_exchange {
 public:
  explicit scram_adapter(const auth::user_table& users) : exchange_(users) {}

  broker::auth_step step(std::string_view client_data) override {
    auto r = exchange_.step(client_data);
    broker::auth_step out;
    out.data = std::move(r.data);
    out.why = std::move(r.why);
    switch (r.status) {
      case auth::step_status::success: out.st = broker::auth_step::status::success; break;
      case auth::step_status::continue_auth: out.st = broker::auth_step::status::continue_auth; break;
      case auth::step_status::failure:
        out.st = broker::auth_step::status::failure;
        out.failure_code = protocol::reason_code::not_authorized;
        break;
    }
    return out;
  }

 private:
  auth::scram_exchange exchange_;
};

}  // namespace

auth_adapter::auth_adapter(const config::auth_settings& settings) : allow_anonymous_(settings.allow_anonymous) {
  for (const auto& u : settings.users) users_.add(u.username, u.password);
}

protocol::reason_code auth_adapter::check(const broker::credentials& c) {
  if (!c.username) return allow_anonymous_ ? protocol::reason_code::success : protocol::reason_code::not_authorized;
  if (users_.empty()) return allow_anonymous_ ? protocol::reason_code::success : protocol::reason_code::not_authorized;
  if (!c.password || !users_.check_password(*c.username, *c.password)) {
    return protocol::reason_code::bad_user_name_or_password;
  }
  return protocol::reason_code::success;
}

std::unique_ptr<broker::auth_exchange> auth_adapter::start(std::string_view method, const broker::credentials&) {
  if (method == auth::scram_exchange::method_name && !users_.empty()) {
    return std::make_unique<scram_adapter>(users_);
  }
  return nullptr;
}

}  // namespace gridmq::app
