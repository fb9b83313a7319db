// commit_pipeline: the store's writer thread, with group commit.
//
// Design: callers (network workers) only append their batch to a queue
// under a mutex and return. One writer thread takes every batch queued so
// far (up to max_group_bytes), has the backend write them as one atomic
// write — with an fsync when the level is `sync` — and then runs their
// callbacks in commit order. While it writes, new batches pile up and form
// the next group, so under load one fsync covers many batches, and a batch
// waits at most for the write in progress plus its own.
// For `batched`, the writer also fsyncs at most flush_interval after the
// first unsynced write. Tasks (load, flush) run on the writer thread too,
// between groups, in queue order, so they never race with a write.
//
// Lifecycle: the thread starts in the constructor and stops in stop() (or
// the destructor) after draining the queue and a final fsync.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "store/store.hpp"

namespace gridmq::store {

class commit_pipeline {
 public:
  struct pending {
    write_batch batch;
    commit_callback done;
  };

  // What the writer thread calls; implemented by each store.
  class backend {
   public:
    virtual ~backend() = default;
    // Applies the batches of `group` in order as one atomic write, durable
    // before return if `sync`. An error for one batch alone (invalid_batch,
    // not_loaded) goes to results[i] and that batch is skipped; a returned
    // error failed the whole write.
    virtual std::optional<store_error> write_group(std::vector<pending>& group,
                                                   std::vector<std::optional<store_error>>& results, bool sync) = 0;
    // Makes every write so far durable.
    virtual std::optional<store_error> sync() = 0;
  };

  commit_pipeline(backend& b, const store_options& options);
  ~commit_pipeline();
  commit_pipeline(const commit_pipeline&) = delete;
  commit_pipeline& operator=(const commit_pipeline&) = delete;

  // Any thread. After stop(), `done` runs at once, on the caller's thread,
  // with `closed`.
  void submit(write_batch&& batch, commit_callback done);
  // Runs `task` on the writer thread after everything queued before it and
  // waits for it. After stop(), runs it on the caller's thread.
  void run(const std::function<void()>& task);
  // Waits for everything queued before, then fsyncs; the store's failure if
  // it has failed.
  std::optional<store_error> flush();
  store_stats stats() const noexcept;
  // Drains the queue, fsyncs, joins the thread. Idempotent.
  void stop();

 private:
  struct job {
    pending commit;
    const std::function<void()>* task = nullptr;  // set: a task, not a commit
    bool* task_done = nullptr;
  };

  void loop();
  // Takes the next group of commits from the front of the queue (lock held).
  std::vector<pending> take_group();
  void write(std::vector<pending>& group);
  void sync_now();

  backend& backend_;
  const store_options options_;

  std::mutex mutex_;
  std::condition_variable wake_;       // the writer: work, or stop
  std::condition_variable task_done_;  // run(): its task completed
  std::deque<job> queue_;
  bool stopping_ = false;
  bool stopped_ = false;

  // Writer thread only.
  std::optional<store_error> failed_;
  bool dirty_ = false;  // written without fsync
  std::chrono::steady_clock::time_point flush_due_{};

  // Written by the writer thread, read by anyone.
  std::atomic<std::uint64_t> batches_{0};
  std::atomic<std::uint64_t> failed_batches_{0};
  std::atomic<std::uint64_t> groups_{0};
  std::atomic<std::uint64_t> syncs_{0};
  std::atomic<std::uint64_t> queued_{0};

  std::thread thread_;
};

}  // namespace gridmq::store
