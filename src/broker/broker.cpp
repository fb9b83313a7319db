#include "broker/broker.hpp"

#include "broker/broker_state.hpp"
#include "broker/client_connection.hpp"

namespace gridmq::broker {

broker::broker(broker_options options, authenticator* auth, store::store* durable, authorizer* authz)
    : state_(std::make_shared<broker_state>(std::move(options), auth, durable, authz)) {}

broker::~broker() = default;

std::unique_ptr<client_port> broker::open(connection_sink& sink, client_info info) {
  return std::make_unique<client_connection>(*state_, sink, std::move(info));
}

void broker::recover() { state_->recover(); }

void broker::tick(std::chrono::steady_clock::time_point now) { state_->tick(now); }

void broker::shutdown() { state_->shutdown(); }

void broker::authorization_changed() { state_->authorization_changed(); }

std::size_t broker::session_count() const { return state_->session_count(); }

std::size_t broker::connection_count() const { return state_->connections.load(); }

}  // namespace gridmq::broker
