// What a run measured, and how it is printed: a progress line every second
// on stderr while it runs, then a text summary (or one JSON object with
// --json) on stdout.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "latency_histogram.hpp"
#include "options.hpp"

namespace gridmq::bench {

struct latency_summary {
  std::uint64_t count = 0;
  double p50_us = 0, p99_us = 0, p999_us = 0, max_us = 0, mean_us = 0;
};
latency_summary summarize(const latency_histogram& h);

struct run_result {
  // Connections.
  std::uint64_t clients = 0;
  std::uint64_t connected = 0;
  std::uint64_t connect_failed = 0;
  std::uint64_t lost = 0;
  std::uint64_t protocol_errors = 0;
  double connect_seconds = 0;
  double connect_rate = 0;  // connections per second
  latency_summary connect_latency;
  // Traffic over the measured phase.
  std::uint64_t published = 0;
  std::uint64_t acked = 0;
  std::uint64_t ack_errors = 0;
  std::uint64_t received = 0;
  std::uint64_t expected = 0;  // deliveries the broker owes; 0 = unknown
  double publish_seconds = 0;  // until the last message was written
  double window_seconds = 0;   // until the last delivery or ack
  double publish_rate = 0;
  double delivery_rate = 0;    // received / window: the scenario's msgs/s
  latency_summary latency;
  // The broker (--broker-pid) and the generator over the same window.
  bool broker_sampled = false;
  double broker_cpu_seconds = 0;
  double broker_cpu_util = 0;        // of one core
  double broker_busy = 0;            // (cpu + waiting for a cpu) / wall: >= 0.9 = saturated
  double broker_cpu_us_per_msg = 0;  // per delivery (per connection for conn)
  std::uint64_t broker_rss_before = 0;
  std::uint64_t broker_rss_after = 0;
  double broker_rss_per_conn = 0;
  double generator_cpu_util = 0;
  // Verdict.
  bool complete = false;
  std::vector<std::string> problems;
};

void print_summary(const bench_options& o, const run_result& r);
void print_json(const bench_options& o, const run_result& r);

// "812.3k" style, for progress lines.
std::string short_number(double v);

}  // namespace gridmq::bench
