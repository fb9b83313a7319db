// One accepted MQTT connection over a byte stream (TCP, TLS, WebSocket or
// WebSocket over TLS): moves bytes between the stream and the broker's
// client_port. `Stream` is one of the adaptors in streams.hpp; the code path
// is the same for all of them except the goodbye (see streams.hpp).
//
// Lifecycle: created on its worker once the transport's handshakes are done;
// start() opens the port (handing it any bytes read during the handshakes)
// and begins reading. It lives (an intrusive count) as long as an operation
// of its own is pending or, plain TCP, as long as it is in its worker's
// fd_poller. The port is released exactly once: by finish() (peer
// EOF, I/O error, hard close) or, after close(), as soon as the queued output
// is written and before the goodbye (FIN, TLS close_notify, WebSocket close
// frame); the stream then lingers until the peer answers or the close
// timeout. If the worker is stopped with the connection still open, the
// destructor calls on_closed().
//
// Threads: everything runs on the worker's io_context (one thread, so no
// locks) except wake() and close(), which any thread may call: they only set
// an atomic flag and post once to the worker.
//
// Limits: plain TCP reads into the worker's shared buffer and keeps only a
// cut packet's tail; a read buffer of the connection's own never grows past
// what the broker says the next packet needs; at most one write is in flight, carrying all output the
// port had queued as one gather write.
//
// Include only from transport/ .cpp files; the template's members are in
// stream_connection_impl.hpp and instantiated once per stream type.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "broker/client_port.hpp"
#include "transport/asio.hpp"
#include "transport/byte_buffer.hpp"
#include "transport/connection_options.hpp"
#include "transport/listener_context.hpp"
#include "transport/deadline_queue.hpp"
#include "transport/fd_poller.hpp"
#include "transport/worker_context.hpp"
#include "transport/write_pacer.hpp"

#include <boost/smart_ptr/intrusive_ptr.hpp>

namespace spdlog {
class logger;
}

namespace gridmq::transport {

template <class Stream>
class stream_connection final : public broker::connection_sink, public timed_object, public fd_watcher {
 public:
  // Counted intrusively (the count is a member), not by make_shared: an idle
  // connection is one 128-byte block, no control block and no weak pointer.
  using ptr = boost::intrusive_ptr<stream_connection>;
  friend void intrusive_ptr_add_ref(stream_connection* c) noexcept {
    c->refs_.fetch_add(1, std::memory_order_relaxed);
  }
  friend void intrusive_ptr_release(stream_connection* c) noexcept {
    if (c->refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete c;
  }

  // `peer` names the connection in log lines (kept only if the socket's
  // peer address names it otherwise, e.g. behind the PROXY protocol);
  // `listener` gives the connection_options and the logger (kept alive as
  // long as the connection).
  stream_connection(worker_context& worker, Stream stream, std::string_view peer,
                    std::shared_ptr<const listener_context> listener);
  ~stream_connection() override;
  stream_connection(const stream_connection&) = delete;
  stream_connection& operator=(const stream_connection&) = delete;

  // On the connection's worker: opens the broker port (which keeps `info`),
  // offers it `initial` (bytes that arrived with the handshakes), and starts
  // reading.
  void start(broker::client_acceptor& acceptor, broker::client_info info,
             std::span<const std::uint8_t> initial = {});

  void wake() noexcept override;
  void close(broker::close_reason why) noexcept override;
  std::string_view peer() const noexcept override;
  // Called by the worker's write_pacer when a held write may leave.
  void paced_flush();

 private:
  using clock = std::chrono::steady_clock;

  // The write lists and the pacing state: made when output first comes,
  // kept while output is frequent, freed after a write that followed a
  // quiet gap (write_pacer::quiet_gap_us), so an idle connection holds none.
  struct output_state {
    std::vector<broker::outbound_chunk> writing;  // alive until the write completes
    std::vector<asio::const_buffer> gather;
    std::vector<std::uint8_t> flat;  // a write of many small packets, copied into one buffer
    clock::time_point last_write{};   // with write pacing: when the last write began
    std::uint32_t held_bytes = 0;     // output held in `writing` while streaming
    std::uint32_t gap_average_us = write_pacer::idle_gap_us;  // the average time between outputs
    std::uint32_t sent = 0;  // polled streams: gather entries fully written
    bool quiet = true;       // the last output came after a quiet gap
  };

  // What a pending operation holds.
  ptr self() noexcept { return ptr(this); }
  void on_unwatched() noexcept override { intrusive_ptr_release(this); }

  void do_read();
  void post_read();
  void on_read(const error_code& ec, std::size_t n);
  void on_readable(const error_code& ec);
  void on_ready(std::uint32_t events) override;
  std::span<const std::uint8_t> read_ready(error_code& ec);
  bool deliver(std::span<const std::uint8_t> data);
  void keep_tail(std::span<const std::uint8_t> rest);
  bool reserve_read_space();
  void flush();
  output_state& output();
  std::size_t drain_output();
  // With write pacing: true if the output is held (in `writing`) for the
  // pacer, which calls paced_flush() when the interval is up.
  bool hold_output();
  bool streaming(clock::time_point now);
  // When bytes last arrived, rebuilt from last_rx_ms_ (rounded up: an idle
  // deadline computed from it is never early).
  clock::time_point last_rx(clock::time_point now) const noexcept;
  void write_out();
  void send_some(bool initiating);
  void set_cork(bool on);
  void flatten(std::size_t total);
  void on_write(const error_code& ec);
  void begin_close();
  void send_fin();
  void say_goodbye();
  void abort_with_goodbye(const char* why);
  void update_idle_timer();
  void arm_timer(clock::time_point deadline);
  void on_deadline() override;
  void fail(const error_code& ec, const char* what);
  void finish();
  void release_port();

  const connection_options& options() const noexcept { return listener_->options.connection; }
  spdlog::logger& log() const noexcept { return listener_->log; }
  deadline_queue& deadlines() const noexcept { return worker_->deadlines(); }

  Stream stream_;  // first: plain TCP's fd fills the last base's padding
  std::atomic<std::uint32_t> refs_{0};  // the intrusive count (ptr)
  std::uint32_t idle_ms_ = 0;  // 0: no idle timeout
  worker_context* worker_;  // immutable: wake() and close() read its executor from other threads
  std::shared_ptr<const listener_context> listener_;  // options and logger, one copy per listener
  std::unique_ptr<broker::client_port> port_;
  // Only when the socket's peer address does not name the client (PROXY
  // protocol, a scoped IPv6 address): else peer() derives it from the fd.
  std::unique_ptr<const std::string> named_peer_;

  // TLS, WebSocket: the read buffer. Plain TCP: only the tail of a packet
  // cut by a read (or a packet larger than the shared buffer), else empty.
  // The members are ordered so that the object is 128 bytes, one of
  // mimalloc's size classes (connection_size_test): no_unique_address lets
  // rlen_ use the buffer's 4 bytes of tail padding.
  [[no_unique_address]] byte_buffer rbuf_;
  // 32 bits suffice: the largest MQTT packet is 268,435,460 bytes.
  std::uint32_t rlen_ = 0;   // bytes in rbuf_ not yet consumed by the port
  std::unique_ptr<output_state> out_;
  // Two clocks in 32 bits each, compared by wrap-around differences
  // (stream_detail::stamp_ms / stamp_us): when bytes last arrived (ms; an
  // idle deadline is at most 27 hours away) and when output last became
  // ready (us; the pacer looks at gaps up to 10 ms). The output stamp lives
  // here, not in out_, so that it survives out_ being freed: a new
  // output_state must know whether the output before it was recent, or a
  // stream would look quiet at every write and never be paced.
  std::uint32_t last_rx_ms_ = 0;
  std::uint32_t last_output_us_ = 0;
  std::uint32_t need_ = 0;   // the port's size hint for the next packet
  // WebSocket status code of our close frame (RFC 6455 7.4.1), minus 1000:
  // every code the broker sends is 1000-1011.
  std::uint8_t close_code_ = 0;
  // The flags last, together, as bits of one word.
  bool write_in_flight_ : 1 = false;
  bool write_deferred_ : 1 = false;     // waiting in the worker's write_pacer
  bool corked_ : 1 = false;             // TCP_CORK set for the write in flight
  bool read_in_flight_ : 1 = false;     // polled: a read waits for readiness (or is posted)
  bool read_paused_ : 1 = false;  // a read waits for the write in flight to finish
  bool closing_ : 1 = false;                // close() seen on the worker: flush, then finish
  bool fin_sent_ : 1 = false;               // output flushed and the port released: saying goodbye
  bool goodbye_after_read_ : 1 = false;     // TLS: close_notify once the cancelled read returns
  bool finished_ : 1 = false;
  bool readable_ : 1 = false;        // polled: input may be waiting (an edge not yet read to the end)
  bool peer_hup_ : 1 = false;        // polled: the peer half-closed or failed: read to the end
  bool write_waiting_ : 1 = false;   // polled: the send buffer was full; EPOLLOUT resumes
  // wake() and close() from any thread: wake_requested / close_requested bits.
  static constexpr std::uint8_t wake_requested = 1;
  static constexpr std::uint8_t close_requested = 2;
  std::atomic<std::uint8_t> requests_{0};
};

}  // namespace gridmq::transport
