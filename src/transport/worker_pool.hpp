// N workers, each one io_context run by one thread.
//
// A connection is bound to one worker for its whole life, so everything it
// touches on that worker needs no lock. Lifecycle: construct (contexts exist,
// no threads), start() (threads run; work guards keep them running while
// idle), stop() (asks every context to return, from any thread), join()
// (waits for the threads; called by the destructor too). Handlers still
// queued after stop() are destroyed with the contexts, not run.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "transport/asio.hpp"

namespace spdlog {
class logger;
}

namespace gridmq::transport {

class worker_pool {
 public:
  // `count` 0 means one worker per core.
  worker_pool(std::size_t count, spdlog::logger& log);
  ~worker_pool();
  worker_pool(const worker_pool&) = delete;
  worker_pool& operator=(const worker_pool&) = delete;

  std::size_t size() const noexcept { return contexts_.size(); }
  asio::io_context& context(std::size_t index) { return *contexts_.at(index); }
  // The next worker in round-robin order; safe from any thread.
  asio::io_context& next() noexcept;

  void start();
  void stop() noexcept;
  void join() noexcept;

 private:
  // An io_context whose services can be shut down without destroying it
  // (execution_context::shutdown() is protected): see ~worker_pool().
  class worker_io final : public asio::io_context {
   public:
    worker_io() : asio::io_context(1) {}  // hint 1: one thread runs it, so Asio may skip locking
    using asio::io_context::shutdown;
  };

  void run(std::size_t index) noexcept;

  spdlog::logger& log_;
  std::vector<std::unique_ptr<worker_io>> contexts_;
  std::vector<std::optional<asio::executor_work_guard<executor>>> guards_;
  std::vector<std::thread> threads_;
  std::atomic<std::size_t> next_{0};
};

}  // namespace gridmq::transport
