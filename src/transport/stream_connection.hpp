// One accepted MQTT connection over a byte stream (TCP, TLS, WebSocket or
// WebSocket over TLS): moves bytes between the stream and the broker's
// client_port. `Stream` is one of the adaptors in streams.hpp; the code path
// is the same for all of them except the goodbye (see streams.hpp).
//
// Lifecycle: created on its worker once the transport's handshakes are done;
// start() opens the port (handing it any bytes read during the handshakes)
// and begins reading. It lives (shared_ptr) as long as an operation of its
// own is pending. The port is released exactly once: by finish() (peer
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
// cut packet's tail; a read buffer of the connection's own never grows past what the broker says the next
// packet needs; at most one write is in flight, carrying all output the
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
#include "transport/connection_options.hpp"
#include "transport/listener_context.hpp"
#include "transport/deadline_queue.hpp"
#include "transport/write_pacer.hpp"

namespace spdlog {
class logger;
}

namespace gridmq::transport {

class worker_read_buffer;

template <class Stream>
class stream_connection final : public broker::connection_sink,
                                public timed_object,
                                public paced_writer,
                                public std::enable_shared_from_this<stream_connection<Stream>> {
 public:
  // `peer` names the connection in log lines; `listener` gives the
  // connection_options and the logger (kept alive as long as the connection).
  stream_connection(Stream stream, std::string peer, std::shared_ptr<const listener_context> listener);
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
  std::string_view peer() const noexcept override { return peer_; }

 private:
  using clock = std::chrono::steady_clock;

  void do_read();
  void on_read(const error_code& ec, std::size_t n);
  void on_readable(const error_code& ec);
  std::span<const std::uint8_t> read_ready(error_code& ec);
  bool deliver(std::span<const std::uint8_t> data);
  void keep_tail(std::span<const std::uint8_t> rest);
  bool reserve_read_space();
  void flush();
  // With write pacing: true if the output is held (in writing_) for the
  // pacer, which calls paced_flush() when the interval is up.
  bool hold_output();
  bool streaming(clock::time_point now);
  void paced_flush() override;
  void write_out();
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

  executor executor_;  // copied once: wake() and close() read it from other threads
  Stream stream_;
  deadline_queue& deadlines_;  // the worker's: idle and close deadlines
  std::string peer_;  // for log lines; the port keeps the rest of client_info
  const connection_options& options() const noexcept { return listener_->options.connection; }
  spdlog::logger& log() const noexcept { return listener_->log; }

  std::shared_ptr<const listener_context> listener_;  // options and logger, one copy per listener
  std::unique_ptr<broker::client_port> port_;

  // TLS, WebSocket: the read buffer. Plain TCP: only the tail of a packet
  // cut by a read (or a packet larger than the shared buffer), else empty.
  std::vector<std::uint8_t> rbuf_;
  worker_read_buffer* shared_rbuf_ = nullptr;  // plain TCP: the worker's
  clock::time_point last_rx_;

  // The write lists: kept while output is frequent, freed after a write that
  // followed a quiet gap (write_pacer::quiet_gap_us), so an idle connection
  // holds none.
  std::vector<broker::outbound_chunk> writing_;  // alive until the write completes
  std::vector<asio::const_buffer> gather_;
  std::vector<std::uint8_t> flat_;  // a write of many small packets, copied into one buffer
  clock::time_point last_write_{};  // with write pacing: when the last write began
  clock::time_point last_output_{};  // with write pacing: when output last became ready
  std::chrono::milliseconds idle_{0};  // 0: no idle timeout
  // 32 bits suffice: the largest MQTT packet is 268,435,460 bytes.
  std::uint32_t rlen_ = 0;   // bytes in rbuf_ not yet consumed by the port
  std::uint32_t need_ = 0;   // the port's size hint for the next packet
  std::uint32_t held_bytes_ = 0;    // output held in writing_ while streaming
  std::uint32_t gap_average_us_ = write_pacer::idle_gap_us;  // the average time between outputs
  std::uint16_t close_code_ = 1000;     // WebSocket status code of our close frame (RFC 6455 7.4.1)
  // The flags last, together: one word instead of padding after each.
  bool write_in_flight_ = false;
  bool write_deferred_ = false;     // waiting in the worker's write_pacer
  bool corked_ = false;             // TCP_CORK set for the write in flight
  bool quiet_output_ = true;        // the last output came after a quiet gap
  bool read_in_flight_ = false;
  bool read_paused_ = false;  // a read waits for the write in flight to finish
  bool closing_ = false;                // close() seen on the worker: flush, then finish
  bool fin_sent_ = false;               // output flushed and the port released: saying goodbye
  bool goodbye_after_read_ = false;     // TLS: close_notify once the cancelled read returns
  bool finished_ = false;
  std::atomic<bool> wake_pending_{false};
  std::atomic<bool> close_requested_{false};
};

}  // namespace gridmq::transport
