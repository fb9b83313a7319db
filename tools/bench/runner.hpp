// Runs one scenario on one thread: creates the clients of the plan, drives
// them through the phases (connect, subscribe, publish, wait for the last
// deliveries, disconnect) on one event loop, prints progress, and measures.
//
// The publish phase is closed-loop: publishers stop writing while more than
// --max-backlog deliveries are outstanding (sent, not yet received), so an
// overloaded broker is measured at its own pace instead of by how much it
// drops or buffers; a fixed --rate paces them with a token bucket instead.
#pragma once

#include <netinet/in.h>

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "event_loop.hpp"
#include "mqtt_client.hpp"
#include "options.hpp"
#include "plan.hpp"
#include "proc_stats.hpp"
#include "report.hpp"
#include "traffic_counters.hpp"

namespace gridmq::bench {

class runner {
 public:
  runner(const bench_options& options, run_plan plan);
  run_result run();

 private:
  struct publish_limits {
    double rate = 0;            // msg/s, 0 = unlimited
    double duration = 0;        // seconds, 0 = until count
    std::uint64_t count = 0;    // 0 = until duration
    std::uint64_t fanout = 0;   // 0 = no backlog control
    std::uint64_t max_backlog = 0;
  };
  struct window_start {
    std::uint64_t ns = 0;
    std::uint64_t published = 0, acked = 0, received = 0;
    process_sample broker;
    double self_cpu = 0;
  };

  // Scenario sequences (scenarios.cpp).
  run_result run_traffic();
  run_result run_idle();
  run_result run_drain();

  // Building blocks (runner.cpp).
  std::vector<mqtt_client*> add_clients(const std::vector<client_spec>& specs);
  std::vector<mqtt_client*> with_role(client_role role) const;
  bool connect_clients(const std::vector<mqtt_client*>& group);
  bool subscribe_clients(const std::vector<mqtt_client*>& group);
  void publish_phase(const std::vector<mqtt_client*>& pubs, const publish_limits& limits);
  std::size_t publish_round(const std::vector<mqtt_client*>& pubs, std::uint64_t budget, bool paced, std::uint64_t now);
  void wait_quiet(std::uint64_t expected_received, std::uint64_t received_base);
  void disconnect_clients(const std::vector<mqtt_client*>& group);
  void poll(std::int64_t timeout_ns);
  void progress(std::uint64_t now);

  window_start begin_window();
  void end_window(const window_start& w, run_result& r, std::uint64_t deliveries);
  void finish_result(run_result& r) const;

  const bench_options& options_;
  run_plan plan_;
  std::unique_ptr<tls_config> tls_;  // --tls
  client_settings settings_;
  traffic_counters counters_;
  event_loop loop_;
  std::vector<std::uint8_t> scratch_;
  std::vector<std::unique_ptr<mqtt_client>> clients_;
  sockaddr_in server_{};
  std::vector<sockaddr_in> sources_;
  std::size_t next_source_ = 0;
  std::size_t next_publisher_ = 0;  // where the next publish round starts

  std::string phase_ = "start";
  std::uint64_t started_ns_ = 0;
  std::uint64_t next_progress_ns_ = 0;
  std::uint64_t next_ping_ns_ = 0;
  struct snapshot {
    std::uint64_t published = 0, acked = 0, received = 0, connected = 0;
  };
  snapshot last_;  // counters at the previous progress line
  std::uint64_t last_progress_ns_ = 0;
};

}  // namespace gridmq::bench
