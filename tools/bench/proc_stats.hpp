// Reads what the kernel knows about a process: CPU time (the scheduler's
// per-thread run time from /proc/PID/task/*/schedstat, in ns; /proc/PID/stat
// utime + stime in clock ticks where that is missing) and resident memory
// from /proc/PID/status (VmRSS). The broker's CPU per message is the difference of two samples
// divided by the messages in between: on 2 cores the generator can co-limit
// the rate, but the CPU a message costs is the broker's alone.
#pragma once

#include <cstdint>

namespace gridmq::bench {

struct process_sample {
  bool ok = false;
  double cpu_seconds = 0.0;    // user + system, all threads
  // Time its threads were runnable but waited for a CPU (schedstat field
  // 2): on a shared machine a broker can be busy without running.
  double wait_seconds = 0.0;
  std::uint64_t rss_bytes = 0;
};

process_sample sample_process(int pid);

// This process's own CPU time (user + system), for the generator's load.
double self_cpu_seconds();

// CLOCK_MONOTONIC in nanoseconds: the clock every timestamp in a payload
// uses, so publisher and subscriber in this process (or on this host) agree.
std::uint64_t monotonic_ns() noexcept;

}  // namespace gridmq::bench
