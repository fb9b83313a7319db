// Design note: the stages read into one flat_buffer and consume only what
// they parse, so bytes that arrive early (a ClientHello in the segment of
// the PROXY header, an MQTT CONNECT right behind it) reach the next stage.
#include "transport/handshake.hpp"

#include <spdlog/logger.h>

#include <boost/beast/core/detect_ssl.hpp>

#include <optional>

#include "transport/connections.hpp"
#include "transport/peer_certificate.hpp"
#include "transport/proxy_protocol.hpp"
#include "transport/tls_context.hpp"

namespace gridmq::transport {
namespace {

std::span<const std::uint8_t> bytes_of(const beast::flat_buffer& b) {
  return {static_cast<const std::uint8_t*>(b.data().data()), b.size()};
}

class accept_flow : public std::enable_shared_from_this<accept_flow> {
 public:
  accept_flow(tcp_socket socket, std::string peer, std::shared_ptr<const listener_context> listener)
      : socket_(std::move(socket)), timer_(socket_.get_executor()), listener_(std::move(listener)) {
    info_.peer = std::move(peer);
    info_.listener = listener_->url;
    info_.transport = listener_->options.scheme;
  }

  void start() {
    timer_.expires_after(listener_->options.handshake_timeout);
    timer_.async_wait([self = shared_from_this()](const error_code& ec) {
      if (ec || self->done_) return;
      self->refuse("handshake not finished within " +
                   std::to_string(self->listener_->options.handshake_timeout.count()) + " ms");
    });
    if (listener_->options.proxy_protocol) {
      read_proxy();
    } else {
      after_proxy();
    }
  }

 private:
  tcp_socket& lowest() { return tls_ ? tls_->next_layer() : socket_; }

  // Logged once per connection; closes only this socket.
  void refuse(const std::string& why) {
    if (done_) return;
    done_ = true;
    timer_.cancel();
    listener_->log.info("{}: {}: {}; closing", info_.peer, listener_->url, why);
    error_code ignored;
    lowest().close(ignored);
  }

  void read_proxy() {
    const std::size_t room = max_proxy_v2_length - buffer_.size();
    socket_.async_read_some(buffer_.prepare(room), [self = shared_from_this()](const error_code& ec, std::size_t n) {
      self->on_proxy_read(ec, n);
    });
  }

  void on_proxy_read(const error_code& ec, std::size_t n) {
    if (done_) return;
    if (ec) return refuse("PROXY header: " + ec.message());
    buffer_.commit(n);
    const proxy_header h = parse_proxy_header(bytes_of(buffer_));
    if (h.st == proxy_header::status::invalid) return refuse("bad PROXY protocol header: " + h.error);
    if (h.st == proxy_header::status::incomplete) {
      if (buffer_.size() >= max_proxy_v2_length) return refuse("bad PROXY protocol header: too long");
      return read_proxy();
    }
    buffer_.consume(h.length);
    if (!h.source.empty()) info_.peer = h.source + " (via " + info_.peer + ")";
    after_proxy();
  }

  void after_proxy() {
    if (!listener_->is_tls()) return next(std::move(socket_));
    // A plaintext client on a TLS port gets a clear log line instead of an
    // OpenSSL "wrong version number".
    beast::async_detect_ssl(socket_, buffer_, [self = shared_from_this()](const error_code& ec, bool is_tls) {
      self->on_detect(ec, is_tls);
    });
  }

  void on_detect(const error_code& ec, bool is_tls) {
    if (done_) return;
    if (ec) return refuse("TLS: " + ec.message());
    if (!is_tls) return refuse("plaintext client on a TLS listener");
    tls_context_ = listener_->tls();
    tls_.emplace(std::move(socket_), tls_context_->context());
    tls_->async_handshake(asio::ssl::stream_base::server, buffer_.data(),
                          [self = shared_from_this()](const error_code& hec, std::size_t used) {
                            self->on_tls_handshake(hec, used);
                          });
  }

  void on_tls_handshake(const error_code& ec, std::size_t used) {
    if (done_) return;
    if (ec) return refuse("TLS handshake failed: " + ec.message());
    buffer_.consume(used);
    SSL* ssl = tls_->native_handle();
    info_.certificate = peer_certificate(ssl);
    info_.server_name = server_name(ssl);
    if (info_.certificate) {
      listener_->log.debug("{}: client certificate {} (SHA-256 {})", info_.peer, info_.certificate->subject,
                           info_.certificate->sha256_thumbprint);
    }
    next(std::move(*tls_));
  }

  template <class S>
  void next(S stream) {
    done_ = true;
    timer_.cancel();
    if (listener_->is_mqtt()) {
      using adaptor = std::conditional_t<std::is_same_v<S, tcp_socket>, plain_stream, tls_adaptor>;
      worker_context& worker = worker_of(beast::get_lowest_layer(stream));
      const typename stream_connection<adaptor>::ptr c(
          new stream_connection<adaptor>(worker, adaptor(std::move(stream)), info_.peer, listener_));
      c->start(listener_->acceptor, std::move(info_), bytes_of(buffer_));
      return;
    }
    start_http(std::move(stream), std::move(info_), listener_, std::move(buffer_));
  }

  tcp_socket socket_;
  steady_timer timer_;
  std::shared_ptr<const listener_context> listener_;
  std::shared_ptr<const tls_context> tls_context_;  // the snapshot this handshake uses
  std::optional<tls_stream> tls_;
  beast::flat_buffer buffer_;
  broker::client_info info_;
  bool done_ = false;
};

}  // namespace

void start_handshake(tcp_socket socket, std::string peer, std::shared_ptr<const listener_context> listener) {
  const listener_context& l = *listener;
  if (!l.options.proxy_protocol && !l.is_tls() && l.is_mqtt()) {
    // Plain MQTT: nothing to negotiate, straight to the connection.
    broker::client_info info;
    info.peer = std::move(peer);
    info.listener = l.url;
    info.transport = l.options.scheme;
    worker_context& worker = worker_of(socket);
    const stream_connection<plain_stream>::ptr c(
        new stream_connection<plain_stream>(worker, plain_stream(std::move(socket)), info.peer, listener));
    c->start(l.acceptor, std::move(info));
    return;
  }
  std::make_shared<accept_flow>(std::move(socket), std::move(peer), std::move(listener))->start();
}

}  // namespace gridmq::transport
