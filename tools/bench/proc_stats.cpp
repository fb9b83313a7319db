#include "proc_stats.hpp"

#include <dirent.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace gridmq::bench {

namespace {

bool read_cpu(int pid, double& seconds) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return false;
  // The command name (field 2) may contain spaces and parentheses: fields
  // are counted from the last ')'.
  const auto close = line.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream fields(line.substr(close + 2));
  std::string skip;
  // Fields 3..13 come before utime (14) and stime (15).
  for (int i = 3; i <= 13; ++i) fields >> skip;
  unsigned long long utime = 0, stime = 0;
  if (!(fields >> utime >> stime)) return false;
  const long ticks = sysconf(_SC_CLK_TCK);
  seconds = static_cast<double>(utime + stime) / static_cast<double>(ticks > 0 ? ticks : 100);
  return true;
}

bool read_rss(int pid, std::uint64_t& bytes) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      bytes = std::strtoull(line.c_str() + 6, nullptr, 10) * 1024;  // the kernel reports kB
      return true;
    }
  }
  return false;
}

// The run time of every thread, in nanoseconds, from the scheduler's own
// accounting (/proc/PID/task/TID/schedstat, first field): /proc/PID/stat
// counts in clock ticks (10 ms here), too coarse for a run of a second.
bool read_task_runtime(int pid, double& seconds, double& waited) {
  const std::string dir = "/proc/" + std::to_string(pid) + "/task";
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return false;
  unsigned long long total = 0, delay = 0;
  bool any = false;
  while (const dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    std::ifstream in(dir + "/" + e->d_name + "/schedstat");
    unsigned long long ns = 0, wait_ns = 0;
    if (in >> ns >> wait_ns) {
      total += ns;
      delay += wait_ns;
      any = true;
    }
  }
  closedir(d);
  seconds = static_cast<double>(total) / 1e9;
  waited = static_cast<double>(delay) / 1e9;
  return any;
}

}  // namespace

process_sample sample_process(int pid) {
  process_sample s;
  if (pid <= 0) return s;
  s.ok = (read_task_runtime(pid, s.cpu_seconds, s.wait_seconds) || read_cpu(pid, s.cpu_seconds)) && read_rss(pid, s.rss_bytes);
  return s;
}

double self_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto sec = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6; };
  return sec(u.ru_utime) + sec(u.ru_stime);
}

std::uint64_t monotonic_ns() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<std::uint64_t>(ts.tv_nsec);
}

}  // namespace gridmq::bench
