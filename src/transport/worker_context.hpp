// What a connection reaches on its worker, through one pointer: the
// executor, the deadline queue, the shared read buffer, the write pacer and
// the plain-TCP poller (each an Asio service of the worker's io_context).
//
// Why: a connection used to copy the executor and keep a reference or
// pointer per service; one pointer per idle connection is what it needs.
//
// Threads: made once per io_context (use_service), immutable afterwards, so
// wake() and close() may read executor() from any thread; peer_name() only
// on the worker's thread.
#pragma once

#include <array>
#include <string_view>
#include <vector>

#include "broker/client_port.hpp"
#include "transport/asio.hpp"
#include "transport/deadline_queue.hpp"
#include "transport/fd_poller.hpp"
#include "transport/worker_read_buffer.hpp"
#include "transport/write_pacer.hpp"

namespace gridmq::transport {

class worker_context final : public asio::execution_context::service {
 public:
  using key_type = worker_context;
  static inline asio::execution_context::id id;

  explicit worker_context(asio::io_context& ctx)
      : service(ctx),
        executor_(ctx.get_executor()),
        deadlines_(asio::use_service<deadline_queue>(ctx)),
        read_buffer_(asio::use_service<worker_read_buffer>(ctx)),
        pacer_(asio::use_service<write_pacer>(ctx)),
        poller_(asio::use_service<fd_poller>(ctx)) {}

  const executor& get_executor() const noexcept { return executor_; }
  deadline_queue& deadlines() const noexcept { return deadlines_; }
  worker_read_buffer& read_buffer() const noexcept { return read_buffer_; }
  write_pacer& pacer() const noexcept { return pacer_; }
  fd_poller& poller() const noexcept { return poller_; }

  // "127.0.0.1:50412" or "[::1]:50412", the connected peer of socket `fd`,
  // in the form the listener names peers; empty if the socket has none (any
  // more). The view stays valid until the next call on this worker.
  std::string_view peer_name(int fd);
  // An empty list to drain a connection's output into before it knows there
  // is any (stream_connection::drain_output); left empty again by its user.
  std::vector<broker::outbound_chunk>& drain_scratch() noexcept { return drain_scratch_; }

 private:
  void shutdown() override {}

  executor executor_;
  deadline_queue& deadlines_;
  worker_read_buffer& read_buffer_;
  write_pacer& pacer_;
  fd_poller& poller_;
  std::vector<broker::outbound_chunk> drain_scratch_;
  std::array<char, 64> peer_scratch_{};
};

}  // namespace gridmq::transport
