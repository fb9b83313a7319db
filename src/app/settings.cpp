#include "app/settings.hpp"

#include "config/loader.hpp"

namespace gridmq::app {
namespace {

broker::overflow_policy to_broker(config::overflow_policy p) {
  switch (p) {
    case config::overflow_policy::drop_oldest:
      return broker::overflow_policy::drop_oldest;
    case config::overflow_policy::drop_new:
      return broker::overflow_policy::drop_new;
    case config::overflow_policy::terminate:
      break;
  }
  return broker::overflow_policy::terminate;
}

}  // namespace

config::config resolve_config(const cli_options& cli) {
  config::config c = cli.config_file ? config::load_file(*cli.config_file) : config::config{};
  if (!cli.listen.empty()) {
    c.listeners.clear();
    for (const auto& text : cli.listen) {
      auto url = config::parse_listener_url(text);
      if (!url) throw config::config_error("--listen: " + url.error());
      config::listener_settings l(std::move(*url));
      l.tls = c.tls;  // a TLS listener from the command line takes [tls]
      if (const std::string problem = config::tls_settings_problem(l); !problem.empty()) {
        throw config::config_error("--listen " + text + ": " + problem);
      }
      c.listeners.push_back(std::move(l));
    }
  }
  if (const std::string problem = config::require_tls_violation(c); !problem.empty()) {
    throw config::config_error((cli.config_file ? *cli.config_file + ": server.require_tls: " : "") + problem);
  }
  if (cli.threads) c.server.threads = *cli.threads;
  if (cli.data_dir) c.storage.data_dir = *cli.data_dir;
  if (cli.log_level) {
    auto level = config::parse_log_level(*cli.log_level);
    if (!level) throw config::config_error("--log-level: " + level.error());
    c.server.level = *level;
  }
  return c;
}

broker::broker_options make_broker_options(const config::config& c) {
  const auto& l = c.limits;
  broker::broker_options o;
  o.max_packet_size = l.max_packet_size;
  o.max_session_expiry = l.max_session_expiry;
  o.max_queued_messages = l.max_queued_messages;
  o.max_queued_bytes = l.max_queued_bytes;
  o.session_overflow = to_broker(l.session_overflow);
  o.receive_maximum = l.receive_maximum;
  o.max_keep_alive = l.max_keep_alive;
  o.topic_alias_maximum = l.topic_alias_maximum;
  o.maximum_qos = l.maximum_qos;
  o.retain_available = l.retain_available;
  o.max_client_id_length = l.max_client_id_length;
  o.max_retained_messages = l.max_retained_messages;
  o.connect_timeout = std::chrono::seconds(l.connect_timeout);
  o.allow_anonymous = c.auth.allow_anonymous;
  o.max_inflight_messages = l.max_inflight_messages;
  o.max_outbound_bytes = static_cast<std::size_t>(l.max_outbound_bytes);
  o.max_subscriptions_per_session = l.max_subscriptions_per_session;
  o.max_topic_length = l.max_topic_length;
  o.max_topic_levels = l.max_topic_levels;
  const auto& m = c.mqtt;
  o.response_information_prefix = m.response_information_prefix;
  o.shared_subscription_available = m.shared_subscription_available;
  o.wildcard_subscription_available = m.wildcard_subscription_available;
  o.subscription_identifier_available = m.subscription_identifier_available;
  o.shared_subscription_strategy = m.shared_subscription_strategy == config::shared_strategy::random
                                       ? broker::shared_strategy::random
                                       : broker::shared_strategy::round_robin;
  o.validate_utf8_payload = m.validate_utf8_payload;
  return o;
}

store::store_options make_store_options(const config::config& c) {
  store::store_options o;
  switch (c.storage.level) {
    case config::durability::batched:
      o.level = store::durability::batched;
      break;
    case config::durability::none:
      o.level = store::durability::none;
      break;
    case config::durability::sync:
      break;
  }
  o.flush_interval = std::chrono::milliseconds(c.storage.flush_interval_ms);
  return o;
}

}  // namespace gridmq::app
