#include "report.hpp"

#include <cstdio>
#include <string>

namespace gridmq::bench {

namespace {

const char* scenario_label(const bench_options& o) { return o.mode.c_str(); }

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

void json_latency(std::FILE* f, const char* name, const latency_summary& l) {
  std::fprintf(f, "\"%s\":{\"count\":%llu,\"p50_us\":%.1f,\"p99_us\":%.1f,\"p999_us\":%.1f,\"max_us\":%.1f,\"mean_us\":%.1f}",
               name, static_cast<unsigned long long>(l.count), l.p50_us, l.p99_us, l.p999_us, l.max_us, l.mean_us);
}

}  // namespace

latency_summary summarize(const latency_histogram& h) {
  latency_summary s;
  s.count = h.count();
  s.p50_us = static_cast<double>(h.quantile(0.50)) / 1e3;
  s.p99_us = static_cast<double>(h.quantile(0.99)) / 1e3;
  s.p999_us = static_cast<double>(h.quantile(0.999)) / 1e3;
  s.max_us = static_cast<double>(h.max()) / 1e3;
  s.mean_us = h.mean() / 1e3;
  return s;
}

std::string short_number(double v) {
  char buf[32];
  if (v >= 1e6) {
    std::snprintf(buf, sizeof buf, "%.2fM", v / 1e6);
  } else if (v >= 1e4) {
    std::snprintf(buf, sizeof buf, "%.1fk", v / 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  }
  return buf;
}

void print_summary(const bench_options& o, const run_result& r) {
  std::FILE* f = stdout;
  std::fprintf(f, "scenario     %s: MQTT %s, QoS %d (sub QoS %d), %zu B, %zu pubs, %zu subs, %zu idle%s\n",
               scenario_label(o), version_name(o.version), static_cast<int>(o.qos_level),
               static_cast<int>(o.sub_qos_level), o.payload, o.pubs, o.subs, o.conns,
               o.rate > 0 ? (", rate " + short_number(o.rate) + "/s").c_str() : "");
  std::fprintf(f, "connections  %llu of %llu in %.2f s (%.0f/s), connect p50 %.0f us p99 %.0f us\n",
               static_cast<unsigned long long>(r.connected), static_cast<unsigned long long>(r.clients),
               r.connect_seconds, r.connect_rate > 0 ? r.connect_rate : (r.connect_seconds > 0 ? static_cast<double>(r.connected) / r.connect_seconds : 0.0),
               r.connect_latency.p50_us, r.connect_latency.p99_us);
  if (o.kind != scenario_kind::conn && o.kind != scenario_kind::conn_scale) {
    std::fprintf(f, "published    %llu in %.2f s (%.0f msg/s), acked %llu\n",
                 static_cast<unsigned long long>(r.published), r.publish_seconds, r.publish_rate,
                 static_cast<unsigned long long>(r.acked));
    std::fprintf(f, "delivered    %llu", static_cast<unsigned long long>(r.received));
    if (r.expected > 0) std::fprintf(f, " of %llu", static_cast<unsigned long long>(r.expected));
    std::fprintf(f, " in %.2f s: %.0f msg/s\n", r.window_seconds, r.delivery_rate);
    // A drained message's stamp is from before the session came back: no latency.
    if (o.kind != scenario_kind::drain)
      std::fprintf(f, "latency      p50 %.1f us  p99 %.1f us  p99.9 %.1f us  max %.1f us  (%llu samples)\n",
                 r.latency.p50_us, r.latency.p99_us, r.latency.p999_us, r.latency.max_us,
                 static_cast<unsigned long long>(r.latency.count));
  }
  if (r.broker_sampled) {
    std::fprintf(f, "broker       cpu %.3f s (%.0f %% of a core, busy %.0f %%), %.3f us per %s, rss %.1f MiB -> %.1f MiB",
                 r.broker_cpu_seconds, r.broker_cpu_util * 100, r.broker_busy * 100, r.broker_cpu_us_per_msg,
                 o.kind == scenario_kind::conn || o.kind == scenario_kind::conn_scale ? "connection" : "delivery",
                 static_cast<double>(r.broker_rss_before) / 1048576.0, static_cast<double>(r.broker_rss_after) / 1048576.0);
    if (r.broker_rss_per_conn != 0) std::fprintf(f, ", %.0f B per connection", r.broker_rss_per_conn);
    std::fprintf(f, "\n");
  }
  std::fprintf(f, "generator    cpu %.0f %% of a core\n", r.generator_cpu_util * 100);
  std::fprintf(f, "result       %s", r.complete ? "complete" : "INCOMPLETE:");
  for (const auto& p : r.problems) std::fprintf(f, " %s;", p.c_str());
  std::fprintf(f, "\n");
}

void print_json(const bench_options& o, const run_result& r) {
  std::FILE* f = stdout;
  std::fprintf(f, "{\"scenario\":%s,\"mqtt_version\":\"%s\",\"qos\":%d,\"sub_qos\":%d,\"payload\":%zu,", json_string(o.mode).c_str(),
               version_name(o.version), static_cast<int>(o.qos_level), static_cast<int>(o.sub_qos_level), o.payload);
  std::fprintf(f, "\"pubs\":%zu,\"subs\":%zu,\"conns\":%zu,\"rate_limit\":%.1f,", o.pubs, o.subs, o.conns, o.rate);
  std::fprintf(f, "\"clients\":%llu,\"connected\":%llu,\"connect_failed\":%llu,\"lost\":%llu,\"protocol_errors\":%llu,",
               static_cast<unsigned long long>(r.clients), static_cast<unsigned long long>(r.connected),
               static_cast<unsigned long long>(r.connect_failed), static_cast<unsigned long long>(r.lost),
               static_cast<unsigned long long>(r.protocol_errors));
  std::fprintf(f, "\"connect_seconds\":%.4f,\"connect_rate\":%.1f,", r.connect_seconds, r.connect_rate);
  json_latency(f, "connect_latency", r.connect_latency);
  std::fprintf(f, ",\"published\":%llu,\"acked\":%llu,\"ack_errors\":%llu,\"received\":%llu,\"expected\":%llu,",
               static_cast<unsigned long long>(r.published), static_cast<unsigned long long>(r.acked),
               static_cast<unsigned long long>(r.ack_errors), static_cast<unsigned long long>(r.received),
               static_cast<unsigned long long>(r.expected));
  std::fprintf(f, "\"publish_seconds\":%.4f,\"window_seconds\":%.4f,\"publish_rate\":%.1f,\"delivery_rate\":%.1f,",
               r.publish_seconds, r.window_seconds, r.publish_rate, r.delivery_rate);
  json_latency(f, "latency", r.latency);
  std::fprintf(f, ",\"broker_sampled\":%s,\"broker_cpu_seconds\":%.4f,\"broker_cpu_util\":%.4f,\"broker_busy\":%.4f,"
               "\"broker_cpu_us_per_msg\":%.4f,\"broker_rss_before\":%llu,\"broker_rss_after\":%llu,"
               "\"broker_rss_per_conn\":%.1f,\"generator_cpu_util\":%.4f,",
               r.broker_sampled ? "true" : "false", r.broker_cpu_seconds, r.broker_cpu_util, r.broker_busy,
               r.broker_cpu_us_per_msg,
               static_cast<unsigned long long>(r.broker_rss_before), static_cast<unsigned long long>(r.broker_rss_after),
               r.broker_rss_per_conn, r.generator_cpu_util);
  std::fprintf(f, "\"complete\":%s,\"problems\":[", r.complete ? "true" : "false");
  for (std::size_t i = 0; i < r.problems.size(); ++i) {
    std::fprintf(f, "%s%s", i ? "," : "", json_string(r.problems[i]).c_str());
  }
  std::fprintf(f, "]}\n");
}

}  // namespace gridmq::bench
