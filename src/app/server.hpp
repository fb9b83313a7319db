// The running broker process: constructs and wires every module.
//
// Construction builds the broker, the worker pool and binds every listener
// (throws std::runtime_error naming the listener URL when one cannot bind).
// With storage.data_dir set it opens the store there and recovers the
// broker's state from it before any listener accepts (a corrupt or newer
// store throws, naming the directory).
// run() starts the workers, accepts, logs "listening on URL" per listener,
// ticks the broker every 250 ms on worker 0, and blocks the calling thread
// until SIGINT or SIGTERM; then it stops accepting, shuts the broker down,
// gives connections up to a second to flush, and stops the workers.
// SIGHUP reloads TLS certificates and, given `reread`, the authorization
// resources ([[clients]], [[client_groups]], [[topic_spaces]],
// [[permission_bindings]]) from the configuration file: a file with an
// error keeps the old rules (logged with file:line:key); new rules are
// applied to connected clients (broker::authorization_changed()).
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "app/auth_adapter.hpp"
#include "app/authz_adapter.hpp"
#include "app/http_bridge.hpp"
#include "broker/broker.hpp"
#include "config/config.hpp"
#include "store/store.hpp"
#include "transport/asio.hpp"
#include "transport/tcp_listener.hpp"
#include "transport/worker_pool.hpp"

namespace spdlog {
class logger;
}

namespace gridmq::app {

class server {
 public:
  // `reread` reads the configuration again (throws config::config_error);
  // empty: nothing to reload but certificates.
  server(const config::config& c, spdlog::logger& log, std::function<config::config()> reread = {});
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // Blocks until a stop signal; returns the process exit code.
  int run();

 private:
  void arm_tick();
  // SIGHUP: every TLS listener reads its certificate files again.
  void reload_certificates();
  // SIGHUP: the namespace resources, from reread_.
  void reload_authorization();
  void shut_down();

  spdlog::logger& log_;
  std::function<config::config()> reread_;
  // Declaration order is destruction order in reverse: the broker outlives
  // the workers (connections still open at stop close their ports into it),
  // and the timer and listeners die before the contexts they live on.
  auth_adapter auth_;  // before broker_: the broker holds a pointer to it
  std::unique_ptr<authz_adapter> authz_;  // likewise; null: no authorization configured
  // Likewise; it also outlives the workers, whose last disconnects write to it.
  std::unique_ptr<store::store> store_;
  broker::broker broker_;
  // The HTTP endpoints of http/https listeners: used by connections on the
  // workers, so they outlive them.
  std::vector<std::unique_ptr<http_bridge>> http_;
  transport::worker_pool workers_;
  std::vector<std::shared_ptr<transport::tcp_listener>> listeners_;
  transport::steady_timer tick_timer_;
};

}  // namespace gridmq::app
