// The receive buffer one worker shares among its plain TCP connections.
//
// Why: a buffer per connection costs its size for every idle client (4 KiB
// each made up most of an idle connection's memory). A plain TCP connection
// instead waits for readability, then reads into this buffer and hands the
// whole packets to the broker at once; it keeps only the tail of a packet cut
// by the read, in a buffer of its own sized to that tail (stream_connection).
//
// Threads: an Asio service of the worker's io_context, used only by handlers
// running on that worker's one thread, and only between a read and the end
// of the broker's on_data() call (nothing else runs on the thread meanwhile).
// worker_pool creates it with its size; use_service() makes a default one for
// a context that has none (a test's own io_context).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "transport/asio.hpp"

namespace gridmq::transport {

class worker_read_buffer final : public asio::execution_context::service {
 public:
  using key_type = worker_read_buffer;
  static inline asio::execution_context::id id;

  static constexpr std::size_t default_size = 64 * 1024;

  explicit worker_read_buffer(asio::execution_context& ctx, std::size_t size = default_size)
      : service(ctx), size_(size < 1024 ? 1024 : size) {}

  std::span<std::uint8_t> bytes() {
    // Allocated on first use: a worker that serves no plain TCP client pays nothing.
    if (!data_) data_ = std::make_unique_for_overwrite<std::uint8_t[]>(size_);
    return {data_.get(), size_};
  }

 private:
  void shutdown() override {}

  std::size_t size_;
  std::unique_ptr<std::uint8_t[]> data_;
};

}  // namespace gridmq::transport
