// gridmq-bench: an MQTT load generator on gridmq's own codec (issue 6).
// Usage: gridmq-bench MODE [options]; `gridmq-bench --help` lists them.
#include <signal.h>

#include <cstdio>
#include <exception>

#include "options.hpp"
#include "plan.hpp"
#include "report.hpp"
#include "runner.hpp"

int main(int argc, char** argv) {
  using namespace gridmq::bench;
  bench_options options;
  if (const int code = parse_options(argc, argv, options); code >= 0) return code;
  // A broker that closes a socket under a write must not kill the generator.
  signal(SIGPIPE, SIG_IGN);
  try {
    runner r(options, make_plan(options));
    const run_result result = r.run();
    if (options.json) {
      print_json(options, result);
    } else {
      print_summary(options, result);
    }
    std::fflush(stdout);
    if (result.connect_failed > 0 || result.lost > 0 || result.protocol_errors > 0) return 2;
    if (options.check && !result.complete) return 3;
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gridmq-bench: %s\n", e.what());
    return 1;
  }
}
