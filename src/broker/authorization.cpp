// Authorization of a connection (authorizer.hpp): admission at CONNECT, the
// Will topic, and what a denied PUBLISH gets. The SUBSCRIBE check is one
// line in check_subscription(). Without an authorizer none of this runs and
// no policy is kept, so the PUBLISH path pays one null check.
#include <spdlog/spdlog.h>

#include <optional>
#include <string>
#include <vector>

#include "broker/client_connection.hpp"

namespace gridmq::broker {

using protocol::protocol_version;
using protocol::qos;
using protocol::reason_code;

bool client_connection::admit(const protocol::connect& c, std::string& authentication_name) {
  auto* authz = broker_.authz();
  if (authz == nullptr) return true;
  // Read before admitting: a change of rules during admit() is seen later.
  more().authz_seen = broker_.authorization_generation();
  auto a = authz->admit(identity{c.client_id, c.username, certificate()});
  if (a.code != reason_code::success) {
    refuse_connect(a.code, a.why, c.client_id);
    return false;
  }
  // Event Grid lets a client connect and then drops it when its Will topic
  // is outside its topic spaces (a third-party report, eventgrid.md 2.4);
  // refusing the CONNECT says the same thing sooner and more clearly.
  if (c.will_message && a.policy && !a.policy->may_publish(c.will_message->topic)) {
    refuse_connect(reason_code::not_authorized,
                   "Will topic '" + c.will_message->topic + "' is not in a topic space the client may publish to",
                   c.client_id);
    return false;
  }
  authentication_name = std::move(a.authentication_name);
  set_policy(std::move(a.policy));
  if (c.username) more().username = std::string(*c.username);
  return true;
}

// Event Grid applies changes of clients, groups, topic spaces and bindings
// to connected clients: a client now refused (unknown, disabled) is
// disconnected (ClientAuthenticationError), and so is one that lost a
// permission its subscriptions rely on (ClientAuthorizationError,
// eventgrid.md 2.4). Those subscriptions are removed first, so the session,
// if it persists, queues nothing more through them. A lost publish
// permission needs no disconnect: the next PUBLISH meets the new policy.
void client_connection::recheck_authorization() {
  auto* authz = broker_.authz();
  more().authz_seen = broker_.authorization_generation();
  if (authz == nullptr || !slot_) return;
  const std::optional<std::string> username = extras_ ? extras_->username : std::nullopt;
  auto a = authz->admit(identity{client_id(), username, certificate()});
  if (a.code != reason_code::success) return fail(a.code, "authorization changed: " + a.why);
  set_policy(std::move(a.policy));
  const auto revoked = remove_unpermitted_subscriptions();
  if (revoked.empty()) return;
  fail(reason_code::not_authorized,
       "authorization changed: subscription '" + revoked.front() + "' is no longer permitted (removed)");
}

std::vector<std::string> client_connection::remove_unpermitted_subscriptions() {
  std::vector<std::string> revoked;
  const auto* pol = policy();
  if (pol == nullptr || !slot_) return revoked;
  {
    std::lock_guard lock(slot_->mutex);
    for (const auto& [filter, rec] : slot_->subscriptions.get()) {
      if (!pol->may_subscribe(filter)) revoked.push_back(filter);
    }
    for (const auto& filter : revoked) {
      slot_->subscriptions.mut().erase(filter);
      // Not waited for: no reply depends on it (a crash before the commit
      // leaves a subscription the next check removes again).
      (void)broker_.persist().unsubscribed(*slot_, filter);
    }
  }
  for (const auto& filter : revoked) {
    broker_.unsubscribe(slot_, filter);
    spdlog::info("client '{}': subscription '{}' removed, no longer permitted", client_id(), filter);
  }
  return revoked;
}

void client_connection::set_policy(std::unique_ptr<connection_policy> p) {
  if (p) {
    more().policy = std::move(p);
  } else if (extras_) {
    extras_->policy.reset();
  }
}

void client_connection::deny_publish(const protocol::publish_in& p) {
  broker_stats::add(broker_.stats().publishes_denied);
  std::string why = "Topic name '" + std::string(p.topic) + "' does not match any topic space the client may publish to";
  if (version_ == protocol_version::v5 && p.qos_level == qos::at_most_once) {
    // QoS 0 has no acknowledgement to carry a refusal: dropped, counted.
    spdlog::debug("client '{}': {}; QoS 0 message dropped", client_id(), why);
    return;
  }
  // v5 QoS 1/2: PUBACK / PUBREC 0x87 and the connection stays. 3.1.1 has no
  // negative acknowledgement: Event Grid closes the connection (eventgrid.md 2.5).
  reject_publish(p, reason_code::not_authorized, why);
}

}  // namespace gridmq::broker
