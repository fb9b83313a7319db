// Random operation sequences with kill -9 and reopen, checked against the
// model of random_ops.hpp.
//
// Each round: the expected states after 0..N batches are computed here; a
// child process (store_crash_child) commits the same N batches to a RocksDB
// store and reports each completed callback over a pipe; it is killed with
// SIGKILL at a random point (after some acknowledgements, or at a random
// time, possibly while opening). The reopened store must then equal the
// model after exactly j batches, for some j >= the number acknowledged:
// every acknowledged batch is there, and no batch is there in part. The
// next round continues from that state, so recovery is exercised again and
// again on the same directory.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <random>

#include "random_ops.hpp"
#include "store/rocksdb_store.hpp"
#include "store_test_support.hpp"

namespace gridmq::store::test {
namespace {

using clock_type = std::chrono::steady_clock;

struct child_run {
  std::uint32_t acked = 0;  // batches 0..acked-1 reported durable, in order
  bool killed = false;
  int status = 0;
};

// Starts the child, reads acknowledgements, and kills it after `kill_after`
// of them or at `kill_at`, whichever comes first.
child_run run_child(const std::string& dir, std::uint64_t seed, std::uint32_t epoch, std::uint32_t batches, int level,
                    std::uint32_t kill_after, clock_type::time_point kill_at) {
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  const std::string args[] = {dir, std::to_string(seed), std::to_string(epoch), std::to_string(batches),
                              std::to_string(level)};
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    ::close(fds[0]);
    ::close(fds[1]);
    ::execl(STORE_CRASH_CHILD, STORE_CRASH_CHILD, args[0].c_str(), args[1].c_str(), args[2].c_str(), args[3].c_str(),
            args[4].c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(fds[1]);
  child_run run;
  std::uint32_t buf = 0;
  std::size_t have = 0;
  for (;;) {
    if (!run.killed && (run.acked >= kill_after || clock_type::now() >= kill_at)) {
      ::kill(pid, SIGKILL);
      run.killed = true;
    }
    pollfd p{fds[0], POLLIN, 0};
    const auto wait_ms = std::chrono::duration_cast<std::chrono::milliseconds>(kill_at - clock_type::now()).count();
    ::poll(&p, 1, run.killed ? 1000 : static_cast<int>(std::clamp<long long>(wait_ms, 0, 1000)));
    if ((p.revents & (POLLIN | POLLHUP)) == 0) continue;
    const ssize_t n = ::read(fds[0], reinterpret_cast<char*>(&buf) + have, sizeof buf - have);
    if (n <= 0) break;  // EOF: the child is gone
    have += static_cast<std::size_t>(n);
    if (have < sizeof buf) continue;
    have = 0;
    EXPECT_EQ(buf, run.acked) << "callbacks out of order";
    run.acked = buf + 1;
  }
  ::close(fds[0]);
  ::waitpid(pid, &run.status, 0);
  return run;
}

TEST(store_crash, random_batches_survive_kill_9) {
  temp_dir dir;
  const std::string db = (dir.path() / "db").string();
  // A failure prints its seed; GRIDMQ_STORE_SEED=<seed> replays it.
  const char* fixed = std::getenv("GRIDMQ_STORE_SEED");
  const std::uint64_t base_seed = fixed ? std::strtoull(fixed, nullptr, 10) : std::random_device{}();
  SCOPED_TRACE("seed " + std::to_string(base_seed));
  std::mt19937_64 rng(base_seed);
  model current;
  const auto deadline = clock_type::now() + std::chrono::seconds(10);
  constexpr std::uint32_t batches = 120;
  int rounds = 0;
  int partial = 0;
  for (std::uint32_t epoch = 1; epoch <= 100 && clock_type::now() < deadline; ++epoch) {
    ++rounds;
    const std::uint64_t seed = rng();
    const int level = rng() % 4 == 0 ? static_cast<int>(1 + rng() % 2) : 0;  // mostly sync
    // Expected states after 0..batches batches; the generator's own model
    // is checked against a model that applies whole batches.
    std::vector<model> expected{current};
    model gen_model = current;
    model batch_model = current;
    op_generator gen(seed, epoch);
    for (std::uint32_t i = 0; i < batches; ++i) {
      write_batch b = gen.next(gen_model);
      batch_model.apply(b);
      ASSERT_EQ(gen_model.dump(), batch_model.dump());
      expected.push_back(batch_model);
    }
    const bool by_time = rng() % 4 == 0;
    const std::uint32_t kill_after = by_time ? batches + 1 : static_cast<std::uint32_t>(rng() % (batches + 1));
    const auto kill_at = clock_type::now() + std::chrono::milliseconds(by_time ? rng() % 60 : 5000);
    const child_run run = run_child(db, seed, epoch, batches, level, kill_after, kill_at);
    if (run.killed) {
      ASSERT_TRUE(WIFSIGNALED(run.status) || (WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0))
          << "status " << run.status;
    } else {
      ASSERT_TRUE(WIFEXITED(run.status) && WEXITSTATUS(run.status) == 0) << "child failed, status " << run.status;
      ASSERT_EQ(run.acked, batches);
    }

    auto st = open_rocksdb_store(db);
    ASSERT_TRUE(st) << st.error().message;
    auto loaded = (*st)->load();
    ASSERT_TRUE(loaded) << loaded.error().message;
    EXPECT_EQ(loaded->unreferenced_messages, 0u);
    const std::string got = dump(*loaded);
    std::optional<std::uint32_t> match;
    for (std::uint32_t j = run.acked; j <= batches && !match; ++j) {
      if (expected[j].dump() == got) match = j;
    }
    ASSERT_TRUE(match) << "round " << epoch << " (level " << level << "): state after " << run.acked
                       << " acknowledged batches matches no prefix\n--- got\n"
                       << got << "--- expected (acked)\n"
                       << expected[run.acked].dump();
    if (*match < batches) ++partial;
    current = expected[*match];
  }
  // The rounds must have crashed mid-stream for the test to mean anything.
  EXPECT_GT(partial, 0) << rounds << " rounds";
  std::printf("[ crash    ] %d rounds, %d killed mid-stream\n", rounds, partial);
}

}  // namespace
}  // namespace gridmq::store::test
