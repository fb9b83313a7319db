// The packets of a connected client: PUBLISH and its acknowledgements,
// SUBSCRIBE, UNSUBSCRIBE and DISCONNECT.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "broker/client_connection.hpp"
#include "broker/frame_scratch.hpp"
#include "protocol/validate.hpp"
#include "topic/matches.hpp"
#include "topic/validation.hpp"

namespace gridmq::broker {

using protocol::protocol_version;
using protocol::qos;
using protocol::reason_code;
using session::clock;

bool client_connection::resolve_topic_alias(protocol::publish_in& p) {
  if (!p.props.topic_alias) {
    if (p.topic.empty()) {
      fail(reason_code::protocol_error, "[MQTT-3.3.2-1] empty topic without a topic alias");
      return false;
    }
    return true;
  }
  auto alias = *p.props.topic_alias;
  p.props.topic_alias.reset();  // an inbound alias is never forwarded
  const std::uint16_t maximum =
      version_ == protocol::protocol_version::v5 ? broker_.options().topic_alias_maximum : std::uint16_t{0};
  if (alias == 0 || alias > maximum) {
    fail(reason_code::topic_alias_invalid, "[MQTT-3.3.2-8] topic alias 0 or above Topic Alias Maximum");
    return false;
  }
  if (!p.topic.empty()) {
    auto& aliases = more().topic_aliases;
    if (alias >= aliases.size()) aliases.resize(alias + 1u);
    aliases[alias].assign(p.topic);
    return true;
  }
  const auto* known = extras_ ? &extras_->topic_aliases : nullptr;
  if (known == nullptr || alias >= known->size() || (*known)[alias].empty()) {
    fail(reason_code::protocol_error, "[MQTT-3.3.2-8] unknown topic alias");
    return false;
  }
  p.topic = (*known)[alias];
  return true;
}

namespace {

std::size_t level_count(std::string_view t) noexcept { return static_cast<std::size_t>(std::count(t.begin(), t.end(), '/')) + 1; }

}  // namespace

bool client_connection::within_topic_limits(std::string_view t) const noexcept {
  const auto& opt = broker_.options();
  return t.size() <= opt.max_topic_length && level_count(t) <= opt.max_topic_levels;
}

void client_connection::reject_publish(const protocol::publish_in& p, reason_code code, std::string_view why) {
  // v5 QoS 1/2: a negative acknowledgement, the connection stays. QoS 0 and
  // 3.1.1 have no way to say no but closing.
  if (version_ != protocol_version::v5 || p.qos_level == qos::at_most_once) return fail(code, why);
  spdlog::debug("client '{}': PUBLISH to '{}' refused: {}", client_id(), p.topic, why);
  protocol::properties props;
  if (problem_info_) props.reason_string = std::string(why);
  if (p.qos_level == qos::at_least_once) {
    send(protocol::puback{p.packet_id, code, std::move(props)});
  } else {
    send(protocol::pubrec{p.packet_id, code, std::move(props)});
  }
}

void client_connection::handle_publish(protocol::publish_in& p, time_point now) {
  const auto& opt = broker_.options();
  if (!p.props.subscription_identifiers.empty()) {
    return fail(reason_code::protocol_error, "[MQTT-3.3.4-6] PUBLISH from a client with a Subscription Identifier");
  }
  if (!resolve_topic_alias(p)) return;
  if (!topic::is_valid_topic_name(p.topic)) {
    return fail(reason_code::topic_name_invalid, "[MQTT-3.3.2-2] invalid topic name");
  }
  if (static_cast<std::uint8_t>(p.qos_level) > opt.maximum_qos) {
    return fail(reason_code::qos_not_supported, "[MQTT-3.2.2-11] QoS above Maximum QoS");
  }
  if (p.retain && !opt.retain_available) {
    return fail(reason_code::retain_not_supported, "[MQTT-3.2.2-14] retain not available");
  }
  if (!within_topic_limits(p.topic)) {
    return reject_publish(p, reason_code::topic_name_invalid, "topic longer than max_topic_length or max_topic_levels");
  }
  if (opt.validate_utf8_payload && p.props.payload_format_indicator.value_or(0) == 1 &&
      !protocol::is_valid_mqtt_utf8(p.payload)) {
    return reject_publish(p, reason_code::payload_format_invalid, "[MQTT-3.3.2-4] payload is not UTF-8");
  }
  if (const auto* pol = policy(); pol != nullptr && !pol->may_publish(p.topic)) return deny_publish(p);
  auto packet_id = p.packet_id;
  auto level = p.qos_level;
  auto& persist = broker_.persist();
  bool persisted = false;  // this PUBLISH changed the store: its ack waits for it
  if (level == qos::at_least_once) {
    bool in_use = false;
    {
      std::lock_guard lock(slot_->mutex);
      in_use = slot_->state.inbound_qos2_pending(packet_id);
    }
    // Outside the lock: rejecting may close the connection, which settles
    // the session under the same lock.
    if (in_use) {
      // The id still names a QoS 2 message awaiting PUBREL: session states differ.
      return reject_publish(p, reason_code::packet_identifier_in_use, "packet identifier in use by a QoS 2 message");
    }
  }
  if (level == qos::exactly_once) {
    bool first = false;
    std::size_t pending = 0;
    {
      std::lock_guard lock(slot_->mutex);
      first = slot_->state.inbound_qos2_begin(packet_id);
      pending = slot_->state.inbound_qos2_count();
      // Written before the message is routed, so that whatever of the
      // routing survives a crash, the id does too and a resend from the
      // client is not routed again.
      if (first && pending <= opt.receive_maximum) persisted = persist.inbound_qos2_added(*slot_, packet_id);
    }
    if (pending > opt.receive_maximum) {
      return fail(reason_code::receive_maximum_exceeded, "[MQTT-3.3.4-9] more QoS 2 in flight than Receive Maximum");
    }
    if (!first) {
      // [MQTT-4.3.3-10] a resend before PUBREL is acknowledged, not routed again.
      send(protocol::pubrec{packet_id, reason_code::success, {}});
      return;
    }
  }
  auto m = session::make_message(std::move(p), slot_->id, now, persist.next_message_id());
  if (m->retain) {
    if (broker_.retained().store(m) == retained_store::store_result::full) {
      if (level == qos::exactly_once) {
        std::lock_guard lock(slot_->mutex);
        slot_->state.inbound_qos2_release(packet_id);
        persist.inbound_qos2_released(*slot_, packet_id);
      }
      protocol::publish_in refused;
      refused.qos_level = level;
      refused.packet_id = packet_id;
      refused.topic = m->topic;
      return reject_publish(refused, reason_code::quota_exceeded, "retained message store is full");
    }
    persisted = persisted || persist.enabled();
  }
  frame_scratch frames;
  auto routed = broker_.route(m, now, frames.list());
  if (level == qos::at_most_once) return;
  persisted = persisted || routed.persisted;
  // v5: 0x10 tells the publisher nobody received it; still a success.
  auto code = routed.receivers == 0 && version_ == protocol_version::v5 ? reason_code::no_matching_subscribers
                                                                         : reason_code::success;
  // [MQTT-4.3.2-2]/[MQTT-4.3.3-2] the ack says the broker owns the message:
  // with a store, only once it is as durable as configured.
  if (level == qos::at_least_once) {
    reply(persisted, protocol::puback{packet_id, code, {}});
  } else {
    reply(persisted, protocol::pubrec{packet_id, code, {}});
  }
}

void client_connection::handle_puback(const protocol::puback& p, time_point now) {
  if (protocol::is_error(p.code)) {
    // Event Grid closes the connection here; gridmq logs, counts and goes on.
    broker_stats::add(broker_.stats().client_puback_failures);
    spdlog::info("client '{}': PUBACK {} with {}", client_id(), p.packet_id, protocol::to_string(p.code));
  }
  frame_scratch frames;
  std::lock_guard lock(slot_->mutex);
  slot_->state.on_puback(p.packet_id, now, frames.list());
  broker_.persist().flush_journal(*slot_, frames.list(), outbox_);
  acks_deferred_ = true;
}

void client_connection::handle_pubrec(const protocol::pubrec& p, time_point now) {
  if (protocol::is_error(p.code)) broker_stats::add(broker_.stats().client_puback_failures);
  frame_scratch frames;
  std::lock_guard lock(slot_->mutex);
  if (!slot_->state.on_pubrec(p.packet_id, p.code, now, frames.list()) && !protocol::is_error(p.code)) {
    send(protocol::pubrel{p.packet_id, reason_code::packet_identifier_not_found, {}});
    return;
  }
  // The PUBREL waits until the entry is durable as released: after a crash
  // the PUBLISH must not be sent again once a PUBREL was ([MQTT-4.3.3-4]).
  broker_.persist().flush_journal(*slot_, frames.list(), outbox_);
}

void client_connection::handle_pubrel(const protocol::pubrel& p) {
  bool known = false;
  bool persisted = false;
  {
    std::lock_guard lock(slot_->mutex);
    known = slot_->state.inbound_qos2_release(p.packet_id);
    if (known) persisted = broker_.persist().inbound_qos2_released(*slot_, p.packet_id);
  }
  // [MQTT-4.3.3-11] PUBCOMP either way; v5 says whether the id was known.
  // With a store it waits for the id's deletion: a client that got PUBCOMP
  // may reuse the id, which a recovered stale id would swallow.
  reply(persisted,
        protocol::pubcomp{p.packet_id, known ? reason_code::success : reason_code::packet_identifier_not_found, {}});
}

void client_connection::handle_pubcomp(const protocol::pubcomp& p, time_point now) {
  frame_scratch frames;
  std::lock_guard lock(slot_->mutex);
  slot_->state.on_pubcomp(p.packet_id, now, frames.list());
  broker_.persist().flush_journal(*slot_, frames.list(), outbox_);
  acks_deferred_ = true;
}

reason_code client_connection::check_subscription(const protocol::subscription_request& req, bool has_identifier,
                                                  std::size_t& count) const {
  const auto& opt = broker_.options();
  topic::shared_filter shared;
  auto kind = topic::parse_shared(req.filter, shared);
  if (kind == topic::share_parse::invalid) return reason_code::topic_filter_invalid;  // [MQTT-4.8.2-1/2]
  std::string_view plain = kind == topic::share_parse::shared ? shared.filter : std::string_view{req.filter};
  if (!topic::is_valid_topic_filter(plain) || !within_topic_limits(plain)) return reason_code::topic_filter_invalid;
  if (kind == topic::share_parse::shared && !opt.shared_subscription_available) {
    return reason_code::shared_subscriptions_not_supported;
  }
  if (!opt.wildcard_subscription_available && plain.find_first_of("+#") != std::string_view::npos) {
    return reason_code::wildcard_subscriptions_not_supported;
  }
  if (has_identifier && !opt.subscription_identifier_available) {
    return reason_code::subscription_identifiers_not_supported;
  }
  if (const auto* pol = policy(); pol != nullptr && !pol->may_subscribe(req.filter)) return reason_code::not_authorized;  // authorizer.hpp
  if (slot_->subscriptions.get().count(req.filter) == 0) {
    if (count >= opt.max_subscriptions_per_session) return reason_code::quota_exceeded;
    ++count;
  }
  return reason_code::success;
}

void client_connection::handle_subscribe(protocol::subscribe&& s) {
  const auto& opt = broker_.options();
  bool v5 = version_ == protocol_version::v5;
  bool has_identifier = !s.props.subscription_identifiers.empty();
  std::uint32_t identifier = has_identifier ? s.props.subscription_identifiers.front() : 0;
  protocol::suback ack;
  ack.packet_id = s.packet_id;  // [MQTT-3.8.4-2]
  std::vector<std::pair<std::string, subscription_record>> retained_for;
  bool persisted = false;
  std::size_t count = 0;
  {
    std::lock_guard lock(slot_->mutex);
    count = slot_->subscriptions.get().size();
  }
  for (auto& req : s.topics) {
    topic::shared_filter shared;
    bool is_shared = topic::parse_shared(req.filter, shared) == topic::share_parse::shared;
    if (is_shared && req.options.no_local) {
      return fail(reason_code::protocol_error, "[MQTT-3.8.3-4] No Local on a shared subscription");
    }
    reason_code verdict;
    {
      std::lock_guard lock(slot_->mutex);
      verdict = check_subscription(req, has_identifier, count);
    }
    if (verdict != reason_code::success) {
      // [MQTT-3.8.4-6]/[MQTT-3.9.3-2] a failure code for this filter only.
      spdlog::debug("client '{}': SUBSCRIBE '{}' refused: {}", client_id(), req.filter, protocol::to_string(verdict));
      ack.codes.push_back(v5 ? verdict : reason_code::unspecified_error);
      if (v5 && problem_info_ && !ack.props.reason_string) {
        ack.props.reason_string = std::string(protocol::to_string(verdict)) + ": " + req.filter;
      }
      continue;
    }
    subscription_record rec;
    rec.options = req.options;
    rec.options.max_qos = std::min(req.options.max_qos, static_cast<qos>(opt.maximum_qos));  // [MQTT-3.9.3-1]
    if (!v5) rec.options = {rec.options.max_qos, false, false, protocol::retain_handling::send_on_subscribe};
    rec.identifier = identifier;
    {
      std::lock_guard lock(slot_->mutex);
      slot_->subscriptions.mut()[req.filter] = rec;
      persisted = broker_.persist().subscribed(*slot_, req.filter, rec) || persisted;
    }
    bool is_new = broker_.subscribe(slot_, req.filter, rec);
    ack.codes.push_back(static_cast<reason_code>(rec.options.max_qos));
    auto handling = rec.options.handling;
    // [MQTT-3.8.4-4] retained messages per Retain Handling; none on a shared
    // subscribe (4.8.2: "retained messages are not sent to shared subscriptions").
    if (!is_shared && (handling == protocol::retain_handling::send_on_subscribe ||
                       (handling == protocol::retain_handling::send_if_new && is_new))) {
      retained_for.emplace_back(req.filter, rec);
    }
  }
  reply(persisted, ack);
  for (const auto& [filter, rec] : retained_for) send_retained(filter, rec);
}

void client_connection::send_retained(const std::string& filter, const subscription_record& rec) {
  auto now = clock::now();
  for (const auto& m : broker_.retained().matching(filter, now)) {
    session::delivery d;
    d.qos_level = std::min(m->qos_level, rec.options.max_qos);
    d.retain = true;  // [MQTT-3.3.1-6]
    if (rec.identifier != 0) d.subscription_ids.push_back(rec.identifier);
    broker_.deliver_to(slot_, m, d, now);
  }
}

void client_connection::handle_unsubscribe(protocol::unsubscribe&& u) {
  protocol::unsuback ack;
  ack.packet_id = u.packet_id;  // [MQTT-3.10.4-4]
  bool persisted = false;
  for (const auto& filter : u.filters) {
    {
      std::lock_guard lock(slot_->mutex);
      if (slot_->subscriptions.has_value() && slot_->subscriptions.mut().erase(filter) != 0) {
        persisted = broker_.persist().unsubscribed(*slot_, filter) || persisted;
      }
    }
    bool existed = broker_.unsubscribe(slot_, filter);
    ack.codes.push_back(existed ? reason_code::success : reason_code::no_subscription_existed);
  }
  reply(persisted, ack);  // [MQTT-3.10.4-5] even when nothing matched
}

void client_connection::handle_disconnect(const protocol::disconnect& d) {
  if (d.props.session_expiry_interval) {
    bool raised_from_zero = false;
    {
      std::lock_guard lock(slot_->mutex);
      raised_from_zero = slot_->expiry_interval == 0 && *d.props.session_expiry_interval != 0;
      if (!raised_from_zero) {
        slot_->expiry_interval = std::min(*d.props.session_expiry_interval, broker_.options().max_session_expiry);
      }
    }
    // Outside the lock: fail() settles the session under it.
    if (raised_from_zero) {
      return fail(reason_code::protocol_error, "[MQTT-3.14.2-2] session expiry raised from 0 on DISCONNECT");
    }
  }
  // [MQTT-3.14.4-3] a normal DISCONNECT deletes the will; 0x04 keeps it.
  will_on_close_ = d.code == reason_code::disconnect_with_will;
  phase_ = phase::closing;
  outbox_->close();
  release_session();
}

}  // namespace gridmq::broker
