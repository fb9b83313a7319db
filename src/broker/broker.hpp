// The broker: owns the session registry, the subscription index and the
// retained store, and creates one client_port per connection.
//
// Durability: given a store (store/store.hpp, opened by app/), the broker
// keeps persistent sessions, their subscriptions and QoS 1/2 messages, and
// retained messages there, and acknowledges a QoS 1/2 PUBLISH only once
// what it changed is as durable as the store's level promises (see
// persistence.hpp). Call recover() once, after construction and before the
// listeners accept: it loads the store and rebuilds that state.
//
// Threads: open() is called on the accepting worker; each port is then used
// only on that worker. Routing a PUBLISH runs on the publisher's worker and
// touches subscriber sessions under their own locks; no global lock is taken
// per message. tick() runs the timers (will delay, session expiry) and may be
// called from any one thread at a time.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>

#include "broker/authenticator.hpp"
#include "broker/authorizer.hpp"
#include "broker/broker_options.hpp"
#include "broker/client_port.hpp"

namespace gridmq::store {
class store;
}

namespace gridmq::broker {

class broker_state;

class broker final : public client_acceptor {
 public:
  // `auth` (owned by the caller, outliving the broker) decides CONNECTs and
  // runs enhanced authentication; null: options.allow_anonymous decides.
  // `durable` (owned by the caller, outliving the broker; opened, not yet
  // loaded): where sessions and messages are kept; null: nowhere, and
  // every acknowledgement is sent at once.
  // `authz` (owned by the caller, outliving the broker; null: everything is
  // allowed) admits each CONNECT and gives the connection its policy.
  explicit broker(broker_options options, authenticator* auth = nullptr, store::store* durable = nullptr,
                  authorizer* authz = nullptr);
  ~broker() override;
  broker(const broker&) = delete;
  broker& operator=(const broker&) = delete;

  std::unique_ptr<client_port> open(connection_sink& sink, client_info info) override;

  // Loads the store and rebuilds sessions (with their subscriptions, queued
  // and in-flight messages, inbound QoS 2 ids), retained messages and the
  // message ids; sessions that expired while the broker was down are
  // deleted and their wills sent; progress is logged. Call once before
  // accepting connections; without a store it does nothing. Throws
  // std::runtime_error with the store's message when the store cannot be
  // read (corrupt, newer format, I/O): the broker must not start.
  void recover();

  // Fires due timers: delayed wills, session expiry, message expiry.
  void tick(std::chrono::steady_clock::time_point now);

  // Server shutdown: every connected client gets DISCONNECT 0x8B (v5) and is
  // closed; wills are not published for clients the server disconnects this way.
  void shutdown();

  // The authorizer's rules changed (its owner replaced them): every connected
  // client is admitted again with them on its own worker, soon; one now
  // refused gets DISCONNECT 0x87 (3.1.1: the connection closes), one whose
  // subscriptions are no longer all permitted loses those and is
  // disconnected the same way (Event Grid's ClientAuthorizationError).
  void authorization_changed();

  std::size_t session_count() const;
  std::size_t connection_count() const;

 private:
  std::shared_ptr<broker_state> state_;
};

}  // namespace gridmq::broker
