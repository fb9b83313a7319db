#include "transport/write_pacer.hpp"

#include <exception>

namespace gridmq::transport {

void write_pacer::add(const executor& ex, waiter w, clock::time_point due) {
  if (!timer_) timer_.emplace(ex);
  waiting_.push_back(std::move(w));
  if (!armed_for_ || due < *armed_for_) arm(due);
}

void write_pacer::arm(clock::time_point due) {
  armed_for_ = due;
  timer_->expires_at(due);  // cancels a later wait: its handler sees operation_aborted
  timer_->async_wait([this](const error_code& ec) {
    if (ec) return;
    fire();
  });
}

void write_pacer::fire() {
  armed_for_.reset();
  firing_.swap(waiting_);
  // A connection may defer again from paced_flush(): it lands in waiting_
  // and arms a new wait. One that throws must not leave the others' flush
  // or reference behind.
  std::exception_ptr thrown;
  for (auto& w : firing_) {
    try {
      w.flush(w.self);
    } catch (...) {
      if (!thrown) thrown = std::current_exception();
    }
  }
  for (auto& w : firing_) w.drop(w.self);
  firing_.clear();
  if (thrown) std::rethrow_exception(thrown);
}

void write_pacer::shutdown() {
  // Handlers are destroyed unrun when the context stops; drop the connections
  // held here so they are not kept alive past the worker.
  if (timer_) timer_.reset();
  std::vector<waiter> held;
  held.swap(waiting_);
  for (auto& w : held) w.drop(w.self);
  firing_.clear();  // empty: fire() clears it before returning
  armed_for_.reset();
}

}  // namespace gridmq::transport
