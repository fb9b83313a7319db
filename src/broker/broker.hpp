// The broker: owns the session registry, the subscription index and the
// retained store, and creates one client_port per connection.
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
#include "broker/broker_options.hpp"
#include "broker/client_port.hpp"

namespace gridmq::broker {

class broker_state;

class broker final : public client_acceptor {
 public:
  // `auth` (owned by the caller, outliving the broker) decides CONNECTs and
  // runs enhanced authentication; null: options.allow_anonymous decides.
  explicit broker(broker_options options, authenticator* auth = nullptr);
  ~broker() override;
  broker(const broker&) = delete;
  broker& operator=(const broker&) = delete;

  std::unique_ptr<client_port> open(connection_sink& sink, client_info info) override;

  // Fires due timers: delayed wills, session expiry, message expiry.
  void tick(std::chrono::steady_clock::time_point now);

  // Server shutdown: every connected client gets DISCONNECT 0x8B (v5) and is
  // closed; wills are not published for clients the server disconnects this way.
  void shutdown();

  std::size_t session_count() const;
  std::size_t connection_count() const;

 private:
  std::shared_ptr<broker_state> state_;
};

}  // namespace gridmq::broker
