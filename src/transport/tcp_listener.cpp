#include "transport/tcp_listener.hpp"

#include <spdlog/logger.h>

#include <chrono>
#include <stdexcept>

#include "transport/handshake.hpp"
#include "transport/tls_context.hpp"
#include "transport/worker_pool.hpp"

namespace gridmq::transport {
namespace {

constexpr std::chrono::milliseconds accept_backoff{100};

std::string host_in_url(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

std::string peer_name(const asio::ip::tcp::endpoint& ep) {
  return host_in_url(ep.address().to_string()) + ":" + std::to_string(ep.port());
}

}  // namespace

std::shared_ptr<tcp_listener> tcp_listener::bind(asio::io_context& accept_context, worker_pool& workers,
                                                 broker::client_acceptor& acceptor, listener_options options,
                                                 spdlog::logger& log) {
  auto listener = std::make_shared<tcp_listener>(accept_context, workers, acceptor, std::move(options), log);
  // Certificates first: a bad file must stop the start before any port is bound.
  std::shared_ptr<const tls_context> tls;
  if (listener->options_.tls) {
    try {
      tls = tls_context::load(*listener->options_.tls);
    } catch (const std::exception& e) {
      throw std::runtime_error("listener " + listener->url_ + ": " + e.what());
    }
  }
  listener->open(listener->resolve());
  listener->context_ = std::make_shared<listener_context>(listener->options_, listener->url_, acceptor, log);
  listener->context_->set_tls(std::move(tls));
  return listener;
}

tcp_listener::tcp_listener(asio::io_context& accept_context, worker_pool& workers, broker::client_acceptor& acceptor,
                           listener_options options, spdlog::logger& log)
    : acceptor_(accept_context.get_executor()),
      backoff_(accept_context.get_executor()),
      workers_(workers),
      broker_(acceptor),
      options_(std::move(options)),
      log_(log),
      url_(options_.scheme + "://" + host_in_url(options_.host) + ":" + std::to_string(options_.port)) {}

asio::ip::tcp::endpoint tcp_listener::resolve() {
  error_code ec;
  const auto address = asio::ip::make_address(options_.host, ec);
  if (!ec) return {address, options_.port};
  asio::ip::basic_resolver<asio::ip::tcp, executor> resolver(acceptor_.get_executor());
  const auto results = resolver.resolve(options_.host, std::to_string(options_.port), ec);
  if (ec || results.empty()) {
    throw std::runtime_error("cannot listen on " + url_ + ": cannot resolve host: " +
                             (ec ? ec.message() : std::string("no address")));
  }
  return results.begin()->endpoint();
}

void tcp_listener::open(const asio::ip::tcp::endpoint& endpoint) {
  error_code ec;
  const char* step = "open";
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) {
    // Restarting must not wait out TIME_WAIT of the previous run's connections.
    acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    step = "set SO_REUSEADDR";
  }
  if (!ec) {
    acceptor_.bind(endpoint, ec);
    step = "bind";
  }
  if (!ec) {
    acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    step = "listen";
  }
  if (ec) throw std::runtime_error("cannot listen on " + url_ + ": " + step + ": " + ec.message());
  bound_port_ = acceptor_.local_endpoint(ec).port();
  if (ec) throw std::runtime_error("cannot listen on " + url_ + ": " + ec.message());
  url_ = options_.scheme + "://" + host_in_url(options_.host) + ":" + std::to_string(bound_port_);
}

std::string tcp_listener::reload_tls() {
  if (!options_.tls) return {};
  auto fresh = tls_context::load(*options_.tls);
  std::string fingerprint = fresh->fingerprint();
  context_->set_tls(std::move(fresh));
  return fingerprint;
}

void tcp_listener::start() {
  asio::post(acceptor_.get_executor(), [self = shared_from_this()] { self->do_accept(); });
}

void tcp_listener::stop() noexcept {
  try {
    asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
      self->stopped_ = true;
      error_code ignored;
      self->acceptor_.close(ignored);
      self->backoff_.cancel();
    });
  } catch (...) {
    // Out of memory at shutdown: the acceptor closes with its context.
  }
}

void tcp_listener::do_accept() {
  if (stopped_) return;
  asio::io_context& target = workers_.next();
  acceptor_.async_accept(target, [self = shared_from_this()](const error_code& ec, tcp_socket socket) {
    self->on_accept(ec, std::move(socket));
  });
}

void tcp_listener::on_accept(const error_code& ec, tcp_socket socket) {
  if (stopped_ || ec == asio::error::operation_aborted) return;
  if (ec) {
    // The peer gave up while queued: nothing wrong with the listener.
    if (ec == asio::error::connection_aborted || ec == asio::error::connection_reset) {
      do_accept();
    } else {
      back_off(ec);
    }
    return;
  }
  if (backing_off_) {
    backing_off_ = false;
    log_.info("{}: accepting connections again", url_);
  }
  error_code peer_ec;
  const auto remote = socket.remote_endpoint(peer_ec);
  if (!peer_ec) {
    const executor target = socket.get_executor();
    asio::post(target, [socket = std::move(socket), peer = peer_name(remote), context = context_]() mutable {
      start_handshake(std::move(socket), std::move(peer), std::move(context));
    });
  }
  do_accept();
}

void tcp_listener::back_off(const error_code& ec) {
  if (!backing_off_) {
    backing_off_ = true;
    log_.warn("{}: accept failed: {}; retrying every {} ms", url_, ec.message(), accept_backoff.count());
  }
  backoff_.expires_after(accept_backoff);
  backoff_.async_wait([self = shared_from_this()](const error_code& wait_ec) {
    if (!wait_ec) self->do_accept();
  });
}

}  // namespace gridmq::transport
