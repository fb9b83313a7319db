// Throughput of 1-message batches (put_message + put_queue_entry, as one
// QoS 1 publish to one persistent subscriber), committed from T threads that
// each wait for their callback before the next commit (a publisher waiting
// for PUBACK). With group commit, sync-mode throughput grows with T instead
// of staying at 1 / fsync latency. Not a test; run by hand:
//   store_commit_bench DIR [seconds [recovery-messages]]   (DIR on the disk to measure)
// It also times the recovery (open + load) of 1 M queued messages.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

#include "store/rocksdb_store.hpp"

namespace {

using namespace gridmq::store;

struct outcome {
  double rate = 0;
  double group_size = 0;
};

outcome run(const std::filesystem::path& dir, durability level, int threads, double seconds) {
  std::filesystem::remove_all(dir);
  store_options o;
  o.level = level;
  auto st = open_rocksdb_store(dir, o);
  if (!st || !(*st)->load()) {
    std::fprintf(stderr, "cannot open %s\n", dir.c_str());
    std::exit(1);
  }
  store& s = **st;
  {
    write_batch b;
    for (int t = 0; t < threads; ++t) {
      session_record r;
      r.client_id = "c" + std::to_string(t);
      b.put_session(std::move(r));
    }
    std::mutex m;
    std::condition_variable cv;
    bool done = false;
    s.commit(std::move(b), [&](const auto&) {
      std::lock_guard l(m);
      done = true;
      cv.notify_one();
    });
    std::unique_lock l(m);
    cv.wait(l, [&] { return done; });
  }
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> total{0};
  const auto payload = std::make_shared<const std::string>(100, 'x');
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      const std::string client = "c" + std::to_string(t);
      std::mutex m;
      std::condition_variable cv;
      for (std::uint64_t i = 1; !stop; ++i) {
        const std::uint64_t id = (static_cast<std::uint64_t>(t) << 40) | i;
        write_batch b;
        message_record msg;
        msg.id = id;
        msg.topic = "bench/topic";
        msg.payload = payload;
        msg.qos_level = gridmq::protocol::qos::at_least_once;
        b.put_message(std::move(msg));
        queue_entry e;
        e.client_id = client;
        e.sequence = i;
        e.message_id = id;
        b.put_queue_entry(std::move(e));
        bool done = false;
        s.commit(std::move(b), [&](const auto&) {
          std::lock_guard l(m);
          done = true;
          cv.notify_one();
        });
        std::unique_lock l(m);
        cv.wait(l, [&] { return done; });
        ++total;
      }
    });
  }
  const auto start = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& w : workers) w.join();
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const store_stats stats = s.stats();
  s.close();
  return {static_cast<double>(total.load()) / elapsed,
          static_cast<double>(stats.batches) / static_cast<double>(std::max<std::uint64_t>(stats.groups, 1))};
}

// Writes `n` queued messages for one offline session, then times load().
void recovery(const std::filesystem::path& dir, std::uint64_t n) {
  std::filesystem::remove_all(dir);
  store_options o;
  o.level = durability::none;
  {
    auto st = open_rocksdb_store(dir, o);
    if (!st || !(*st)->load()) std::exit(1);
    write_batch first;
    session_record r;
    r.client_id = "offline";
    first.put_session(std::move(r));
    (*st)->commit(std::move(first), {});
    const auto payload = std::make_shared<const std::string>(100, 'x');
    for (std::uint64_t i = 1; i <= n;) {
      write_batch b;
      for (int k = 0; k < 1000 && i <= n; ++k, ++i) {
        message_record msg;
        msg.id = i;
        msg.topic = "bench/recovery";
        msg.payload = payload;
        msg.qos_level = gridmq::protocol::qos::at_least_once;
        b.put_message(std::move(msg));
        queue_entry e;
        e.client_id = "offline";
        e.sequence = i;
        e.message_id = i;
        b.put_queue_entry(std::move(e));
      }
      (*st)->commit(std::move(b), {});
    }
    (*st)->close();
  }
  const auto start = std::chrono::steady_clock::now();
  auto st = open_rocksdb_store(dir, o);
  if (!st) std::exit(1);
  auto loaded = (*st)->load([](const load_progress& p) {
    std::printf("  load: %llu records, %.0f records/s%s\n", static_cast<unsigned long long>(p.records),
                p.records_per_second(), p.done ? " (done)" : "");
  });
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!loaded) std::exit(1);
  std::printf("recovery of %llu queued messages: %.2f s (open + load)\n",
              static_cast<unsigned long long>(loaded->sessions.at(0).queue.size()), elapsed);
  (*st)->close();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DIR [seconds]\n", argv[0]);
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  const double seconds = argc > 2 ? std::atof(argv[2]) : 3.0;
  const struct {
    durability level;
    const char* name;
  } levels[] = {{durability::sync, "sync"}, {durability::batched, "batched"}, {durability::none, "none"}};
  for (const auto& l : levels) {
    for (int threads : {1, 4, 16, 64}) {
      const outcome r = run(dir / "bench-db", l.level, threads, seconds);
      std::printf("%-8s threads=%-3d %10.0f batches/s  %6.1f batches/group\n", l.name, threads, r.rate, r.group_size);
      std::fflush(stdout);
    }
  }
  const std::uint64_t n = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 1000000;
  if (n > 0) recovery(dir / "bench-db", n);
  std::filesystem::remove_all(dir / "bench-db");
  return 0;
}
