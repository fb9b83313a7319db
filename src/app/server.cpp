#include "app/server.hpp"

#include <boost/asio/signal_set.hpp>
#include <spdlog/logger.h>

#include <chrono>
#include <csignal>
#include <thread>

#include "app/settings.hpp"

namespace gridmq::app {
namespace {

constexpr std::chrono::milliseconds tick_period{250};
constexpr std::chrono::milliseconds flush_grace{1000};

transport::listener_options make_listener_options(const config::listener_url& url, const config::config& c) {
  transport::listener_options o;
  o.scheme = url.scheme;
  o.host = url.host;
  o.port = url.port;
  // A closing connection gets as long as a client gets to connect.
  o.connection.close_timeout = std::chrono::seconds(c.limits.connect_timeout);
  return o;
}

}  // namespace

server::server(const config::config& c, spdlog::logger& log)
    : log_(log),
      auth_(c.auth),
      broker_(make_broker_options(c), &auth_),
      workers_(c.server.threads, log),
      tick_timer_(workers_.context(0).get_executor()) {
  for (const auto& url : c.listeners) {
    listeners_.push_back(transport::tcp_listener::bind(workers_.context(0), workers_, broker_,
                                                       make_listener_options(url, c), log_));
  }
}

server::~server() = default;

int server::run() {
  namespace asio = transport::asio;
  // Signals are handled on the main thread, which then runs the shutdown
  // sequence; the workers never block on it.
  asio::io_context control(1);
  asio::signal_set signals(control, SIGINT, SIGTERM);
  signals.async_wait([this](const transport::error_code& ec, int signal) {
    if (!ec) log_.info("received signal {}, shutting down", signal);
  });

  workers_.start();
  asio::post(tick_timer_.get_executor(), [this] { arm_tick(); });
  for (const auto& listener : listeners_) {
    listener->start();
    log_.info("listening on {}", listener->url());
  }
  log_.info("gridmq started with {} worker threads", workers_.size());
  control.run();
  shut_down();
  return 0;
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
  log_.info("stopped");
}

}  // namespace gridmq::app
