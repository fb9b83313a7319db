// runner: the three shapes of a run. Traffic scenarios (fan-in, fan-out,
// p2p, shared, latency, pub, sub) measure deliveries; idle ones (conn,
// conn-scale) measure connecting and memory; drain measures how fast a
// persistent session's offline queue empties.
#include <cstdio>

#include "runner.hpp"

namespace gridmq::bench {

run_result runner::run_traffic() {
  run_result r;
  const process_sample before = sample_process(options_.broker_pid);
  r.broker_rss_before = before.rss_bytes;
  add_clients(plan_.clients);
  auto subs = with_role(client_role::subscriber);
  auto pubs = with_role(client_role::publisher);
  std::vector<mqtt_client*> all;
  for (auto& c : clients_) all.push_back(c.get());

  phase_ = "connect";
  const std::uint64_t t0 = monotonic_ns();
  const bool connected = connect_clients(all);
  r.connect_seconds = static_cast<double>(monotonic_ns() - t0) / 1e9;
  r.connected = counters_.connected;
  if (connected) {
    phase_ = "subscribe";
    if (!subscribe_clients(subs)) r.problems.push_back("not every subscription was granted");
  }
  if (connected && r.problems.empty()) {
    publish_limits limits;
    limits.rate = options_.rate;
    limits.duration = options_.count > 0 ? 0 : options_.duration;
    limits.count = options_.count;
    limits.fanout = plan_.fanout;
    limits.max_backlog = options_.max_backlog;
    const window_start w = begin_window();
    publish_phase(pubs, limits);
    r.publish_seconds = static_cast<double>(monotonic_ns() - w.ns) / 1e9;
    // `sub` alone waits for what others publish: its duration is the window.
    if (pubs.empty()) {
      phase_ = "receive";
      const std::uint64_t end = w.ns + static_cast<std::uint64_t>(options_.duration * 1e9);
      while (monotonic_ns() < end && (options_.count == 0 || counters_.received - w.received < options_.count)) {
        poll(static_cast<std::int64_t>(end - monotonic_ns()));
      }
    } else {
      const std::uint64_t owed = plan_.fanout * (counters_.published - w.published);
      wait_quiet(owed, w.received);
    }
    r.expected = plan_.fanout * (counters_.published - w.published);
    end_window(w, r, r.expected > 0 ? r.expected : counters_.published - w.published);
  }
  disconnect_clients(all);
  return r;
}

run_result runner::run_idle() {
  run_result r;
  const process_sample before = sample_process(options_.broker_pid);
  r.broker_rss_before = before.rss_bytes;
  auto all = add_clients(plan_.clients);
  phase_ = "connect";
  const window_start w = begin_window();
  connect_clients(all);
  r.connect_seconds = static_cast<double>(monotonic_ns() - w.ns) / 1e9;
  r.connected = counters_.connected;
  r.connect_rate = r.connect_seconds > 0 ? static_cast<double>(r.connected) / r.connect_seconds : 0;
  // Broker CPU per connection: the connect phase only.
  end_window(w, r, 0);
  if (r.broker_sampled && r.connected > 0) r.broker_cpu_us_per_msg = r.broker_cpu_seconds * 1e6 / static_cast<double>(r.connected);
  phase_ = "hold";
  const std::uint64_t end = monotonic_ns() + static_cast<std::uint64_t>(options_.duration * 1e9);
  while (monotonic_ns() < end) poll(static_cast<std::int64_t>(end - monotonic_ns()));
  const process_sample after = sample_process(options_.broker_pid);
  if (before.ok && after.ok && r.connected > 0) {
    r.broker_rss_after = after.rss_bytes;
    r.broker_rss_per_conn =
        (static_cast<double>(after.rss_bytes) - static_cast<double>(before.rss_bytes)) / static_cast<double>(r.connected);
  }
  // Idle clients just close: thousands of DISCONNECTs would measure nothing.
  phase_ = "close";
  for (auto* c : all) c->abort();
  return r;
}

run_result runner::run_drain() {
  run_result r;
  const auto sub_spec = plan_.clients.front().role == client_role::subscriber ? plan_.clients.front() : plan_.clients.back();
  std::vector<client_spec> pub_specs;
  for (const auto& s : plan_.clients) {
    if (s.role == client_role::publisher) pub_specs.push_back(s);
  }
  // 1. The persistent session: connect, subscribe, leave.
  phase_ = "session";
  auto sub = add_clients({sub_spec});
  if (!connect_clients(sub) || !subscribe_clients(sub)) {
    r.problems.push_back("could not set up the persistent session");
    return r;
  }
  disconnect_clients(sub);  // waits until the broker closed it: the session is offline
  // 2. Fill its queue while it is offline.
  auto pubs = add_clients(pub_specs);
  if (!connect_clients(pubs)) {
    r.problems.push_back("publishers could not connect");
    return r;
  }
  publish_limits fill;
  fill.count = options_.count;
  fill.rate = options_.rate;
  const std::uint64_t filled0 = counters_.published;
  const std::uint64_t fill_start = monotonic_ns();
  phase_ = "fill";
  publish_phase(pubs, fill);
  wait_quiet(0, counters_.received);
  const std::uint64_t filled = counters_.published - filled0;
  if (!options_.quiet) {
    std::fprintf(stderr, "gridmq-bench: queued %llu messages for the offline session in %.2f s\n",
                 static_cast<unsigned long long>(filled), static_cast<double>(monotonic_ns() - fill_start) / 1e9);
  }
  disconnect_clients(pubs);
  // 3. Come back and drain: the window runs from CONNECT to the last message.
  phase_ = "drain";
  const std::uint64_t session0 = counters_.session_present;
  const window_start w = begin_window();
  r.broker_rss_before = w.broker.rss_bytes;
  auto back = add_clients({sub_spec});
  if (!connect_clients(back)) {
    r.problems.push_back("the subscriber could not reconnect");
    return r;
  }
  if (counters_.session_present == session0) r.problems.push_back("CONNACK said Session Present 0: the session was lost");
  wait_quiet(filled, w.received);
  r.expected = filled;
  end_window(w, r, filled);
  r.published = filled;
  r.acked = counters_.acked;
  r.connected = counters_.connected;
  disconnect_clients(back);
  return r;
}

}  // namespace gridmq::bench
