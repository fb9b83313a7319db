// The HTTP side of ws, wss, http and https listeners.
//
// Design note: one request at a time per connection (no pipelining): read a
// request with bounded header and body sizes under a deadline, then either
// upgrade to WebSocket on the listener's path (the stream moves into an MQTT
// stream_connection) or hand the request to the http_service and write its
// answer; keep-alive loops. Beast does all HTTP and WebSocket parsing.
#include <spdlog/logger.h>

#include <boost/beast/websocket/rfc6455.hpp>

#include <optional>

#include "transport/connections.hpp"

namespace gridmq::transport {
namespace {

constexpr std::uint32_t max_header_bytes = 16 * 1024;

// [MQTT-6.0.0-3/4] the client offers "mqtt"; older clients offer "mqttv3.1".
// The first offered one we speak is echoed; none offered: none answered.
std::string pick_subprotocol(std::string_view offered) {
  while (!offered.empty()) {
    const auto comma = offered.find(',');
    std::string_view token = offered.substr(0, comma);
    while (!token.empty() && (token.front() == ' ' || token.front() == '\t')) token.remove_prefix(1);
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
    if (token == "mqtt" || token == "mqttv3.1") return std::string(token);
    offered = comma == std::string_view::npos ? std::string_view() : offered.substr(comma + 1);
  }
  return {};
}

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

std::string_view sv(beast::string_view s) { return {s.data(), s.size()}; }

template <class S>
tcp_socket& lowest_of(S& s) {
  if constexpr (std::is_same_v<S, tcp_socket>) {
    return s;
  } else {
    return s.next_layer();
  }
}

template <class S>
class http_session : public std::enable_shared_from_this<http_session<S>> {
 public:
  http_session(S stream, broker::client_info info, std::shared_ptr<const listener_context> listener,
               beast::flat_buffer buffer)
      : stream_(std::move(stream)),
        timer_(lowest_of(stream_).get_executor()),
        listener_(std::move(listener)),
        info_(std::make_shared<const broker::client_info>(std::move(info))),
        buffer_(std::move(buffer)) {}

  void start() { read_request(); }

  // From http_exchange::respond(), on the worker.
  void on_response(http_response r, unsigned version, bool keep_alive) {
    if (closed_) return;
    response_.emplace(static_cast<http::status>(r.status), version);
    response_->set(http::field::server, "gridmq");
    for (auto& [name, value] : r.headers) response_->set(name, value);
    response_->body() = std::move(r.body);
    response_->keep_alive(keep_alive);
    response_->prepare_payload();
    write_response();
  }

  executor get_executor() { return lowest_of(stream_).get_executor(); }
  const std::shared_ptr<const broker::client_info>& info() const { return info_; }

 private:
  void arm_deadline() {
    timer_.expires_after(listener_->options.handshake_timeout);
    timer_.async_wait([self = this->shared_from_this()](const error_code& ec) {
      if (!ec) self->close_hard("HTTP request or upgrade not completed in time");
    });
  }

  void read_request() {
    parser_.emplace();
    parser_->header_limit(max_header_bytes);
    parser_->body_limit(listener_->options.max_http_body);
    arm_deadline();
    http::async_read(stream_, buffer_, *parser_, [self = this->shared_from_this()](const error_code& ec, std::size_t) {
      self->on_request(ec);
    });
  }

  void on_request(const error_code& ec) {
    timer_.cancel();
    if (closed_) return;
    if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset) {
      return close_hard({});
    }
    if (ec == http::error::body_limit) return answer_and_close(http::status::payload_too_large, "request body too large");
    if (ec == http::error::header_limit) {
      return answer_and_close(http::status::request_header_fields_too_large, "request header too large");
    }
    if (ec) {
      if (requests_ == 0) listener_->log.info("{}: {}: bad HTTP request: {}; closing", info_->peer, listener_->url, ec.message());
      return close_hard({});
    }
    ++requests_;
    http_request_message req = parser_->release();
    if (websocket::is_upgrade(req)) {
      if (path_of(sv(req.target())) != listener_->options.ws_path) {
        return answer_and_close(http::status::not_found, "no WebSocket endpoint at this path");
      }
      return upgrade(std::move(req));
    }
    serve(std::move(req));
  }

  void upgrade(http_request_message req) {
    const std::string protocol = pick_subprotocol(sv(req[http::field::sec_websocket_protocol]));
    ws_.emplace(std::move(stream_));
    ws_->binary(true);
    ws_->auto_fragment(false);
    ws_->read_message_max(0);  // MQTT's own maximum packet size bounds what is buffered
    ws_->set_option(websocket::stream_base::decorator([protocol](websocket::response_type& res) {
      res.set(http::field::server, "gridmq");
      if (!protocol.empty()) res.set(http::field::sec_websocket_protocol, protocol);
    }));
    arm_deadline();
    ws_->async_accept(req, [self = this->shared_from_this()](const error_code& ec) { self->on_accept(ec); });
  }

  void on_accept(const error_code& ec) {
    timer_.cancel();
    if (closed_) return;
    if (ec) {
      closed_ = true;
      listener_->log.info("{}: {}: WebSocket upgrade failed: {}; closing", info_->peer, listener_->url, ec.message());
      error_code ignored;
      lowest().close(ignored);
      return;
    }
    closed_ = true;  // the stream belongs to the MQTT connection now
    broker::client_info info = *info_;
    info.transport = std::is_same_v<S, tcp_socket> ? "ws" : "wss";
    using adaptor = ws_adaptor<S>;
    worker_context& worker = worker_of(beast::get_lowest_layer(*ws_));
    const typename stream_connection<adaptor>::ptr c(
        new stream_connection<adaptor>(worker, adaptor(std::move(*ws_)), info.peer, listener_));
    c->start(listener_->acceptor, std::move(info));
  }

  void serve(http_request_message req);
  void write_response();

  void answer_and_close(http::status status, std::string_view why) {
    http_response r;
    r.status = static_cast<unsigned>(status);
    r.headers.emplace_back("Content-Type", "application/json");
    r.body = std::string(R"({"error":{"code":")") + std::string(sv(http::obsolete_reason(status))) +
             R"(","message":")" + std::string(why) + "\"}}";
    on_response(std::move(r), 11, false);
  }

  void close_hard(const std::string& why) {
    if (closed_) return;
    closed_ = true;
    if (!why.empty()) listener_->log.info("{}: {}: {}; closing", info_->peer, listener_->url, why);
    error_code ignored;
    lowest().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    lowest().close(ignored);
  }

  void close_gracefully() {
    if constexpr (std::is_same_v<S, tcp_socket>) {
      close_hard({});
    } else {
      arm_deadline();  // a peer that never answers close_notify
      stream_.async_shutdown([self = this->shared_from_this()](const error_code&) { self->close_hard({}); });
    }
  }

  tcp_socket& lowest() { return ws_ ? beast::get_lowest_layer(*ws_) : lowest_of(stream_); }

  S stream_;
  steady_timer timer_;
  std::shared_ptr<const listener_context> listener_;
  std::shared_ptr<const broker::client_info> info_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http_response_message> response_;
  std::optional<websocket::stream<S>> ws_;
  std::size_t requests_ = 0;
  bool closed_ = false;
};

// One request handed to the http_service; answers come back to the session.
template <class S>
class exchange final : public http_exchange {
 public:
  exchange(std::shared_ptr<http_session<S>> session, http_request request, unsigned version, bool keep_alive)
      : session_(session),
        executor_(session->get_executor()),
        info_(session->info()),
        request_(std::move(request)),
        version_(version),
        keep_alive_(keep_alive) {}

  const http_request& request() const override { return request_; }
  const broker::client_info& client() const override { return *info_; }

  void post(std::function<void()> fn) override {
    try {
      asio::post(executor_, std::move(fn));
    } catch (...) {
      // Out of memory: the request's own deadline ends it.
    }
  }

  void respond(http_response response) override {
    post([session = session_, r = std::move(response), v = version_, k = keep_alive_]() mutable {
      if (auto s = session.lock()) s->on_response(std::move(r), v, k);
    });
  }

 private:
  std::weak_ptr<http_session<S>> session_;
  executor executor_;
  std::shared_ptr<const broker::client_info> info_;
  http_request request_;
  unsigned version_;
  bool keep_alive_;
};

template <class S>
void http_session<S>::serve(http_request_message req) {
  http_request r;
  r.method = std::string(req.method_string());
  r.target = std::string(req.target());
  for (const auto& field : req) {
    std::string name(field.name_string());
    for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    r.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  r.body = std::move(req.body());
  if (listener_->options.http == nullptr) {
    return answer_and_close(http::status::not_found, "no HTTP service on this listener");
  }
  // The session stays alive through the exchange's respond(); a peer that
  // goes away meanwhile is noticed when the answer is written.
  arm_deadline();
  auto x = std::make_shared<exchange<S>>(this->shared_from_this(), std::move(r), req.version(), req.keep_alive());
  listener_->options.http->handle(std::move(x));
}

template <class S>
void http_session<S>::write_response() {
  timer_.cancel();
  arm_deadline();
  http::async_write(stream_, *response_, [self = this->shared_from_this()](const error_code& ec, std::size_t) {
    self->timer_.cancel();
    if (self->closed_) return;
    if (ec) return self->close_hard({});
    if (!self->response_->keep_alive()) return self->close_gracefully();
    self->response_.reset();
    self->read_request();
  });
}

}  // namespace

void start_http(tcp_socket stream, broker::client_info info, std::shared_ptr<const listener_context> listener,
                beast::flat_buffer buffer) {
  std::make_shared<http_session<tcp_socket>>(std::move(stream), std::move(info), std::move(listener),
                                             std::move(buffer))
      ->start();
}

void start_http(tls_stream stream, broker::client_info info, std::shared_ptr<const listener_context> listener,
                beast::flat_buffer buffer) {
  std::make_shared<http_session<tls_stream>>(std::move(stream), std::move(info), std::move(listener),
                                             std::move(buffer))
      ->start();
}

}  // namespace gridmq::transport
