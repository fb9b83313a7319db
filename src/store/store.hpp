// store: where the broker keeps what must survive a restart — sessions,
// subscriptions, queued and in-flight QoS 1/2 messages, inbound QoS 2 ids
// and retained messages — as the plain records of records.hpp.
//
// Contract
// - open (memory_store.hpp, rocksdb_store.hpp), then load() once: it reads
//   everything back and readies the store for writes. commit() before a
//   successful load() fails with not_loaded.
// - commit(batch, done) applies the batch atomically, in commit order, on the
//   store's single writer thread (never on the caller's), and then calls
//   `done` on that writer thread, exactly once, with nullopt on success.
//   `done` must be short and must not block on the store (calling commit()
//   from it is fine). It is called only once the batch is as durable as the
//   durability level promises, so the broker sends PUBACK / PUBREC from it.
// - Batches are applied in the order their commit() calls queued them: a
//   commit() that returned before another one started is applied first
//   (so "put entry" then "delete entry" from two workers cannot swap). A
//   batch is never partly applied, even after a crash.
// - After an I/O error the store is failed: that group and every later
//   commit complete with the error. The data on disk stays consistent (the
//   last group that reached it); restart to recover.
//
// Durability levels, and what each can lose:
//
//   level    callback runs after                    kill -9 of the broker   power loss / kernel crash
//   sync     the write and an fsync of the WAL      nothing acknowledged     nothing acknowledged
//   batched  the write to the WAL (OS page cache);  nothing acknowledged     up to flush_interval of
//            an fsync every flush_interval                                   acknowledged batches
//   none     the write to the WAL (OS page cache);  nothing acknowledged     whatever the OS had not
//            never an explicit fsync                                         written back (seconds, not bounded)
//
// A relaxed batch (write_batch::set_relaxed) is written to the WAL but not
// fsynced before its callback in any level; a group of relaxed batches only
// costs no fsync (the next synced group covers it). Power loss may lose it.
//
// In every level a crash loses whole batches only, newest first: what is
// recovered is the state after some prefix of the committed batches that
// includes every batch whose callback ran (sync) or was written (others).
// `sync` uses group commit: the writer takes every batch queued while the
// previous fsync ran, writes them as one atomic write and one fsync, then
// runs all their callbacks. The extra latency is at most one fsync; the
// throughput is many batches per fsync. memory_store keeps nothing across a
// restart whatever the level (it exists for brokers without a data
// directory, and for tests).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/result.hpp"
#include "store/records.hpp"
#include "store/store_error.hpp"
#include "store/write_batch.hpp"

namespace gridmq::store {

enum class durability : std::uint8_t { sync, batched, none };

struct store_options {
  durability level = durability::sync;
  // batched: the longest an acknowledged batch waits for its fsync.
  std::chrono::milliseconds flush_interval{100};
  // Upper bound on the bytes written by one group commit, so that one huge
  // group cannot delay the callbacks of the batches behind it without bound.
  std::size_t max_group_bytes = 8 * 1024 * 1024;
};

// Everything of one session, as load() returns it.
struct recovered_session {
  session_record session;
  std::vector<subscription_record> subscriptions;  // by filter
  std::vector<queue_entry> queue;                  // ascending sequence
  std::vector<std::uint16_t> inbound_qos2;         // ascending packet id
};

struct recovered_state {
  std::vector<recovered_session> sessions;                      // by client id
  std::unordered_map<std::uint64_t, message_record> messages;   // every message a queue entry refers to
  std::vector<message_record> retained;                         // by topic
  std::uint64_t max_message_id = 0;  // the broker's next ids should be larger
  // Messages no entry referred to (only a bug can leave them): not returned,
  // and deleted with the first commit after load.
  std::uint64_t unreferenced_messages = 0;
};

// Progress of load(), for the broker's log on a long recovery: called about
// once a second while reading, and once at the end (done = true).
struct load_progress {
  std::uint64_t records = 0;
  std::uint64_t bytes = 0;
  std::chrono::steady_clock::duration elapsed{};
  bool done = false;
  double records_per_second() const noexcept {
    const double s = std::chrono::duration<double>(elapsed).count();
    return s > 0 ? static_cast<double>(records) / s : 0.0;
  }
};

// Counters since open, for metrics and for judging group commit
// (batches / groups = the average group size).
struct store_stats {
  std::uint64_t batches = 0;  // completed successfully
  std::uint64_t failed = 0;   // completed with an error
  std::uint64_t groups = 0;   // atomic writes, one per group commit
  std::uint64_t syncs = 0;    // fsyncs: one per group in `sync`, periodic or explicit otherwise
  std::uint64_t queued = 0;   // committed, callback not run yet
};

using load_progress_fn = std::function<void(const load_progress&)>;
using commit_callback = std::function<void(const std::optional<store_error>& error)>;

class store {
 public:
  virtual ~store() = default;

  // Reads everything back (progress, if set, runs on the writer thread;
  // never call load() or flush() from a commit callback: they wait for it).
  // Waits for commits already queued. Call it at start-up, before the
  // workers commit: it may run again later (tests), but then it must not
  // race with other threads' commits. A corrupt record fails the load with
  // `corrupt` and changes nothing.
  virtual result<recovered_state, store_error> load(const load_progress_fn& progress = {}) = 0;

  // Queues `batch`; `done` runs on the writer thread as described above.
  // Any thread may call it. Never blocks on the disk. The queue has no
  // bound of its own: what bounds it is that PUBACK / PUBREC wait for the
  // callback, so publishers stop at their Receive Maximum.
  virtual void commit(write_batch&& batch, commit_callback done) = 0;

  // Blocks until every batch committed before the call is written and
  // fsynced (whatever the level). For shutdown and tests.
  virtual std::optional<store_error> flush() = 0;

  // Completes the queued batches, fsyncs, stops the writer thread. Later
  // commits fail with `closed`. The destructor closes too.
  virtual void close() = 0;

  virtual const store_options& options() const noexcept = 0;
  // Any thread.
  virtual store_stats stats() const noexcept = 0;
};

}  // namespace gridmq::store
