#include "store/commit_pipeline.hpp"

#include <utility>

namespace gridmq::store {

commit_pipeline::commit_pipeline(backend& b, const store_options& options)
    : backend_(b), options_(options), thread_([this] { loop(); }) {}

commit_pipeline::~commit_pipeline() { stop(); }

void commit_pipeline::submit(write_batch&& batch, commit_callback done) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      queued_.fetch_add(1, std::memory_order_relaxed);
      queue_.push_back(job{pending{std::move(batch), std::move(done)}});
      // One wake-up per empty -> non-empty transition would do; notifying
      // always is simpler and cheap next to a disk write.
      wake_.notify_one();
      return;
    }
  }
  if (done) done(store_error{store_error_code::closed, "the store is closed"});
}

void commit_pipeline::run(const std::function<void()>& task) {
  std::unique_lock lock(mutex_);
  if (stopping_) {
    lock.unlock();
    task();
    return;
  }
  bool done = false;
  job j;
  j.task = &task;
  j.task_done = &done;
  queue_.push_back(std::move(j));
  wake_.notify_one();
  task_done_.wait(lock, [&] { return done; });
}

std::optional<store_error> commit_pipeline::flush() {
  std::optional<store_error> result;
  run([&] {
    sync_now();
    result = failed_;
  });
  return result;
}

store_stats commit_pipeline::stats() const noexcept {
  store_stats s;
  s.batches = batches_.load(std::memory_order_relaxed);
  s.failed = failed_batches_.load(std::memory_order_relaxed);
  s.groups = groups_.load(std::memory_order_relaxed);
  s.syncs = syncs_.load(std::memory_order_relaxed);
  s.queued = queued_.load(std::memory_order_relaxed);
  return s;
}

void commit_pipeline::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;
    stopping_ = true;
    stopped_ = true;
    wake_.notify_one();
  }
  thread_.join();
}

std::vector<commit_pipeline::pending> commit_pipeline::take_group() {
  std::vector<pending> group;
  std::size_t bytes = 0;
  while (!queue_.empty() && queue_.front().task == nullptr) {
    const std::size_t b = queue_.front().commit.batch.approximate_bytes();
    if (!group.empty() && bytes + b > options_.max_group_bytes) break;
    bytes += b;
    group.push_back(std::move(queue_.front().commit));
    queue_.pop_front();
  }
  return group;
}

void commit_pipeline::loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    const bool periodic = options_.level == durability::batched;
    const auto ready = [&] { return !queue_.empty() || stopping_; };
    if (periodic && dirty_) {
      wake_.wait_until(lock, flush_due_, ready);
    } else {
      wake_.wait(lock, ready);
    }
    if (queue_.empty()) {
      if (stopping_) break;
      // Woken by the flush deadline.
      lock.unlock();
      sync_now();
      lock.lock();
      continue;
    }
    if (queue_.front().task != nullptr) {
      job j = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      (*j.task)();
      lock.lock();
      *j.task_done = true;
      task_done_.notify_all();
      continue;
    }
    std::vector<pending> group = take_group();
    lock.unlock();
    write(group);
    if (periodic && dirty_ && std::chrono::steady_clock::now() >= flush_due_) sync_now();
    lock.lock();
  }
  lock.unlock();
  if (dirty_) sync_now();
}

void commit_pipeline::write(std::vector<pending>& group) {
  std::vector<std::optional<store_error>> results(group.size());
  std::optional<store_error> group_error = failed_;
  if (!group_error) {
    bool relaxed = true;
    for (const pending& p : group) relaxed = relaxed && p.batch.relaxed();
    // A group of relaxed batches only is written without an fsync; the
    // next synced group (or the periodic flush) makes it durable.
    const bool sync = options_.level == durability::sync && !relaxed;
    group_error = backend_.write_group(group, results, sync);
    groups_.fetch_add(1, std::memory_order_relaxed);
    if (sync) syncs_.fetch_add(1, std::memory_order_relaxed);
    if (group_error) {
      failed_ = group_error;  // nothing after a failed write may claim durability
    } else if (sync) {
      dirty_ = false;  // the fsync covered earlier relaxed groups too
    } else if (!dirty_) {
      dirty_ = true;
      flush_due_ = std::chrono::steady_clock::now() + options_.flush_interval;
    }
  }
  for (std::size_t i = 0; i < group.size(); ++i) {
    const std::optional<store_error>& e = group_error ? group_error : results[i];
    (e ? failed_batches_ : batches_).fetch_add(1, std::memory_order_relaxed);
    if (group[i].done) group[i].done(e);
  }
  queued_.fetch_sub(group.size(), std::memory_order_relaxed);
}

void commit_pipeline::sync_now() {
  dirty_ = false;
  if (failed_) return;
  syncs_.fetch_add(1, std::memory_order_relaxed);
  if (auto e = backend_.sync()) failed_ = std::move(e);
}

}  // namespace gridmq::store
