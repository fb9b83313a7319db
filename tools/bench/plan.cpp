#include "plan.hpp"

namespace gridmq::bench {

std::string expand_template(const std::string& text, std::size_t index) {
  std::string out;
  out.reserve(text.size() + 8);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 1 < text.size() && text[i + 1] == 'i') {
      out += std::to_string(index);
      ++i;
    } else {
      out += text[i];
    }
  }
  return out;
}

namespace {

client_spec publisher(const bench_options& o, std::size_t i) {
  client_spec c;
  c.role = client_role::publisher;
  c.index = i;
  c.client_id = o.client_prefix + "p" + std::to_string(i);
  c.topic = expand_template(o.topic, i);
  c.qos_level = o.qos_level;
  return c;
}

client_spec subscriber(const bench_options& o, std::size_t i) {
  client_spec c;
  c.role = client_role::subscriber;
  c.index = i;
  c.client_id = o.client_prefix + "s" + std::to_string(i);
  c.topic = expand_template(o.filter, i);
  c.qos_level = o.sub_qos_level;
  if (o.kind == scenario_kind::drain) {
    // [MQTT-3.1.2-4] a persistent session: 3.1.1 Clean Session 0, v5 Clean
    // Start 0 with a Session Expiry Interval (0 would end it at disconnect).
    c.clean_start = false;
    c.session_expiry = o.session_expiry;
  }
  return c;
}

std::uint64_t fanout_of(const bench_options& o) {
  switch (o.kind) {
    case scenario_kind::fan_in:
    case scenario_kind::fan_out:
    case scenario_kind::latency:
      return o.subs;  // every subscriber matches every message
    case scenario_kind::p2p:
    case scenario_kind::shared:
    case scenario_kind::drain:
      return 1;  // one subscriber (or one member of the group) per message
    default:
      return 0;
  }
}

}  // namespace

run_plan make_plan(const bench_options& o) {
  run_plan plan;
  plan.fanout = fanout_of(o);
  if (o.kind == scenario_kind::conn || o.kind == scenario_kind::conn_scale) {
    for (std::size_t i = 0; i < o.conns; ++i) {
      client_spec c;
      c.role = client_role::idle;
      c.index = i;
      c.client_id = o.client_prefix + "c" + std::to_string(i);
      plan.clients.push_back(std::move(c));
    }
    return plan;
  }
  if (o.interleave) {
    // Subscriber i, then publisher i: a broker that deals connections to its
    // workers round robin puts each pair's two ends on different workers.
    const std::size_t n = std::max(o.pubs, o.subs);
    for (std::size_t i = 0; i < n; ++i) {
      if (i < o.subs) plan.clients.push_back(subscriber(o, i));
      if (i < o.pubs) plan.clients.push_back(publisher(o, i));
    }
    return plan;
  }
  for (std::size_t i = 0; i < o.subs; ++i) plan.clients.push_back(subscriber(o, i));
  for (std::size_t i = 0; i < o.pubs; ++i) plan.clients.push_back(publisher(o, i));
  return plan;
}

}  // namespace gridmq::bench
