#include "transport/worker_pool.hpp"

#include <pthread.h>

#include <spdlog/logger.h>

#include <algorithm>
#include <exception>
#include <string>

#include "transport/worker_read_buffer.hpp"

namespace gridmq::transport {

worker_pool::worker_pool(std::size_t count, spdlog::logger& log) : log_(log) {
  if (count == 0) count = std::max(1u, std::thread::hardware_concurrency());
  contexts_.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    contexts_.push_back(std::make_unique<worker_io>());
    asio::make_service<worker_read_buffer>(*contexts_.back(), worker_read_buffer::default_size);
  }
}

worker_pool::~worker_pool() {
  stop();
  join();
  guards_.clear();  // before the contexts they point to
  // Shut every context's services down (which destroys their pending
  // operations) before destroying any context: an operation of one context
  // may own an object of another, e.g. a listener's pending accept owns the
  // socket it will hand to the next worker, and destroying that socket needs
  // its worker's socket service (found by AddressSanitizer at shutdown).
  for (auto& ctx : contexts_) ctx->shutdown();
  // Destroy in reverse order of creation: handlers destroyed with a context
  // may still release objects bound to an earlier one.
  while (!contexts_.empty()) contexts_.pop_back();
}

asio::io_context& worker_pool::next() noexcept {
  return *contexts_[next_.fetch_add(1, std::memory_order_relaxed) % contexts_.size()];
}

void worker_pool::start() {
  guards_.clear();
  for (auto& ctx : contexts_) guards_.emplace_back(ctx->get_executor());
  for (std::size_t i = 0; i < contexts_.size(); ++i) {
    threads_.emplace_back([this, i] { run(i); });
  }
}

void worker_pool::stop() noexcept {
  for (auto& guard : guards_) {
    if (guard) guard->reset();
  }
  for (auto& ctx : contexts_) ctx->stop();
}

void worker_pool::join() noexcept {
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void worker_pool::run(std::size_t index) noexcept {
  const std::string name = "gridmq-w" + std::to_string(index);
  pthread_setname_np(pthread_self(), name.c_str());
  // A handler that throws is a bug, but one connection's bug must not take
  // the worker (and every connection on it) down: log and keep running.
  for (;;) {
    try {
      contexts_[index]->run();
      return;
    } catch (const std::exception& e) {
      log_.error("worker {}: unhandled exception: {}", index, e.what());
    } catch (...) {
      log_.error("worker {}: unhandled exception", index);
    }
  }
}

}  // namespace gridmq::transport
