#include "http/broker_client.hpp"

#include <span>
#include <vector>

#include "http/base64.hpp"
#include "http/publish_request.hpp"

namespace gridmq::http {

broker_client::~broker_client() {
  if (port_) port_->on_closed();
}

bool broker_client::start(broker::client_acceptor& acceptor, const std::string& client_id) {
  broker::client_info info = x_->client();
  port_ = acceptor.open(*this, std::move(info));
  if (!port_) return false;
  self_ = shared_from_this();
  // HTTP Basic credentials become the CONNECT's username and password, so
  // [[auth.users]] applies to HTTP publishers too.
  std::optional<std::string> user, pass;
  if (const std::string* auth = x_->req().header("authorization"); auth && auth->rfind("Basic ", 0) == 0) {
    if (auto decoded = base64_decode(std::string_view(*auth).substr(6))) {
      const auto colon = decoded->find(':');
      user = decoded->substr(0, colon);
      if (colon != std::string::npos) pass = decoded->substr(colon + 1);
    }
  }
  send(wire::connect(client_id, user, pass));
  return true;
}

void broker_client::wake() noexcept {
  try {
    x_->post([weak = weak_from_this()] {
      if (auto s = weak.lock()) s->pump();
    });
  } catch (...) {
  }
}

void broker_client::close(broker::close_reason) noexcept {
  try {
    x_->post([weak = weak_from_this()] {
      auto s = weak.lock();
      if (!s || !s->port_) return;
      s->pump();
      if (!s->port_) return;
      s->release();
      s->on_gone();
      s->self_.reset();
    });
  } catch (...) {
  }
}

void broker_client::send(const std::string& bytes) {
  if (!port_) return;
  const auto* data = reinterpret_cast<const std::uint8_t*>(bytes.data());
  port_->on_data(std::span<const std::uint8_t>(data, bytes.size()));
  pump();
}

void broker_client::pump() {
  if (!port_) return;
  const auto keep = shared_from_this();  // on_packet() may finish() and drop the self reference
  std::vector<broker::outbound_chunk> out;
  port_->drain(out);
  for (const auto& c : out) {
    in_ += c.bytes;
    if (c.payload) in_ += *c.payload;
  }
  while (port_) {
    const auto r = wire::cut(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(in_.data()), in_.size()));
    if (r.st == wire::cut_status::incomplete) return;
    if (r.st == wire::cut_status::malformed) {
      respond({500, {}, error_body({500, {}, "unexpected answer from the broker"})});
      finish();
      return;
    }
    in_.erase(0, r.length);
    on_packet(r.p);
  }
}

void broker_client::finish() {
  if (!port_) return;
  send(wire::disconnect());
  release();
  self_.reset();  // may destroy this object: nothing may follow
}

void broker_client::release() {
  auto port = std::move(port_);
  if (port) port->on_closed();
}

void broker_client::respond(response r) {
  if (responded_) return;
  responded_ = true;
  x_->respond(std::move(r));
}

}  // namespace gridmq::http
