#include "broker/push_batch.hpp"

#include <utility>

#include "broker/outbox.hpp"

namespace gridmq::broker {
namespace {

// Per worker thread; a thread outside any batch never touches `target`.
struct run_state {
  int depth = 0;
  std::shared_ptr<outbox> target;
  std::string bytes;  // the encoded packets, back to back
};

thread_local run_state run;

bool all_small(const session::frame_list& frames) {
  for (const auto& f : frames) {
    if (f.size() > push_batch::small_frame) return false;
  }
  return true;
}

}  // namespace

push_batch::push_batch() noexcept { ++run.depth; }

push_batch::~push_batch() {
  if (--run.depth == 0) flush();
}

void push_batch::flush() {
  if (!run.target) return;
  auto to = std::move(run.target);
  run.target.reset();
  if (!run.bytes.empty()) to->push(session::frame{std::exchange(run.bytes, {}), nullptr});
}

void push_batch::flush_if_for(const outbox* o) {
  if (run.target.get() == o) flush();
}

void push_batch::push_qos0(const std::shared_ptr<outbox>& to, session::frame_list& frames) {
  if (frames.empty()) return;
  if (run.depth == 0 || !all_small(frames)) {
    flush();
    to->push(frames);
    return;
  }
  if (run.target != to) {
    flush();
    run.target = to;
  }
  for (const auto& f : frames) {
    run.bytes += f.bytes;
    if (f.payload) run.bytes += *f.payload;
  }
  if (run.bytes.size() >= run_limit) flush();
}

}  // namespace gridmq::broker
