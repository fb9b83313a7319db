#include "app/server.hpp"

#include <boost/asio/signal_set.hpp>
#include <spdlog/logger.h>

#include <chrono>
#include <csignal>
#include <functional>
#include <stdexcept>
#include <thread>

#include "app/allocator.hpp"
#include "app/settings.hpp"
#include "store/rocksdb_store.hpp"

namespace gridmq::app {
namespace {

constexpr std::chrono::milliseconds tick_period{250};
constexpr std::chrono::milliseconds flush_grace{1000};

transport::client_cert_mode to_transport(config::client_cert_mode m) {
  switch (m) {
    case config::client_cert_mode::optional:
      return transport::client_cert_mode::optional;
    case config::client_cert_mode::required:
      return transport::client_cert_mode::required;
    case config::client_cert_mode::none:
      break;
  }
  return transport::client_cert_mode::none;
}

transport::tls_options make_tls_options(const config::tls_settings& t) {
  transport::tls_options o;
  o.cert = t.cert;
  o.key = t.key;
  o.ca = t.ca;
  o.client_cert = to_transport(t.client_cert);
  o.ciphers = t.ciphers;
  o.ciphersuites = t.ciphersuites;
  o.tls13_only = t.min_tls == "1.3";
  for (const auto& s : t.sni) o.sni.push_back({s.name, s.cert, s.key});
  return o;
}

transport::listener_options make_listener_options(const config::listener_settings& l, const config::config& c) {
  transport::listener_options o;
  o.scheme = l.scheme;
  o.host = l.host;
  o.port = l.port;
  // A closing connection gets as long as a client gets to connect, and so
  // do the TLS handshake and the WebSocket upgrade.
  o.connection.close_timeout = std::chrono::seconds(c.limits.connect_timeout);
  o.handshake_timeout = std::chrono::seconds(c.limits.connect_timeout);
  o.proxy_protocol = l.proxy_protocol;
  o.connection.no_delay = l.no_delay;
  // Pacing only matters without Nagle, which otherwise merges the writes.
  o.connection.write_pacing = std::chrono::microseconds(l.no_delay ? l.write_pacing : 0);
  o.ws_path = l.path;
  if (config::uses_tls(l)) o.tls = make_tls_options(l.tls);
  // An HTTP body is an MQTT payload: the packet size limit bounds it.
  o.max_http_body = c.limits.max_packet_size;
  return o;
}

std::unique_ptr<store::store> open_store(const config::config& c, spdlog::logger& log) {
  if (c.storage.data_dir.empty()) return nullptr;
  auto opened = store::open_rocksdb_store(c.storage.data_dir, make_store_options(c));
  if (!opened) throw std::runtime_error(opened.error().message);
  log.info("keeping sessions and messages in {} (durability {})", c.storage.data_dir,
           c.storage.level == config::durability::sync      ? "sync"
           : c.storage.level == config::durability::batched ? "batched"
                                                            : "none");
  return std::move(*opened);
}

}  // namespace

server::server(const config::config& c, spdlog::logger& log, std::function<config::config()> reread)
    : log_(log),
      reread_(std::move(reread)),
      auth_(c.auth),
      authz_(authz_adapter::wanted(c) ? std::make_unique<authz_adapter>(c) : nullptr),
      store_(open_store(c, log)),
      broker_(make_broker_options(c), &auth_, store_.get(), authz_.get()),
      workers_(c.server.threads, log),
      tick_timer_(workers_.context(0).get_executor()) {
  broker_.recover();  // before any listener accepts
  if (c.namespace_model.enabled()) {
    log_.info("authorization on: {} registered clients; CONNECT, PUBLISH and SUBSCRIBE follow the permission bindings",
              c.namespace_model.client_count());
  }
  for (const auto& l : c.listeners) {
    transport::listener_options o = make_listener_options(l, c);
    if (config::serves_http(l)) {
      http::endpoint_options e;
      e.bearer_token = l.bearer_token;
      e.client_certificates = config::uses_tls(l) && l.tls.client_cert != config::client_cert_mode::none;
      e.listener = config::to_string(l);
      http_.push_back(std::make_unique<http_bridge>(broker_, std::move(e)));
      o.http = http_.back().get();
    }
    listeners_.push_back(transport::tcp_listener::bind(workers_.context(0), workers_, broker_, std::move(o), log_));
  }
}

server::~server() = default;

int server::run() {
  namespace asio = transport::asio;
  // Signals are handled on the main thread, which then runs the shutdown
  // sequence; the workers never block on it.
  asio::io_context control(1);
  asio::signal_set signals(control, SIGINT, SIGTERM);
  signals.async_wait([this, &control](const transport::error_code& ec, int signal) {
    if (!ec) log_.info("received signal {}, shutting down", signal);
    control.stop();
  });
  // SIGHUP reloads certificates, as often as it comes.
  asio::signal_set reload(control, SIGHUP);
  std::function<void()> wait_reload = [&] {
    reload.async_wait([&](const transport::error_code& ec, int) {
      if (ec) return;
      reload_certificates();
      reload_authorization();
      wait_reload();
    });
  };
  wait_reload();

  workers_.start();
  asio::post(tick_timer_.get_executor(), [this] { arm_tick(); });
  for (const auto& listener : listeners_) {
    listener->start();
    log_.info("listening on {}", listener->url());
  }
  log_.info("gridmq started with {} worker threads, allocator {}", workers_.size(), allocator_description());
  control.run();
  shut_down();
  return 0;
}

void server::reload_certificates() {
  for (const auto& listener : listeners_) {
    if (!listener->is_tls()) continue;
    try {
      const std::string fingerprint = listener->reload_tls();
      log_.info("{}: certificates reloaded (SHA-256 {}); live connections keep theirs", listener->url(), fingerprint);
    } catch (const std::exception& e) {
      log_.error("{}: certificates not reloaded, keeping the old ones: {}", listener->url(), e.what());
    }
  }
}

void server::reload_authorization() {
  if (!reread_) return;
  config::config c;
  try {
    c = reread_();
  } catch (const std::exception& e) {
    log_.error("authorization not reloaded, keeping the old rules: {}", e.what());
    return;
  }
  if (!authz_) {
    if (authz_adapter::wanted(c)) {
      log_.warn("authorization not reloaded: it was off at start (no clients, bindings or session limit); "
                "restart gridmq to turn it on");
    }
    return;
  }
  authz_->replace_model(c);
  log_.info("authorization reloaded: {} registered clients; connected clients are admitted again",
            c.namespace_model.client_count());
  broker_.authorization_changed();
}

void server::arm_tick() {
  tick_timer_.expires_after(tick_period);
  tick_timer_.async_wait([this](const transport::error_code& ec) {
    if (ec) return;
    broker_.tick(std::chrono::steady_clock::now());
    arm_tick();
  });
}

void server::shut_down() {
  for (const auto& listener : listeners_) listener->stop();
  // DISCONNECT 0x8B to v5 clients, then each connection flushes and closes.
  broker_.shutdown();
  const auto deadline = std::chrono::steady_clock::now() + flush_grace;
  while (broker_.connection_count() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (const auto left = broker_.connection_count(); left > 0) {
    log_.info("{} connections still open after {} ms; closing them", left, flush_grace.count());
  }
  workers_.stop();
  workers_.join();
  if (store_) {
    if (auto e = store_->flush()) log_.error("store: {}", e->message);
  }
  log_.info("stopped");
}

}  // namespace gridmq::app
