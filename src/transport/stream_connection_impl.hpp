// The members of stream_connection<Stream>; included by the .cpp files that
// instantiate it (plain_connection.cpp, tls_connection.cpp, ws_connection.cpp).
//
// Design note: one read and at most one write are in flight per connection.
// A read is not re-armed while a write is in flight; it resumes when the
// write completes. So a peer that sends requests but does not read the
// answers stalls its own reading instead of growing our output without bound.
// Plain TCP reads into the worker's shared buffer (worker_read_buffer.hpp)
// once the worker's fd_poller says the socket is readable, so an idle
// connection holds no read buffer and no Asio state;
// rbuf_ then keeps only the tail of a packet cut by a read, sized to it, or a
// packet larger than the shared buffer while it arrives. TLS and WebSocket
// read into rbuf_ (4 KiB, grown to what the next packet needs).
// The idle timer is armed lazily: a completion recomputes the deadline from
// the time of the last received bytes instead of re-arming on every read.
#pragma once

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/logger.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <exception>
#include <new>
#include <span>
#include <utility>

#include "transport/stream_connection.hpp"
#include "transport/streams.hpp"
#include "transport/worker_read_buffer.hpp"

namespace gridmq::transport {
namespace stream_detail {

// A view of a gather vector that Asio copies cheaply (two pointers) into the
// write operation, instead of copying the vector.
struct buffer_view {
  using value_type = asio::const_buffer;
  using const_iterator = const asio::const_buffer*;
  const asio::const_buffer* first;
  const asio::const_buffer* last;
  const_iterator begin() const noexcept { return first; }
  const_iterator end() const noexcept { return last; }
};

inline std::size_t size_of(const broker::outbound_chunk& c) noexcept {
  return c.bytes.size() + (c.payload ? c.payload->size() : 0);
}

// Asio's limit of buffers per scatter/gather system call (its max_buffers).
inline constexpr std::size_t buffers_per_send = 64;
// A write of more buffers is copied into one when it is at most this large;
// the copy buffer is kept between writes up to flatten_keep.
inline constexpr std::size_t flatten_limit = 256 * 1024;
inline constexpr std::size_t flatten_keep = 64 * 1024;

inline bool is_ordinary_close(const error_code& ec) {
  return ec == asio::error::eof || ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == asio::error::shut_down || ec == websocket::error::closed ||
         ec == asio::ssl::error::stream_truncated;
}

// The WebSocket status code (RFC 6455 7.4.1) of a close frame that says why
// the broker ended the connection.
inline std::uint16_t websocket_code(broker::close_reason why) {
  using broker::close_reason;
  switch (why) {
    case close_reason::normal: return 1000;
    case close_reason::going_away: return 1001;
    case close_reason::protocol_error: return 1002;
    case close_reason::policy_violation: return 1008;
    case close_reason::too_big: return 1009;
    case close_reason::internal_error: return 1011;
  }
  return 1000;
}

// 32-bit stamps of a steady time; a difference of two (unsigned, modulo
// 2^32) is right for spans under 49 days (ms) or 71 minutes (us).
inline std::uint32_t stamp_ms(std::chrono::steady_clock::time_point t) noexcept {
  return static_cast<std::uint32_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count());
}
inline std::uint32_t stamp_us(std::chrono::steady_clock::time_point t) noexcept {
  return static_cast<std::uint32_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count());
}

}  // namespace stream_detail


template <class Stream>
stream_connection<Stream>::stream_connection(worker_context& worker, Stream stream, std::string_view peer,
                                             std::shared_ptr<const listener_context> listener)
    : stream_(std::move(stream)), worker_(&worker), listener_(std::move(listener)) {
  if (worker_->peer_name(stream_.native_handle()) != peer) named_peer_ = std::make_unique<const std::string>(peer);
}

template <class Stream>
stream_connection<Stream>::~stream_connection() {
  // Reached with an open port only when the worker was stopped with this
  // connection alive (its pending handlers destroyed unrun, its poller
  // registration dropped): keep the exactly-once on_closed() promise. The
  // count is zero now: a wake() or close() the broker makes from inside
  // on_closed() must not take a reference, so both are marked as requested.
  deadlines().cancel(*this);
  requests_.store(wake_requested | close_requested, std::memory_order_release);
  if (port_) port_->on_closed();
}

template <class Stream>
std::string_view stream_connection<Stream>::peer() const noexcept {
  if (named_peer_) return *named_peer_;
  const std::string_view name = worker_->peer_name(stream_.native_handle());
  return name.empty() ? std::string_view("(disconnected peer)") : name;
}

template <class Stream>
void stream_connection<Stream>::start(broker::client_acceptor& acceptor, broker::client_info info,
                                      std::span<const std::uint8_t> initial) {
  const clock::time_point now = clock::now();
  last_rx_ms_ = stream_detail::stamp_ms(now);
  // The first output (the CONNACK) counts as coming after a quiet gap.
  last_output_us_ = stream_detail::stamp_us(now) - write_pacer::idle_gap_us;
  if (options().no_delay) stream_.set_no_delay();
  try {
    port_ = acceptor.open(*this, std::move(info));
  } catch (const std::exception& e) {
    log().error("{}: the broker refused the connection: {}", peer(), e.what());
  }
  if (!port_) {
    finish();
    return;
  }
  if constexpr (Stream::polled) {
    // Registered once, for the connection's life: the poller keeps it alive
    // until finish() removes it.
    error_code ec;
    if (stream_.native_handle() < 0) ec = asio::error::bad_descriptor;
    // The poller's reference, given back by on_unwatched().
    if (!ec && worker_->poller().add(stream_.native_handle(), *this, ec)) intrusive_ptr_add_ref(this);
    if (ec) {
      fail(ec, "register with the worker's poller");
      return;
    }
    // Bytes that came in with the PROXY header.
    if (!initial.empty() && !deliver(initial)) return;
  } else {
    rbuf_.resize(std::max(options().initial_read_buffer, initial.size()));
    if (!initial.empty()) {
      // Bytes that came in with the PROXY header or the TLS handshake.
      std::memcpy(rbuf_.data(), initial.data(), initial.size());
      rlen_ = static_cast<std::uint32_t>(initial.size());
      if (!deliver({rbuf_.data(), rlen_})) return;
    }
  }
  update_idle_timer();
  flush();
  do_read();
}

template <class Stream>
void stream_connection<Stream>::wake() noexcept {
  if (requests_.fetch_or(wake_requested, std::memory_order_acq_rel) & wake_requested) return;
  // The broker calls wake() and close() only while it holds the sink (until
  // on_closed() returns), and the connection calls on_closed() with a
  // reference of its own held, or from its destructor with both request
  // bits set: so the count is not zero here.
  try {
    asio::post(worker_->get_executor(), [self = self()] {
      // Clear first: a wake() during drain() must post again.
      self->requests_.fetch_and(static_cast<std::uint8_t>(~wake_requested), std::memory_order_acq_rel);
      self->flush();
    });
  } catch (...) {
    requests_.fetch_and(static_cast<std::uint8_t>(~wake_requested), std::memory_order_acq_rel);
  }
}

template <class Stream>
void stream_connection<Stream>::close(broker::close_reason why) noexcept {
  if (requests_.fetch_or(close_requested, std::memory_order_acq_rel) & close_requested) return;
  try {
    asio::post(worker_->get_executor(), [self = self(), why] {
      // A goodbye the transport already chose (a text frame) keeps its code.
      if (!self->closing_) self->close_code_ = static_cast<std::uint8_t>(stream_detail::websocket_code(why) - 1000);
      self->begin_close();
    });
  } catch (...) {
    // Out of memory while posting: the idle or close timer still ends the connection.
  }
}

template <class Stream>
void stream_connection<Stream>::do_read() {
  if (finished_ || read_in_flight_) return;
  // TLS: no read may run beside the close_notify exchange.
  if (Stream::goodbye_kind == goodbye::close_notify && fin_sent_) return;
  if (write_in_flight_) {
    read_paused_ = true;
    return;
  }
  if constexpr (Stream::polled) {
    read_in_flight_ = true;
    // Readable: read on the next turn (not here, so one busy connection
    // cannot starve the others). Else on_ready() reads at the next edge.
    if (readable_) post_read();
  } else {
    if (!reserve_read_space()) return;
    read_in_flight_ = true;
    stream_.read_some(asio::buffer(rbuf_.data() + rlen_, rbuf_.size() - rlen_),
                      [self = self()](const error_code& ec, std::size_t n) { self->on_read(ec, n); });
  }
}

template <class Stream>
void stream_connection<Stream>::post_read() {
  try {
    asio::post(worker_->get_executor(), [self = self()] { self->on_readable({}); });
  } catch (const std::bad_alloc&) {
    // Out of memory: read at the next edge, or end at the idle deadline.
    readable_ = false;
  }
}

// The fd_poller reports an edge: the socket became readable, writable, or
// the peer half-closed or failed.
template <class Stream>
void stream_connection<Stream>::on_ready(std::uint32_t events) {
  if (finished_) return;
  constexpr std::uint32_t ended = EPOLLRDHUP | EPOLLHUP | EPOLLERR;
  if (events & ended) peer_hup_ = true;
  if (events & (EPOLLIN | ended)) {
    // A read waiting for this edge runs now; a posted one is on its way.
    const bool waiting = read_in_flight_ && !readable_;
    readable_ = true;
    if (waiting) on_readable({});
  }
  if (!finished_ && write_waiting_ && (events & (EPOLLOUT | EPOLLHUP | EPOLLERR))) send_some(false);
}

template <class Stream>
bool stream_connection<Stream>::reserve_read_space() {
  const std::size_t initial = options().initial_read_buffer;
  if (closing_) rlen_ = 0;  // input after close() is read only to see the peer's FIN
  if (need_ > options().max_read_buffer) {
    log().warn("{}: next packet needs {} bytes, over the transport limit; closing", peer(), need_);
    finish();
    return false;
  }
  if (rlen_ < rbuf_.size() && need_ <= rbuf_.size()) {
    // Room left. After a large packet, give the memory back once it is gone.
    if (rbuf_.size() > initial && rlen_ <= initial && need_ <= initial) {
      rbuf_.resize(initial);
    }
    return true;
  }
  std::size_t target = need_;
  if (need_ <= rlen_) {
    // Full and no size hint: the broker did not see a length yet. Grow
    // geometrically, but only up to the hard cap.
    target = std::min(rbuf_.size() * 2, options().max_read_buffer);
    if (target <= rlen_) {
      log().warn("{}: read buffer full at {} bytes without a packet; closing", peer(), rlen_);
      finish();
      return false;
    }
  }
  rbuf_.resize(target);
  return true;
}

template <class Stream>
void stream_connection<Stream>::on_read(const error_code& ec, std::size_t n) {
  read_in_flight_ = false;
  if (goodbye_after_read_) {
    goodbye_after_read_ = false;
    if (!finished_) say_goodbye();
    return;
  }
  if (ec) {
    fail(ec, "read");
    return;
  }
  if (finished_) return;
  last_rx_ms_ = stream_detail::stamp_ms(clock::now());
  if constexpr (Stream::goodbye_kind == goodbye::close_frame) {
    // [MQTT-6.0.0-1] MQTT travels in binary frames; anything else closes.
    if (n > 0 && stream_.ws.got_text()) {
      close_code_ = static_cast<std::uint8_t>(websocket::close_code::bad_payload - 1000);
      abort_with_goodbye("WebSocket text frame ([MQTT-6.0.0-1] MQTT needs binary frames)");
      return;
    }
  }
  if (!closing_ && !(requests_.load(std::memory_order_acquire) & close_requested)) {
    rlen_ += static_cast<std::uint32_t>(n);
    if (!deliver({rbuf_.data(), rlen_})) return;
    flush();
  }
  do_read();
}

template <class Stream>
void stream_connection<Stream>::on_readable(const error_code& ec) {
  read_in_flight_ = false;
  if (ec) {
    fail(ec, "read");
    return;
  }
  if (finished_) return;
  if (closing_) {
    // Input after close() is read only to see the peer's FIN.
    rbuf_.clear();
    rlen_ = 0;
    need_ = 0;
  }
  error_code rec;
  const std::span<const std::uint8_t> data = read_ready(rec);
  if (finished_) return;
  if (rec == asio::error::would_block || rec == asio::error::try_again) {
    readable_ = false;
    do_read();  // all read: wait for the next edge
    return;
  }
  if (rec) {
    fail(rec, "read");
    return;
  }
  last_rx_ms_ = stream_detail::stamp_ms(clock::now());
  if (!closing_ && !(requests_.load(std::memory_order_acquire) & close_requested)) {
    if (!deliver(data)) return;
    flush();
  }
  do_read();
}

template <class Stream>
std::span<const std::uint8_t> stream_connection<Stream>::read_ready(error_code& ec) {
  if constexpr (!Stream::polled) {
    ec = asio::error::operation_not_supported;  // never called: these streams use on_read()
    return {};
  } else {
    std::span<std::uint8_t> into;
    const std::span<std::uint8_t> shared = worker_->read_buffer().bytes();
    if (need_ <= shared.size() && need_ <= options().max_read_buffer && rlen_ < shared.size()) {
      // The usual case: the tail of the last read (if any) goes first, the
      // new bytes land behind it, all in the worker's buffer.
      if (rlen_ > 0) std::memcpy(shared.data(), rbuf_.data(), rlen_);
      into = shared;
    } else {
      // A packet larger than the shared buffer assembles in rbuf_, sized to
      // it (never past the limit reserve_read_space() enforces).
      if (!reserve_read_space()) return {};
      into = rbuf_;
    }
    const std::size_t room = into.size() - rlen_;
    const std::size_t n = stream_.read_now(asio::buffer(into.data() + rlen_, room), ec);
    // A short read emptied the socket: the next bytes bring a new edge. After
    // the peer's FIN no edge follows, so read on until EOF says so.
    if (!ec && n < room && !peer_hup_) readable_ = false;
    return into.first(rlen_ + n);
  }
}

template <class Stream>
bool stream_connection<Stream>::deliver(std::span<const std::uint8_t> data) {
  const broker::data_result r = port_->on_data(data);
  if (r.consumed > data.size()) {
    log().error("{}: broker consumed {} of {} buffered bytes; closing", peer(), r.consumed, data.size());
    finish();
    return false;
  }
  const std::span<const std::uint8_t> rest = data.subspan(r.consumed);
  if (data.data() == rbuf_.data()) {
    // Compact: the partial packet at the tail moves to the front.
    if (r.consumed > 0) std::memmove(rbuf_.data(), rest.data(), rest.size());
    rlen_ = static_cast<std::uint32_t>(rest.size());
    if constexpr (Stream::polled) {
      if (rlen_ == 0) rbuf_.clear();  // a large packet is gone
    }
  } else {
    keep_tail(rest);
  }
  // Saturate: anything past 32 bits is over every limit and fails the check in reserve_read_space().
  need_ = static_cast<std::uint32_t>(std::min<std::size_t>(r.need, UINT32_MAX));
  update_idle_timer();
  return true;
}

// Keeps the bytes the broker left in the shared buffer (the start of a
// packet cut by the read) in a buffer of the connection's own, sized to them.
template <class Stream>
void stream_connection<Stream>::keep_tail(std::span<const std::uint8_t> rest) {
  rlen_ = static_cast<std::uint32_t>(rest.size());
  if (rest.empty()) {
    rbuf_.clear();
    return;
  }
  // The buffer of the last tail is reused when it fits without much waste.
  if (rbuf_.size() < rest.size() || rbuf_.size() > 2 * rest.size() + 64) {
    rbuf_.clear();  // no copy of the old tail: it is in the shared buffer's front
    rbuf_.resize(rest.size());
  }
  std::memcpy(rbuf_.data(), rest.data(), rest.size());
}

template <class Stream>
void stream_connection<Stream>::flush() {
  if (finished_ || write_in_flight_ || fin_sent_) return;
  if (hold_output()) return;
  write_out();
}

template <class Stream>
typename stream_connection<Stream>::output_state& stream_connection<Stream>::output() {
  if (!out_) out_ = std::make_unique<output_state>();
  return *out_;
}

// Moves the port's queued output behind what `writing` holds; makes out_
// only when there is some, so a flush with nothing to say allocates nothing.
template <class Stream>
std::size_t stream_connection<Stream>::drain_output() {
  if (out_) {
    const std::size_t before = out_->writing.size();
    port_->drain(out_->writing);
    return out_->writing.size() - before;
  }
  std::vector<broker::outbound_chunk>& scratch = worker_->drain_scratch();
  port_->drain(scratch);
  if (scratch.empty()) return 0;
  output().writing.swap(scratch);  // scratch gets the new state's empty list
  return out_->writing.size();
}

template <class Stream>
bool stream_connection<Stream>::hold_output() {
  const auto pace = options().write_pacing;
  if (pace.count() == 0 || closing_) return false;
  const std::size_t before = out_ ? out_->writing.size() : 0;
  // Nothing new: what is held keeps waiting for the pacer.
  if (drain_output() == 0) return write_deferred_;
  output_state& out = *out_;
  for (std::size_t i = before; i < out.writing.size(); ++i) {
    out.held_bytes += static_cast<std::uint32_t>(stream_detail::size_of(out.writing[i]));
  }
  const auto now = clock::now();
  if (!streaming(now)) return false;
  if (out.held_bytes >= write_pacer::full_write || now >= out.last_write + pace) return false;
  if (!write_deferred_) {
    write_deferred_ = true;
    worker_->pacer().defer(worker_->get_executor(), self(), out.last_write + pace);
  }
  return true;
}

template <class Stream>
bool stream_connection<Stream>::streaming(clock::time_point now) {
  // A moving average of the time between bursts of output: a reply or a
  // message at a low rate leaves at once, a stream waits to leave together.
  output_state& out = *out_;
  const std::uint32_t stamp = stream_detail::stamp_us(now);
  const std::uint32_t gap = stamp - last_output_us_;
  last_output_us_ = stamp;
  const std::uint32_t clamped = std::min<std::uint32_t>(gap, write_pacer::idle_gap_us);
  out.gap_average_us = out.gap_average_us - out.gap_average_us / 8 + clamped / 8;
  out.quiet = clamped >= write_pacer::quiet_gap_us;
  return out.gap_average_us < write_pacer::stream_gap_us;
}

template <class Stream>
void stream_connection<Stream>::paced_flush() {
  write_deferred_ = false;
  if (finished_ || write_in_flight_ || fin_sent_) return;
  write_out();
}

template <class Stream>
void stream_connection<Stream>::write_out() {
  drain_output();
  if (!out_) {
    if (closing_) send_fin();
    return;
  }
  output_state& out = *out_;
  // Unpaced, the gap is measured here, for the quiet test of on_write().
  if (options().write_pacing.count() == 0) (void)streaming(clock::now());
  out.gather.clear();
  std::size_t total = 0;
  for (const auto& chunk : out.writing) {
    if (!chunk.bytes.empty()) out.gather.emplace_back(chunk.bytes.data(), chunk.bytes.size());
    if (chunk.payload && !chunk.payload->empty()) out.gather.emplace_back(chunk.payload->data(), chunk.payload->size());
    total += stream_detail::size_of(chunk);
  }
  if (out.gather.size() > stream_detail::buffers_per_send && total <= stream_detail::flatten_limit) flatten(total);
  if (out.gather.empty()) {
    out.writing.clear();
    if (out.quiet) out_.reset();  // nothing to write and output is rare: keep no lists
    if (closing_) send_fin();
    return;
  }
  write_in_flight_ = true;
  out.held_bytes = 0;
  if (options().write_pacing.count() != 0) {
    out.last_write = clock::now();
    // Asio writes at most 64 buffers per sendmsg; without Nagle each call
    // would leave as a segment of its own. Corked, the write leaves whole.
    if (out.gather.size() > stream_detail::buffers_per_send) set_cork(true);
  }
  if constexpr (Stream::polled) {
    out.sent = 0;
    send_some(true);
  } else {
    stream_.write(stream_detail::buffer_view{out.gather.data(), out.gather.data() + out.gather.size()},
                  [self = self()](const error_code& ec, std::size_t) { self->on_write(ec); });
  }
}

// Polled streams: writes what the socket takes; the rest waits for EPOLLOUT
// (on_ready). `initiating`: called from write_out(), so on_write() is posted,
// never run inside the caller (as with Asio's handlers).
template <class Stream>
void stream_connection<Stream>::send_some(bool initiating) {
  if constexpr (Stream::polled) {
    error_code ec;
    write_waiting_ = !stream_.send_now(out_->gather, out_->sent, ec);
    if (write_waiting_) return;
    if (!initiating) {
      on_write(ec);
      return;
    }
    try {
      asio::post(worker_->get_executor(), [self = self(), ec] { self->on_write(ec); });
    } catch (const std::bad_alloc&) {
      finish();  // out of memory: the write cannot complete
    }
  } else {
    (void)initiating;
  }
}

template <class Stream>
void stream_connection<Stream>::flatten(std::size_t total) {
  // Many small packets: one copy into one buffer costs less than a system
  // call per 64 of them.
  output_state& out = *out_;
  out.flat.resize(total);
  std::uint8_t* at = out.flat.data();
  for (const auto& b : out.gather) {
    std::memcpy(at, b.data(), b.size());
    at += b.size();
  }
  out.gather.assign(1, asio::const_buffer(out.flat.data(), out.flat.size()));
}

template <class Stream>
void stream_connection<Stream>::set_cork(bool on) {
  const int value = on ? 1 : 0;
  // Best effort: without the option the write still happens, in more segments.
  (void)::setsockopt(stream_.native_handle(), IPPROTO_TCP, TCP_CORK, &value, sizeof value);
  corked_ = on;
}

template <class Stream>
void stream_connection<Stream>::on_write(const error_code& ec) {
  if (corked_) set_cork(false);
  write_in_flight_ = false;
  if (out_) {
    output_state& out = *out_;
    out.writing.clear();
    out.gather.clear();
    if (out.quiet || out.writing.capacity() > 1024) {
      // Output comes seldom (an idle client's CONNACK or PINGRESP), or a
      // burst is over: do not keep the write's bookkeeping for the
      // connection's life.
      out_.reset();
    } else if (out.flat.capacity() > stream_detail::flatten_keep) {
      std::vector<std::uint8_t>().swap(out.flat);
    }
  }
  if (ec) {
    fail(ec, "write");
    return;
  }
  // Resume reading before writing more, so a steady stream of output cannot
  // starve the input (PINGREQ, acknowledgements).
  if (read_paused_) {
    read_paused_ = false;
    do_read();
  }
  flush();
}

template <class Stream>
void stream_connection<Stream>::begin_close() {
  if (finished_ || closing_) return;
  closing_ = true;
  arm_timer(clock::now() + options().close_timeout);
  flush();
  do_read();
}

template <class Stream>
void stream_connection<Stream>::send_fin() {
  // All output is written, so the broker is done with this connection: tell
  // it before the peer can see our goodbye, or a client that reconnects as
  // soon as it sees it could reach the broker (on another worker) while its
  // old connection still counts as open.
  release_port();
  fin_sent_ = true;
  if constexpr (Stream::goodbye_kind == goodbye::close_notify) {
    // Asio's SSL stream allows no read beside the shutdown: cancel the read
    // in flight and send close_notify when it has returned.
    if (read_in_flight_) {
      goodbye_after_read_ = true;
      error_code ignored;
      stream_.lowest().cancel(ignored);
      return;
    }
  }
  say_goodbye();
}

template <class Stream>
void stream_connection<Stream>::say_goodbye() {
  if constexpr (Stream::goodbye_kind == goodbye::fin) {
    // Half-close and keep reading until the peer's FIN: closing with unread
    // input would send RST, which can make the peer drop the last packets we
    // wrote (a DISCONNECT with its reason code).
    error_code ec;
    stream_.shutdown_send(ec);
    if (ec) fail(ec, "shutdown");
  } else if constexpr (Stream::goodbye_kind == goodbye::close_notify) {
    stream_.say_goodbye([self = self()](const error_code&) { self->finish(); });
  } else {
    // The close frame carries a status code; Beast then waits for the peer's
    // close frame and tears the TCP (or TLS) stream down. A read in flight
    // ends with websocket::error::closed.
    stream_.say_goodbye(static_cast<websocket::close_code>(1000 + close_code_),
                        [self = self()](const error_code&) { self->finish(); });
  }
}

// The transport itself ends the connection (a rule of the transport was
// broken): the broker learns it now, the peer gets a goodbye.
template <class Stream>
void stream_connection<Stream>::abort_with_goodbye(const char* why) {
  log().info("{}: {}; closing", peer(), why);
  if (closing_ || fin_sent_) return;
  closing_ = true;
  arm_timer(clock::now() + options().close_timeout);
  send_fin();
}

template <class Stream>
void stream_connection<Stream>::update_idle_timer() {
  if (closing_ || finished_) return;
  const std::chrono::milliseconds t = port_->idle_timeout();
  // Saturate: a longer timeout (days) than 32 bits of milliseconds is none.
  const auto ms = static_cast<std::uint32_t>(std::clamp<std::int64_t>(t.count(), 0, UINT32_MAX));
  if (ms == idle_ms_) return;  // the pending wait re-checks last_rx_ms_ when it fires
  idle_ms_ = ms;
  if (ms == 0) {
    deadlines().cancel(*this);
    return;
  }
  arm_timer(last_rx(clock::now()) + std::chrono::milliseconds(ms));
}

template <class Stream>
typename stream_connection<Stream>::clock::time_point stream_connection<Stream>::last_rx(
    clock::time_point now) const noexcept {
  const std::uint32_t ago = stream_detail::stamp_ms(now) - last_rx_ms_;
  return now - std::chrono::milliseconds(ago) + std::chrono::milliseconds(1);
}

template <class Stream>
void stream_connection<Stream>::arm_timer(clock::time_point deadline) {
  deadlines().set(*this, deadline);
}

template <class Stream>
void stream_connection<Stream>::on_deadline() {
  if (finished_) return;
  const ptr keep = self();  // alive until this returns, whatever it closes
  if (closing_) {
    log().debug("{}: output not flushed within {} ms of close; closing hard", peer(),
               options().close_timeout.count());
    finish();
    return;
  }
  if (idle_ms_ == 0) return;
  const std::chrono::milliseconds idle(idle_ms_);
  const clock::time_point now = clock::now();
  const clock::time_point deadline = last_rx(now) + idle;
  if (now < deadline) {
    arm_timer(deadline);
    return;
  }
  port_->on_idle_timeout();  // the broker queues its goodbye and calls close()
  flush();
  if (!closing_) arm_timer(now + idle);  // watch on if the broker keeps the connection
}

template <class Stream>
void stream_connection<Stream>::fail(const error_code& ec, const char* what) {
  if (finished_) return;
  if (stream_detail::is_ordinary_close(ec)) {
    // Checked first: naming the peer may cost a getpeername() call.
    if (log().should_log(spdlog::level::debug)) log().debug("{}: {}: {}", peer(), what, ec.message());
  } else {
    log().info("{}: {} failed: {}", peer(), what, ec.message());
  }
  finish();
}

template <class Stream>
void stream_connection<Stream>::finish() {
  if (finished_) return;
  finished_ = true;
  deadlines().cancel(*this);
  // The broker first, while peer() can still name the socket.
  release_port();
  if constexpr (Stream::polled) worker_->poller().remove(stream_.native_handle(), *this);
  stream_.close();
}

template <class Stream>
void stream_connection<Stream>::release_port() {
  if (!port_) return;
  // Move out first: on_closed() may call back into this object (wake, close).
  auto port = std::move(port_);
  port->on_closed();
}

}  // namespace gridmq::transport
