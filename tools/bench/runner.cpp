#include "runner.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace gridmq::bench {

namespace {
constexpr std::uint64_t second = 1000000000ull;
constexpr std::uint64_t ms = 1000000ull;
// One read can take 256 KiB: a few thousand small PUBLISHes per recv().
constexpr std::size_t scratch_size = 256 * 1024;
// Messages one publisher writes per send() when unpaced: ~5-10 KiB.
constexpr std::uint64_t unpaced_batch = 96;

std::uint64_t to_ns(double seconds) { return static_cast<std::uint64_t>(std::max(0.0, seconds) * 1e9); }
}  // namespace

runner::runner(const bench_options& options, run_plan plan)
    : options_(options), plan_(std::move(plan)), scratch_(scratch_size) {
  settings_.version = options.version;
  settings_.keep_alive = options.keep_alive;
  settings_.payload_size = options.payload;
  settings_.inflight = options.inflight;
  settings_.no_delay = options.no_delay;
  settings_.quick_ack = options.quick_ack;
  settings_.verify = options.verify;
  if (options.tls) {
    tls_ = std::make_unique<tls_config>(options.tls_settings);
    settings_.tls = tls_.get();
  }
  server_.sin_family = AF_INET;
  server_.sin_port = htons(options.port);
  if (inet_pton(AF_INET, options.host.c_str(), &server_.sin_addr) != 1) {
    throw std::invalid_argument("--host must be an IPv4 address: " + options.host);
  }
  if (options.source_ips > 1) {
    for (std::uint32_t i = 1; i <= options.source_ips; ++i) {
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_addr.s_addr = htonl((127u << 24) | i);  // 127.0.0.i: all of 127/8 is loopback
      sources_.push_back(a);
    }
  }
}

run_result runner::run() {
  started_ns_ = monotonic_ns();
  next_progress_ns_ = started_ns_ + second;
  last_progress_ns_ = started_ns_;
  next_ping_ns_ = started_ns_ + std::max<std::uint64_t>(1, options_.keep_alive / 2) * second;
  run_result r;
  switch (options_.kind) {
    case scenario_kind::conn:
    case scenario_kind::conn_scale:
      r = run_idle();
      break;
    case scenario_kind::drain:
      r = run_drain();
      break;
    default:
      r = run_traffic();
      break;
  }
  finish_result(r);
  return r;
}

std::vector<mqtt_client*> runner::add_clients(const std::vector<client_spec>& specs) {
  std::vector<mqtt_client*> added;
  for (const auto& spec : specs) {
    clients_.push_back(std::make_unique<mqtt_client>(spec, settings_, counters_, loop_, std::span(scratch_)));
    added.push_back(clients_.back().get());
  }
  return added;
}

std::vector<mqtt_client*> runner::with_role(client_role role) const {
  std::vector<mqtt_client*> out;
  for (const auto& c : clients_) {
    if (c->spec().role == role) out.push_back(c.get());
  }
  return out;
}

void runner::poll(std::int64_t timeout_ns) {
  const std::uint64_t now = monotonic_ns();
  // Never sleep past the next progress line.
  const auto until_progress = static_cast<std::int64_t>(next_progress_ns_ > now ? next_progress_ns_ - now : 0);
  if (timeout_ns < 0 || timeout_ns > until_progress) timeout_ns = until_progress;
  for (const epoll_event& ev : loop_.wait(timeout_ns)) static_cast<mqtt_client*>(ev.data.ptr)->on_event(ev.events);
  const std::uint64_t after = monotonic_ns();
  if (after >= next_progress_ns_) progress(after);
  if (after >= next_ping_ns_) {
    // [MQTT-3.1.2-22] the broker drops a client silent for 1.5 x keep alive.
    for (auto& c : clients_) c->ping();
    next_ping_ns_ = after + std::max<std::uint64_t>(1, options_.keep_alive / 2) * second;
  }
}

bool runner::connect_clients(const std::vector<mqtt_client*>& group) {
  const std::uint64_t t0 = monotonic_ns();
  const std::uint64_t deadline = t0 + to_ns(options_.connect_timeout);
  const std::uint64_t ok0 = counters_.connected;
  const std::uint64_t failed0 = counters_.connect_failed;
  std::size_t next = 0;
  for (;;) {
    const std::uint64_t now = monotonic_ns();
    const std::uint64_t done = (counters_.connected - ok0) + (counters_.connect_failed - failed0);
    if (done >= group.size()) break;
    if (now >= deadline) {
      std::fprintf(stderr, "gridmq-bench: %llu of %zu connections not done after %.0f s\n",
                   static_cast<unsigned long long>(group.size() - done), group.size(), options_.connect_timeout);
      break;
    }
    // Start what the concurrency and the connect rate allow.
    const double elapsed = static_cast<double>(now - t0) / 1e9;
    const std::size_t allowed_by_rate =
        options_.connect_rate > 0 ? static_cast<std::size_t>(options_.connect_rate * elapsed) + 1 : group.size();
    while (next < group.size() && next - done < options_.connect_concurrency && next < allowed_by_rate) {
      const sockaddr_in* source = sources_.empty() ? nullptr : &sources_[next_source_++ % sources_.size()];
      group[next++]->start(server_, source, now);
    }
    std::int64_t wait = static_cast<std::int64_t>(10 * ms);
    if (options_.connect_rate > 0 && next < group.size() && next < allowed_by_rate + 1) {
      wait = static_cast<std::int64_t>(1e9 / options_.connect_rate);
    }
    poll(wait);
  }
  for (auto* c : group) {
    if (c->current() == mqtt_client::state::connecting || c->current() == mqtt_client::state::awaiting_connack) {
      c->abort();
      ++counters_.connect_failed;
    }
  }
  return counters_.connected - ok0 == group.size();
}

bool runner::subscribe_clients(const std::vector<mqtt_client*>& group) {
  const std::uint64_t sub0 = counters_.subscribed;
  std::size_t asked = 0;
  for (auto* c : group) {
    if (c->current() == mqtt_client::state::ready) {
      c->subscribe();
      ++asked;
    }
  }
  const std::uint64_t deadline = monotonic_ns() + 10 * second;
  while (counters_.subscribed - sub0 < asked && monotonic_ns() < deadline) {
    const bool waiting = std::any_of(group.begin(), group.end(),
                                     [](auto* c) { return c->current() == mqtt_client::state::subscribing; });
    if (!waiting) break;
    poll(static_cast<std::int64_t>(10 * ms));
  }
  return counters_.subscribed - sub0 == group.size();
}

std::size_t runner::publish_round(const std::vector<mqtt_client*>& pubs, std::uint64_t budget, bool paced,
                                  std::uint64_t now) {
  // Round robin from where the last round stopped, a share of the budget
  // each, so a fixed rate is spread over every publisher.
  // Unpaced, each takes a whole batch in turn: fewer, bigger send()s.
  const std::uint64_t share = paced
      ? std::max<std::uint64_t>(1, std::min(unpaced_batch, (budget + pubs.size() - 1) / pubs.size()))
      : unpaced_batch;
  std::size_t wrote = 0;
  for (std::size_t k = 0; k < pubs.size() && budget > 0; ++k) {
    mqtt_client* c = pubs[(next_publisher_ + k) % pubs.size()];
    const std::size_t n = c->publish(static_cast<std::size_t>(std::min(share, budget)), now);
    budget -= n;
    wrote += n;
  }
  next_publisher_ = (next_publisher_ + 1) % pubs.size();
  return wrote;
}

void runner::publish_phase(const std::vector<mqtt_client*>& pubs, const publish_limits& limits) {
  if (pubs.empty()) return;
  phase_ = "publish";
  const std::uint64_t t0 = monotonic_ns();
  const std::uint64_t end = limits.duration > 0 ? t0 + to_ns(limits.duration) : UINT64_MAX;
  const std::uint64_t sent0 = counters_.published;
  const std::uint64_t recv0 = counters_.received;
  // Paced publishers wait for a batch of 50 us worth of tokens, not one.
  const std::uint64_t min_batch = limits.rate > 0 ? std::max<std::uint64_t>(1, static_cast<std::uint64_t>(limits.rate / 20000)) : 1;
  // Backlog room worth writing: a quarter of the backlog, at most a batch per publisher.
  const std::uint64_t min_room =
      limits.fanout > 0 ? std::max<std::uint64_t>(1, std::min<std::uint64_t>(unpaced_batch, limits.max_backlog / limits.fanout / 4)) : 1;
  // A broker that stops delivering (or acking) would hold a backlog- or
  // window-limited publisher forever: give up after --drain-timeout
  // seconds without any progress.
  const std::uint64_t stall = to_ns(options_.drain_timeout);
  std::uint64_t last_seen = 0;
  std::uint64_t last_change = t0;
  for (;;) {
    const std::uint64_t now = monotonic_ns();
    const std::uint64_t sent = counters_.published - sent0;
    if (now >= end || (limits.count > 0 && sent >= limits.count)) break;
    if (std::none_of(pubs.begin(), pubs.end(), [](auto* c) { return c->is_open(); })) break;
    const std::uint64_t seen = counters_.published + counters_.acked + counters_.received;
    if (seen != last_seen) {
      last_seen = seen;
      last_change = now;
    } else if (now - last_change >= stall) {
      std::fprintf(stderr, "gridmq-bench: no progress for %.1f s: publishing stopped\n", options_.drain_timeout);
      break;
    }
    std::uint64_t budget = UINT64_MAX;
    std::int64_t wait = static_cast<std::int64_t>(10 * ms);
    if (limits.rate > 0) {
      const auto due = static_cast<std::uint64_t>(limits.rate * static_cast<double>(now - t0) / 1e9);
      budget = due > sent ? due - sent : 0;
      if (budget < min_batch) {
        budget = 0;
        const double at = static_cast<double>(sent + min_batch) / limits.rate * 1e9;
        wait = std::max<std::int64_t>(0, static_cast<std::int64_t>(at) - static_cast<std::int64_t>(now - t0));
      }
    }
    if (limits.count > 0) budget = std::min(budget, limits.count - sent);
    if (limits.fanout > 0 && limits.max_backlog > 0) {
      const std::uint64_t owed = sent * limits.fanout;
      const std::uint64_t got = counters_.received - recv0;
      const std::uint64_t outstanding = owed > got ? owed - got : 0;
      const std::uint64_t room = outstanding >= limits.max_backlog ? 0 : limits.max_backlog - outstanding;
      // Wait until a batch fits (or the count's last messages do): refilling
      // one message at a time would cost a send() per message.
      std::uint64_t fits = room / limits.fanout;
      const std::uint64_t left = limits.count > 0 ? limits.count - sent : UINT64_MAX;
      if (fits < std::min({min_room, left, std::max<std::uint64_t>(1, limits.max_backlog / limits.fanout)})) fits = 0;
      budget = std::min(budget, fits);
    }
    std::size_t wrote = 0;
    if (budget > 0) wrote = publish_round(pubs, budget, limits.rate > 0, now);
    const bool more = wrote > 0 && budget > wrote;
    poll(more ? 0 : std::min<std::int64_t>(wait, static_cast<std::int64_t>(end - std::min(end, now))));
  }
}

void runner::wait_quiet(std::uint64_t expected_received, std::uint64_t received_base) {
  // Done when every delivery came and every QoS 1/2 publish was acked; gives
  // up after --drain-timeout seconds without progress.
  phase_ = "wait";
  const std::uint64_t quiet = to_ns(options_.drain_timeout);
  std::uint64_t last_seen = counters_.received + counters_.acked;
  std::uint64_t last_change = monotonic_ns();
  for (;;) {
    const bool all_received = expected_received == 0 || counters_.received - received_base >= expected_received;
    const bool all_acked = std::all_of(clients_.begin(), clients_.end(), [](const auto& c) {
      return c->spec().role != client_role::publisher || c->inflight() == 0 || !c->is_open();
    });
    if (all_received && all_acked) return;
    const std::uint64_t now = monotonic_ns();
    const std::uint64_t seen = counters_.received + counters_.acked;
    if (seen != last_seen) {
      last_seen = seen;
      last_change = now;
    } else if (now - last_change >= quiet) {
      return;
    }
    poll(static_cast<std::int64_t>(20 * ms));
  }
}

void runner::disconnect_clients(const std::vector<mqtt_client*>& group) {
  phase_ = "disconnect";
  for (auto* c : group) c->disconnect();
  const std::uint64_t deadline = monotonic_ns() + 2 * second;
  while (monotonic_ns() < deadline &&
         std::any_of(group.begin(), group.end(), [](auto* c) { return c->is_open(); })) {
    poll(static_cast<std::int64_t>(10 * ms));
  }
  for (auto* c : group) c->abort();
}

void runner::progress(std::uint64_t now) {
  const double dt = static_cast<double>(now - last_progress_ns_) / 1e9;
  const double t = static_cast<double>(now - started_ns_) / 1e9;
  auto rate = [dt](std::uint64_t a, std::uint64_t b) { return dt > 0 ? static_cast<double>(a - b) / dt : 0.0; };
  if (!options_.quiet) {
    const latency_summary lat = summarize(counters_.interval_latency);
    std::fprintf(stderr,
                 "[%6.1fs] %-10s conns %llu (+%s/s) lost %llu  pub %s/s  ack %s/s  recv %s/s  lat p50 %.0fus p99 "
                 "%.0fus\n",
                 t, phase_.c_str(), static_cast<unsigned long long>(counters_.connected - counters_.lost),
                 short_number(rate(counters_.connected, last_.connected)).c_str(),
                 static_cast<unsigned long long>(counters_.lost),
                 short_number(rate(counters_.published, last_.published)).c_str(),
                 short_number(rate(counters_.acked, last_.acked)).c_str(),
                 short_number(rate(counters_.received, last_.received)).c_str(), lat.p50_us, lat.p99_us);
  }
  counters_.interval_latency.reset();
  last_ = {counters_.published, counters_.acked, counters_.received, counters_.connected};
  last_progress_ns_ = now;
  while (next_progress_ns_ <= now) next_progress_ns_ += second;
}

runner::window_start runner::begin_window() {
  window_start w;
  counters_.latency.reset();
  w.ns = monotonic_ns();
  w.published = counters_.published;
  w.acked = counters_.acked;
  w.received = counters_.received;
  w.broker = sample_process(options_.broker_pid);
  w.self_cpu = self_cpu_seconds();
  return w;
}

void runner::end_window(const window_start& w, run_result& r, std::uint64_t deliveries) {
  const process_sample b = sample_process(options_.broker_pid);
  const double self = self_cpu_seconds();
  const std::uint64_t now = monotonic_ns();
  r.published = counters_.published - w.published;
  r.acked = counters_.acked - w.acked;
  r.received = counters_.received - w.received;
  const std::uint64_t last = std::max({counters_.last_receive_ns, counters_.last_ack_ns, w.ns + 1});
  const double window = static_cast<double>((r.received > 0 || r.acked > 0 ? last : now) - w.ns) / 1e9;
  r.window_seconds = window;
  if (r.publish_seconds > 0) r.publish_rate = static_cast<double>(r.published) / r.publish_seconds;
  r.delivery_rate = window > 0 ? static_cast<double>(r.received) / window : 0;
  r.latency = summarize(counters_.latency);
  const double wall = static_cast<double>(now - w.ns) / 1e9;
  r.generator_cpu_util = wall > 0 ? (self - w.self_cpu) / wall : 0;
  if (w.broker.ok && b.ok) {
    r.broker_sampled = true;
    r.broker_cpu_seconds = b.cpu_seconds - w.broker.cpu_seconds;
    r.broker_cpu_util = wall > 0 ? r.broker_cpu_seconds / wall : 0;
    const double waited = b.wait_seconds - w.broker.wait_seconds;
    r.broker_busy = wall > 0 ? (r.broker_cpu_seconds + waited) / wall : 0;
    if (deliveries > 0) r.broker_cpu_us_per_msg = r.broker_cpu_seconds * 1e6 / static_cast<double>(deliveries);
    r.broker_rss_after = b.rss_bytes;
  }
}

void runner::finish_result(run_result& r) const {
  r.clients = clients_.size();
  r.connect_failed = counters_.connect_failed;
  r.lost = counters_.lost;
  r.protocol_errors = counters_.protocol_errors;
  r.ack_errors = counters_.ack_errors;
  r.connect_latency = summarize(counters_.connect_latency);
  if (r.connect_failed > 0) r.problems.push_back(std::to_string(r.connect_failed) + " connections failed");
  if (r.lost > 0) r.problems.push_back(std::to_string(r.lost) + " connections lost");
  if (r.protocol_errors > 0) r.problems.push_back(std::to_string(r.protocol_errors) + " protocol errors");
  if (r.ack_errors > 0) r.problems.push_back(std::to_string(r.ack_errors) + " publishes refused");
  if (r.expected > 0 && r.received != r.expected) {
    r.problems.push_back("delivered " + std::to_string(r.received) + " of " + std::to_string(r.expected));
  }
  if (options_.qos_level != protocol::qos::at_most_once && r.acked != r.published) {
    r.problems.push_back("acked " + std::to_string(r.acked) + " of " + std::to_string(r.published));
  }
  r.complete = r.problems.empty();
}

}  // namespace gridmq::bench
