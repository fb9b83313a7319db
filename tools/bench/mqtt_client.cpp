// mqtt_client: sockets, connect, buffers. The protocol side is in
// client_packets.cpp.
#include "mqtt_client.hpp"

#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "proc_stats.hpp"

namespace gridmq::bench {

namespace {
// More than this many error lines in one run would drown the summary.
constexpr std::uint64_t max_printed_messages = 10;
constexpr std::uint32_t read_events = EPOLLIN | EPOLLRDHUP;
constexpr int quick_ack_on = 1;
}  // namespace

mqtt_client::mqtt_client(client_spec spec, const client_settings& settings, traffic_counters& counters,
                         event_loop& loop, std::span<std::uint8_t> scratch)
    : spec_(std::move(spec)), settings_(settings), counters_(counters), loop_(loop), scratch_(scratch) {
  if (spec_.role == client_role::publisher) {
    template_ = make_publish_template(spec_.topic, spec_.qos_level, settings_.payload_size, settings_.version);
  }
  window_ = settings_.inflight;
}

mqtt_client::~mqtt_client() { abort(); }

bool mqtt_client::start(const sockaddr_in& server, const sockaddr_in* source, std::uint64_t now_ns) {
  connect_started_ns_ = now_ns;
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) {
    fail(std::string("socket: ") + std::strerror(errno));
    return false;
  }
  const int one = 1;
  if (settings_.no_delay) setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (source != nullptr) {
    // Let connect() pick the port for the whole 4-tuple: many source
    // addresses then give many more connections than one port range.
    setsockopt(fd_, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    if (::bind(fd_, reinterpret_cast<const sockaddr*>(source), sizeof *source) != 0) {
      fail(std::string("bind: ") + std::strerror(errno));
      return false;
    }
  }
  state_ = state::connecting;
  if (!loop_.add(fd_, read_events | EPOLLOUT, this)) {
    fail(std::string("epoll_ctl: ") + std::strerror(errno));
    return false;
  }
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&server), sizeof server) == 0) {
    on_tcp_connected();
  } else if (errno != EINPROGRESS) {
    fail(std::string("connect: ") + std::strerror(errno));
    return false;
  }
  return state_ != state::failed;
}

void mqtt_client::on_tcp_connected() {
  tcp_up_ = true;
  if (settings_.tls == nullptr) {
    on_connected();
    return;
  }
  tls_ = std::make_unique<tls_link>(*settings_.tls, fd_);
  continue_handshake();
}

void mqtt_client::continue_handshake() {
  switch (tls_->handshake()) {
    case tls_link::step::done:
      on_connected();
      return;
    case tls_link::step::again:
      loop_.modify(fd_, read_events | (tls_->wants_write() ? EPOLLOUT : 0u), this);
      return;
    case tls_link::step::failed:
      fail("TLS handshake: " + tls_->error());
      return;
  }
}

void mqtt_client::on_connected() {
  loop_.modify(fd_, read_events, this);
  protocol::connect c;
  c.version = settings_.version;
  c.clean_start = spec_.clean_start;
  c.keep_alive = settings_.keep_alive;
  c.client_id = spec_.client_id;
  if (settings_.version == protocol::protocol_version::v5 && spec_.session_expiry > 0) {
    c.props.session_expiry_interval = spec_.session_expiry;
  }
  protocol::encode(protocol::packet{std::move(c)}, settings_.version, out_);
  state_ = state::awaiting_connack;
  flush();
}

void mqtt_client::on_event(std::uint32_t events) {
  if (fd_ < 0) return;
  if (state_ == state::connecting && tcp_up_) {
    continue_handshake();
    return;
  }
  if (state_ == state::connecting) {
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
      fail(std::string("connect: ") + std::strerror(err));
      return;
    }
    if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) == 0) return;
    on_tcp_connected();
    return;
  }
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) on_readable();
  if (fd_ >= 0 && (events & EPOLLOUT)) on_writable();
}

void mqtt_client::on_readable() {
  // A few reads per wake-up: enough to drain a full socket buffer, few
  // enough that one busy connection does not starve the others.
  // TLS hands over one record (16 KiB at most) per read: more rounds.
  const int rounds = tls_ ? 16 : 4;
  for (int round = 0; round < rounds && fd_ >= 0; ++round) {
    // The tail of a packet cut by the previous read goes in front of the
    // new bytes, in the shared buffer, unless it is too big for that.
    const std::size_t kept = partial_.size() <= scratch_.size() / 2 ? partial_.size() : 0;
    if (kept > 0) {
      std::memcpy(scratch_.data(), partial_.data(), kept);
      partial_.clear();
    }
    const ssize_t n = receive(scratch_.data() + kept, scratch_.size() - kept);
    if (n <= 0) {
      if (kept > 0) partial_.assign(scratch_.data(), scratch_.data() + kept);
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
      if (n < 0) {
        fail(tls_ && !tls_->error().empty() ? tls_->error() : std::string("recv: ") + std::strerror(errno));
      } else if (state_ == state::closing) {
        finish(state::closed);
      } else {
        fail("connection closed by the broker");
      }
      return;
    }
    // Optional (--quick-ack): acknowledge at once instead of letting the
    // kernel delay ACKs. Linux leaves quick-ack mode by itself, so it is set
    // again after every read. Off by default: the brokers were measured
    // with ordinary clients, and quick ACKs cost the broker CPU.
    if (settings_.quick_ack) setsockopt(fd_, IPPROTO_TCP, TCP_QUICKACK, &quick_ack_on, sizeof quick_ack_on);
    const std::uint64_t now = monotonic_ns();
    const auto got = std::span<const std::uint8_t>(scratch_.data(), kept + static_cast<std::size_t>(n));
    if (partial_.empty()) {
      consume(got, now);
    } else {
      // A packet larger than half the shared buffer: grow it in its own buffer.
      partial_.insert(partial_.end(), got.begin(), got.end());
      std::vector<std::uint8_t> joined;
      joined.swap(partial_);
      consume(joined, now);
    }
    if (fd_ >= 0 && !out_.empty() && !write_blocked_) flush();
    if (!tls_ && kept + static_cast<std::size_t>(n) < scratch_.size()) return;
  }
}

ssize_t mqtt_client::receive(void* buf, std::size_t len) {
  if (tls_) return tls_->read(buf, len);
  return ::recv(fd_, buf, len, 0);
}

ssize_t mqtt_client::transmit(const void* buf, std::size_t len) {
  if (tls_) return tls_->write(buf, len);
  return ::send(fd_, buf, len, MSG_NOSIGNAL);
}

void mqtt_client::on_writable() {
  flush();
}

void mqtt_client::flush() {
  while (fd_ >= 0 && out_pos_ < out_.size()) {
    const ssize_t n = transmit(out_.data() + out_pos_, out_.size() - out_pos_);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        set_write_interest(true);
        return;
      }
      fail(tls_ && !tls_->error().empty() ? tls_->error() : std::string("send: ") + std::strerror(errno));
      return;
    }
    out_pos_ += static_cast<std::size_t>(n);
  }
  out_.clear();
  out_pos_ = 0;
  set_write_interest(false);
}

void mqtt_client::set_write_interest(bool on) {
  if (on == write_blocked_ || fd_ < 0) return;
  write_blocked_ = on;
  loop_.modify(fd_, on ? (read_events | EPOLLOUT) : read_events, this);
}

std::size_t mqtt_client::window_room() const noexcept {
  if (spec_.qos_level == protocol::qos::at_most_once) return SIZE_MAX;
  return inflight_ >= window_ ? 0 : static_cast<std::size_t>(window_ - inflight_);
}

std::size_t mqtt_client::publish(std::size_t max_messages, std::uint64_t now_ns) {
  if (!can_publish()) return 0;
  const std::size_t n = std::min(max_messages, window_room());
  const std::size_t size = template_.bytes.size();
  const bool stamped = template_.payload_size >= stamp_size;
  std::size_t at = out_.size();
  out_.resize(at + n * size);
  char* base = out_.data();
  for (std::size_t i = 0; i < n; ++i, at += size) {
    std::memcpy(base + at, template_.bytes.data(), size);
    if (template_.id_offset != 0) {
      base[at + template_.id_offset] = static_cast<char>(next_id_ >> 8);
      base[at + template_.id_offset + 1] = static_cast<char>(next_id_ & 0xFF);
      next_id_ = static_cast<std::uint16_t>(next_id_ == 0xFFFF ? 1 : next_id_ + 1);  // 0 is not a packet id
    }
    if (stamped) write_stamp(reinterpret_cast<std::uint8_t*>(base + at + template_.payload_offset), now_ns, seq_);
    ++seq_;
  }
  if (spec_.qos_level != protocol::qos::at_most_once) inflight_ += n;
  counters_.published += n;
  flush();
  return n;
}

void mqtt_client::subscribe() {
  if (state_ != state::ready) return;
  protocol::subscribe s;
  s.packet_id = 1;
  s.topics.push_back({spec_.topic, {spec_.qos_level}});
  protocol::encode(protocol::packet{std::move(s)}, settings_.version, out_);
  state_ = state::subscribing;
  flush();
}

void mqtt_client::ping() {
  if (state_ != state::ready) return;
  out_.append("\xC0\x00", 2);
  if (!write_blocked_) flush();
}

void mqtt_client::disconnect() {
  if (fd_ < 0) return;
  if (state_ != state::ready && state_ != state::subscribing) {
    finish(state::closed);
    return;
  }
  out_.append("\xE0\x00", 2);
  state_ = state::closing;
  flush();
  if (fd_ >= 0 && tls_) tls_->close_notify();
  if (fd_ >= 0) ::shutdown(fd_, SHUT_WR);
}

void mqtt_client::abort() noexcept {
  if (fd_ >= 0) {
    loop_.remove(fd_);
    tls_.reset();
    ::close(fd_);
    fd_ = -1;
  }
}

void mqtt_client::finish(state final_state) {
  if (final_state == state::closed) ++counters_.closed;
  state_ = final_state;
  abort();
}

void mqtt_client::fail(const std::string& why) {
  // After our DISCONNECT the broker may close while acks are still going
  // out: that is the end we asked for, not an error.
  if (state_ == state::closing) {
    finish(state::closed);
    return;
  }
  const bool before_connack = state_ == state::idle || state_ == state::connecting || state_ == state::awaiting_connack;
  if (before_connack) {
    ++counters_.connect_failed;
  } else {
    ++counters_.lost;
  }
  report(why);
  state_ = state::failed;
  abort();
}

void mqtt_client::report(const std::string& what) {
  if (counters_.messages_printed++ < max_printed_messages) {
    std::fprintf(stderr, "gridmq-bench: %s: %s\n", spec_.client_id.c_str(), what.c_str());
  } else if (counters_.messages_printed == max_printed_messages + 1) {
    std::fprintf(stderr, "gridmq-bench: (more client errors not shown)\n");
  }
}

}  // namespace gridmq::bench
