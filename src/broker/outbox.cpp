#include "broker/outbox.hpp"

namespace gridmq::broker {

void outbox::push(session::frame_list& frames) {
  if (frames.empty()) return;
  std::lock_guard lock(mutex_);
  if (sink_ == nullptr || closing_) return;
  for (auto& f : frames) {
    bytes_ += f.size();
    chunks_.push_back(outbound_chunk{std::move(f.bytes), std::move(f.payload)});
  }
  sink_->wake();
}

void outbox::push(session::frame&& f) {
  std::lock_guard lock(mutex_);
  if (sink_ == nullptr || closing_) return;
  bytes_ += f.size();
  chunks_.push_back(outbound_chunk{std::move(f.bytes), std::move(f.payload)});
  sink_->wake();
}

void outbox::drain(std::vector<outbound_chunk>& out) {
  std::lock_guard lock(mutex_);
  if (out.empty()) {
    out.swap(chunks_);
  } else {
    for (auto& c : chunks_) out.push_back(std::move(c));
    chunks_.clear();
  }
  bytes_ = 0;
}

void outbox::close() {
  std::lock_guard lock(mutex_);
  if (sink_ == nullptr || closing_) return;
  closing_ = true;
  sink_->close();
}

void outbox::detach_sink() {
  std::lock_guard lock(mutex_);
  sink_ = nullptr;
  chunks_.clear();
  bytes_ = 0;
}

std::size_t outbox::pending_bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

}  // namespace gridmq::broker
