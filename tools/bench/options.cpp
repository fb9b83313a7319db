#include "options.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <map>

namespace gridmq::bench {

namespace {

const std::map<std::string, scenario_kind>& kinds() {
  static const std::map<std::string, scenario_kind> table = {
      {"conn", scenario_kind::conn},       {"pub", scenario_kind::pub},
      {"sub", scenario_kind::sub},         {"fan-in", scenario_kind::fan_in},
      {"fan-out", scenario_kind::fan_out}, {"p2p", scenario_kind::p2p},
      {"shared", scenario_kind::shared},   {"latency", scenario_kind::latency},
      {"conn-scale", scenario_kind::conn_scale}, {"drain", scenario_kind::drain}};
  return table;
}

// What the user left unset, filled in from the scenario. `n` is -c/--clients.
struct given {
  std::size_t n = 0;
  int qos = -1;
  int sub_qos = -1;
  int version = 0;
  double rate = -1;
  std::uint32_t source_ips = 0;
};

void apply_preset(bench_options& o, const given& g) {
  auto pick = [](std::size_t& field, std::size_t value) {
    if (field == 0) field = value;
  };
  auto text = [](std::string& field, const char* value) {
    if (field.empty()) field = value;
  };
  const std::size_t n = g.n;
  int qos = g.qos;
  int version = g.version;
  double rate = g.rate;
  switch (o.kind) {
    case scenario_kind::fan_in:
      pick(o.pubs, n ? n : 100), pick(o.subs, 1), text(o.topic, "bench/fan-in/%i"), text(o.filter, "#");
      break;
    case scenario_kind::fan_out:
      pick(o.pubs, 1), pick(o.subs, n ? n : 100), text(o.topic, "bench/fan-out"), text(o.filter, "bench/fan-out");
      break;
    case scenario_kind::p2p:
      pick(o.pubs, n ? n : 100), pick(o.subs, o.pubs), text(o.topic, "bench/p2p/%i"), text(o.filter, "bench/p2p/%i");
      o.interleave = true;
      break;
    case scenario_kind::shared:
      pick(o.pubs, n ? n : 100), pick(o.subs, 5), text(o.topic, "bench/shared/%i");
      text(o.filter, "$share/bench/bench/shared/#");
      if (version == 0) version = 5;  // $share is an MQTT 5 feature (4.8.2)
      break;
    case scenario_kind::latency:
      pick(o.pubs, n ? n : 1), pick(o.subs, 1), text(o.topic, "bench/latency/%i"), text(o.filter, "bench/latency/#");
      if (qos < 0) qos = 1;
      if (rate < 0) rate = 5000;
      break;
    case scenario_kind::drain:
      pick(o.pubs, 1), pick(o.subs, 1), text(o.topic, "bench/drain"), text(o.filter, "bench/drain");
      if (qos < 0) qos = 1;
      if (o.count == 0) o.count = n ? n : 100000;
      break;
    case scenario_kind::pub:
      pick(o.pubs, n ? n : 1), text(o.topic, "bench/pub/%i");
      break;
    case scenario_kind::sub:
      pick(o.subs, n ? n : 1), text(o.filter, "bench/#");
      break;
    case scenario_kind::conn:
      break;
    case scenario_kind::conn_scale:
      if (g.source_ips == 0) o.source_ips = 8;
      break;
  }
  if (o.kind == scenario_kind::conn || o.kind == scenario_kind::conn_scale) {
    o.pubs = o.subs = 0;
    o.conns = n ? n : (o.kind == scenario_kind::conn ? 100 : 1000);
  }
  o.qos_level = static_cast<protocol::qos>(qos < 0 ? 0 : qos);
  o.sub_qos_level = static_cast<protocol::qos>(g.sub_qos < 0 ? static_cast<int>(o.qos_level) : g.sub_qos);
  o.version = version == 5 ? protocol::protocol_version::v5
              : version == 3 ? protocol::protocol_version::v31
                             : protocol::protocol_version::v311;
  o.rate = rate < 0 ? 0 : rate;
  if (o.client_prefix.empty()) o.client_prefix = "gb" + std::to_string(::getpid()) + "-";
}

}  // namespace

const char* version_name(protocol::protocol_version v) noexcept {
  switch (v) {
    case protocol::protocol_version::v31: return "3.1";
    case protocol::protocol_version::v311: return "3.1.1";
    case protocol::protocol_version::v5: return "5";
  }
  return "?";
}

int parse_options(int argc, char** argv, bench_options& o) {
  CLI::App app{"gridmq-bench: MQTT load generator (modes conn, pub, sub; scenarios fan-in, fan-out, p2p, shared, "
               "latency, conn-scale, drain)"};
  app.set_help_all_flag("--help-all");
  given g;
  std::string version_text;
  app.add_option("mode", o.mode, "conn | pub | sub | fan-in | fan-out | p2p | shared | latency | conn-scale | drain")
      ->required();
  app.add_option("-H,--host", o.host, "broker address (IPv4)")->capture_default_str();
  app.add_option("-p,--port", o.port, "broker port")->capture_default_str();
  app.add_option("-V,--mqtt-version", version_text, "3.1.1 (or 4), 5, 3.1 (or 3); scenario default");
  app.add_option("-q,--qos", g.qos, "publish QoS 0/1/2")->check(CLI::Range(0, 2));
  app.add_option("--sub-qos", g.sub_qos, "subscription QoS (default: --qos)")->check(CLI::Range(0, 2));
  app.add_option("-c,--clients", g.n, "the scenario's N: pubs (fan-in, shared, pub), subs (fan-out, sub), pairs (p2p), "
                                      "connections (conn, conn-scale), messages (drain)");
  app.add_option("--pubs", o.pubs, "publishers (overrides the scenario)");
  app.add_option("--subs", o.subs, "subscribers (overrides the scenario)");
  app.add_option("-s,--size", o.payload, "payload bytes (>= 16 carries a send timestamp)")->capture_default_str();
  app.add_option("-r,--rate", g.rate, "total publish rate, msg/s over all publishers (0 = unlimited)");
  app.add_option("-d,--duration", o.duration, "seconds of publishing, or of holding connections")->capture_default_str();
  app.add_option("-n,--count", o.count, "total messages to publish (instead of --duration)");
  app.add_option("-t,--topic", o.topic, "publish topic template, %i = publisher index");
  app.add_option("-f,--filter", o.filter, "subscription filter template, %i = subscriber index");
  app.add_option("--inflight", o.inflight, "QoS 1/2 messages in flight per publisher")->capture_default_str();
  app.add_option("--max-backlog", o.max_backlog, "deliveries outstanding before publishers wait (0 = off)")
      ->capture_default_str();
  app.add_option("--connect-rate", o.connect_rate, "connections per second (0 = unlimited)");
  app.add_option("--connect-concurrency", o.connect_concurrency, "handshakes in progress at once")
      ->capture_default_str();
  app.add_option("--source-ips", g.source_ips, "connect from 127.0.0.1..127.0.0.N (conn-scale: 8)");
  app.add_option("--broker-pid", o.broker_pid, "broker process: CPU time and RSS from /proc");
  app.add_option("--keepalive", o.keep_alive, "keep alive seconds")->capture_default_str();
  app.add_option("--drain-timeout", o.drain_timeout, "give up after this many seconds without progress")
      ->capture_default_str();
  app.add_option("--connect-timeout", o.connect_timeout, "seconds to connect everybody")->capture_default_str();
  app.add_option("--client-prefix", o.client_prefix, "client id prefix (default gb<pid>-)");
  app.add_flag("--json", o.json, "final summary as one JSON object on stdout");
  app.add_flag("--quiet", o.quiet, "no progress lines");
  app.add_flag("--check", o.check, "exit 3 unless every message was delivered (and acked) as sent");
  app.add_flag("--verify", o.verify, "decode every received PUBLISH with protocol::decode too");
  app.add_flag("!--nagle", o.no_delay, "leave Nagle's algorithm on in the generator's sockets");
  app.add_flag("--quick-ack", o.quick_ack, "TCP_QUICKACK after every read (default: the kernel's delayed ACKs)");
  app.add_flag("--tls", o.tls, "connect with TLS 1.2/1.3 (the broker's mqtts:// listener)");
  app.add_option("--cafile", o.tls_settings.ca_file, "with --tls: CA certificates (PEM) to verify the broker with "
                                                     "(default: the system's)");
  app.add_option("--cert", o.tls_settings.cert_file, "with --tls: client certificate chain (PEM), for mutual TLS");
  app.add_option("--key", o.tls_settings.key_file, "with --tls: the client certificate's key (default: --cert)");
  app.add_option("--sni", o.tls_settings.server_name, "with --tls: server name to send and to check the certificate for");
  app.add_flag("--insecure", o.tls_settings.insecure, "with --tls: do not verify the broker's certificate");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  const auto k = kinds().find(o.mode);
  if (k == kinds().end()) {
    std::fprintf(stderr, "gridmq-bench: unknown mode '%s'\n", o.mode.c_str());
    return 1;
  }
  o.kind = k->second;
  if (!version_text.empty()) {
    if (version_text == "5" || version_text == "5.0") {
      g.version = 5;
    } else if (version_text == "4" || version_text == "3.1.1") {
      g.version = 4;
    } else if (version_text == "3" || version_text == "3.1") {
      g.version = 3;
    } else {
      std::fprintf(stderr, "gridmq-bench: unknown MQTT version '%s'\n", version_text.c_str());
      return 1;
    }
  }
  const bool tls_option_given = !o.tls_settings.ca_file.empty() || !o.tls_settings.cert_file.empty() ||
                                !o.tls_settings.key_file.empty() || !o.tls_settings.server_name.empty() ||
                                o.tls_settings.insecure;
  if (tls_option_given && !o.tls) {
    std::fprintf(stderr, "gridmq-bench: --cafile, --cert, --key, --sni and --insecure need --tls\n");
    return 1;
  }
  if (g.source_ips > 0) o.source_ips = g.source_ips;
  if (o.source_ips == 0 || o.source_ips > 254) {
    std::fprintf(stderr, "gridmq-bench: --source-ips must be 1..254\n");
    return 1;
  }
  apply_preset(o, g);
  return -1;
}

}  // namespace gridmq::bench
