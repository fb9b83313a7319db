#include "broker/frame_scratch.hpp"

namespace gridmq::broker {

namespace {

struct thread_scratch {
  session::frame_list list;
  bool lent = false;
};

thread_scratch& this_thread_scratch() noexcept {
  thread_local thread_scratch s;
  return s;
}

}  // namespace

frame_scratch::frame_scratch() noexcept : list_(&own_) {
  auto& s = this_thread_scratch();
  if (s.lent) return;
  s.lent = true;
  list_ = &s.list;
}

frame_scratch::~frame_scratch() {
  if (!is_shared()) return;
  auto& s = this_thread_scratch();
  s.list.clear();
  if (s.list.capacity() > kept_capacity) session::frame_list().swap(s.list);
  s.lent = false;
}

}  // namespace gridmq::broker
