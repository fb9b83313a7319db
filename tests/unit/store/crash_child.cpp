// The process that the crash test (crash_test.cpp) starts and kills: it
// opens the RocksDB store in a directory, rebuilds the model from what it
// loads, and commits generated batches, writing the 4-byte index of each
// batch to stdout when its callback reports it durable. Run from exec(), not
// a bare fork(): RocksDB's background threads of the test process do not
// exist in a forked child, so the child must be a fresh process.
//
// Usage: store_crash_child DIR SEED EPOCH BATCHES LEVEL(0 sync,1 batched,2 none)
#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "random_ops.hpp"
#include "store/rocksdb_store.hpp"

int main(int argc, char** argv) {
  using namespace gridmq::store;
  if (argc != 6) {
    std::fprintf(stderr, "usage: %s DIR SEED EPOCH BATCHES LEVEL\n", argv[0]);
    return 2;
  }
  store_options options;
  options.level = static_cast<durability>(std::atoi(argv[5]));
  options.flush_interval = std::chrono::milliseconds(2);
  auto st = open_rocksdb_store(argv[1], options);
  if (!st) {
    std::fprintf(stderr, "open: %s\n", st.error().message.c_str());
    return 2;
  }
  auto loaded = (*st)->load();
  if (!loaded) {
    std::fprintf(stderr, "load: %s\n", loaded.error().message.c_str());
    return 2;
  }
  test::model m = test::model::from(*loaded);
  test::op_generator gen(std::strtoull(argv[2], nullptr, 10), static_cast<std::uint32_t>(std::atoi(argv[3])));
  const std::uint32_t batches = static_cast<std::uint32_t>(std::atoi(argv[4]));

  // A few batches in flight at once, so that group commits form.
  std::mutex mutex;
  std::condition_variable cv;
  int in_flight = 0;
  for (std::uint32_t i = 0; i < batches; ++i) {
    write_batch b = gen.next(m);
    {
      std::unique_lock lock(mutex);
      cv.wait(lock, [&] { return in_flight < 8; });
      ++in_flight;
    }
    (*st)->commit(std::move(b), [&, i](const std::optional<store_error>& e) {
      if (e) {
        std::fprintf(stderr, "commit %u: %s\n", i, e->message.c_str());
        std::_Exit(3);
      }
      if (::write(STDOUT_FILENO, &i, sizeof i) != sizeof i) std::_Exit(4);
      std::lock_guard lock(mutex);
      --in_flight;
      cv.notify_one();
    });
  }
  (*st)->close();
  return 0;
}
