// gridmq-bench's command line: a mode or scenario preset, then options.
// Presets fill in the options the user did not give (see options.cpp for
// the table); every preset stops by itself (duration or count).
#pragma once

#include <cstdint>
#include <string>

#include "protocol/packet.hpp"
#include "tls_link.hpp"

namespace gridmq::bench {

enum class scenario_kind : std::uint8_t { conn, pub, sub, fan_in, fan_out, p2p, shared, latency, conn_scale, drain };

struct bench_options {
  scenario_kind kind = scenario_kind::pub;
  std::string mode;  // as typed: "fan-in", ...

  std::string host = "127.0.0.1";
  std::uint16_t port = 1883;
  protocol::protocol_version version = protocol::protocol_version::v311;
  protocol::qos qos_level = protocol::qos::at_most_once;      // publishers
  protocol::qos sub_qos_level = protocol::qos::at_most_once;  // subscribers
  std::size_t pubs = 0;
  std::size_t subs = 0;
  std::size_t conns = 0;             // idle connections (conn, conn-scale)
  std::size_t payload = 64;          // bytes; >= 16 carries a timestamp
  double rate = 0;                   // total msg/s over all publishers, 0 = as fast as possible
  double duration = 10;              // seconds of publishing (or holding, for conn)
  std::uint64_t count = 0;           // total messages; 0 = use duration
  std::string topic;                 // publishers' topic template, %i = index
  std::string filter;                // subscribers' filter template, %i = index
  std::uint32_t inflight = 64;       // QoS 1/2 window per publisher
  std::uint64_t max_backlog = 20000; // deliveries sent but not yet received before publishers wait
  double connect_rate = 0;           // new connections per second, 0 = no limit
  // Within a listen backlog of 100 (Mosquitto's): handshakes, not SYN retries, are timed.
  std::uint32_t connect_concurrency = 100;
  std::uint32_t source_ips = 1;      // connect from 127.0.0.1 .. 127.0.0.N
  int broker_pid = 0;                // for CPU and RSS from /proc
  std::uint16_t keep_alive = 60;
  std::uint32_t session_expiry = 3600;  // v5 persistent sessions (drain)
  double drain_timeout = 5;          // seconds without progress before giving up on missing messages
  double connect_timeout = 30;
  bool interleave = false;           // connect subscriber i then publisher i (p2p)
  bool json = false;
  bool quiet = false;
  bool check = false;                // exit 3 unless everything sent was delivered and acked
  bool verify = false;
  bool no_delay = true;
  bool quick_ack = false;
  std::string client_prefix;
  bool tls = false;  // connect with TLS (tls_options below)
  tls_options tls_settings;
};

// Parses argv into `out` and applies the preset. Returns -1 to go on, or
// the exit code to leave with (0 after --help, 1 after a usage error).
int parse_options(int argc, char** argv, bench_options& out);

const char* version_name(protocol::protocol_version v) noexcept;

}  // namespace gridmq::bench
