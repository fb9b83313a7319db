// CONNECT: validation, the session claim (takeover, clean start, resume)
// and the CONNACK with what the broker decided.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "broker/client_connection.hpp"
#include "topic/matches.hpp"
#include "topic/validation.hpp"

namespace gridmq::broker {

using protocol::protocol_version;
using protocol::reason_code;

void client_connection::refuse_connect(reason_code v5_code, std::string_view why, std::string_view client_id) {
  spdlog::info("{}: CONNECT of '{}' refused: {} ({})", peer(), client_id, why, protocol::to_string(v5_code));
  protocol::connack ack;
  ack.code = v5_code;  // the encoder maps it to a 3.1.1 return code for older clients
  if (version_ == protocol_version::v5 && problem_info_) ack.props.reason_string = std::string(why);
  send(ack);
  phase_ = phase::closing;
  outbox_->close(v5_code);
}

bool client_connection::check_connect(protocol::connect& c) {
  const auto& opt = broker_.options();
  bool v5 = version_ == protocol_version::v5;
  if (c.client_id.empty()) {
    // [MQTT-3.1.3-8] 3.1.1 refuses an empty id without Clean Session; v3.1 always.
    if (!v5 && (!c.clean_start || version_ == protocol_version::v31)) {
      refuse_connect(reason_code::client_identifier_not_valid, "[MQTT-3.1.3-8] empty client id needs clean session");
      return false;
    }
    // [MQTT-3.1.3-6] the broker assigns one (the v5 CONNACK names it).
    c.client_id = broker_.assign_client_id();
    client_id_assigned_ = true;
  } else if (c.client_id.size() > opt.max_client_id_length) {
    refuse_connect(reason_code::client_identifier_not_valid, "[MQTT-3.1.3-5] client id too long");
    return false;
  }
  if (c.will_message) {
    const auto& w = *c.will_message;
    if (!topic::is_valid_topic_name(w.topic)) {
      refuse_connect(reason_code::topic_name_invalid, "[MQTT-3.1.3-11] invalid will topic", c.client_id);
      return false;
    }
    if (static_cast<std::uint8_t>(w.qos_level) > opt.maximum_qos) {
      refuse_connect(reason_code::qos_not_supported, "[MQTT-3.2.2-12] will QoS above Maximum QoS", c.client_id);
      return false;
    }
    if (w.retain && !opt.retain_available) {
      refuse_connect(reason_code::retain_not_supported, "[MQTT-3.2.2-13] retain not available", c.client_id);
      return false;
    }
  }
  return true;
}

protocol::connack client_connection::make_connack(const protocol::connect& c, bool session_present) const {
  const auto& opt = broker_.options();
  protocol::connack ack;
  // [MQTT-3.2.2-1] with Clean Start the session present flag is 0.
  ack.session_present = session_present && !c.clean_start;
  if (version_ != protocol_version::v5) return ack;
  auto& p = ack.props;
  if (client_id_assigned_) p.assigned_client_identifier = c.client_id;
  auto requested = c.props.session_expiry_interval.value_or(0);
  if (requested > opt.max_session_expiry) p.session_expiry_interval = opt.max_session_expiry;
  p.receive_maximum = opt.receive_maximum;
  p.maximum_packet_size = opt.max_packet_size;
  if (opt.topic_alias_maximum != 0) p.topic_alias_maximum = opt.topic_alias_maximum;
  if (opt.maximum_qos < 2) p.maximum_qos = opt.maximum_qos;
  if (!opt.retain_available) p.retain_available = 0;
  if (!opt.wildcard_subscription_available) p.wildcard_subscription_available = 0;
  if (!opt.subscription_identifier_available) p.subscription_identifier_available = 0;
  if (!opt.shared_subscription_available) p.shared_subscription_available = 0;
  if (c.keep_alive != keep_alive_) p.server_keep_alive = keep_alive_;  // [MQTT-3.1.2-21]
  if (c.props.request_response_information.value_or(0) == 1) {
    p.response_information = opt.response_information_prefix + c.client_id;
  }
  return ack;
}

void client_connection::handle_connect(protocol::connect&& c) {
  version_ = c.version;
  problem_info_ = c.props.request_problem_information.value_or(1) != 0;
  // Needed for a CONNACK or a DISCONNECT before the CONNECT completes.
  if (auto limit = c.props.maximum_packet_size.value_or(0); limit != 0) more().client_max_packet = limit;
  if (!check_connect(c)) return;
  auto* auth = broker_.auth();
  credentials creds{c.client_id, c.username, c.password};
  if (c.props.authentication_method) {
    // [MQTT-4.12.0-1] enhanced authentication, method named by the client.
    auto exchange = auth != nullptr ? auth->start(*c.props.authentication_method, creds) : nullptr;
    if (!exchange) {
      return refuse_connect(reason_code::bad_authentication_method, "unsupported authentication method", c.client_id);
    }
    auto& ea = more().auth.emplace(enhanced_auth{*c.props.authentication_method, std::move(exchange), {}});
    auto data = c.props.authentication_data.value_or(std::string{});
    ea.pending_connect = std::move(c);
    return on_connect_auth_step(ea.exchange->step(data));
  }
  if (auth != nullptr) {
    auto verdict = auth->check(creds);
    if (verdict != reason_code::success) return refuse_connect(verdict, "authentication failed", c.client_id);
  } else if (!broker_.options().allow_anonymous && !c.username) {
    return refuse_connect(reason_code::not_authorized, "anonymous clients are not allowed", c.client_id);
  }
  complete_connect(std::move(c), std::nullopt);
}

void client_connection::on_connect_auth_step(auth_step&& st) {
  auto& ea = *enhanced();
  switch (st.st) {
    case auth_step::status::success: {
      auto c = std::move(*ea.pending_connect);
      ea.pending_connect.reset();
      ea.exchange.reset();
      return complete_connect(std::move(c), std::move(st.data));
    }
    case auth_step::status::continue_auth: {
      phase_ = phase::authenticating;
      protocol::auth a{reason_code::continue_authentication, {}};
      a.props.authentication_method = ea.method;
      a.props.authentication_data = std::move(st.data);
      return send(a);
    }
    case auth_step::status::failure: {
      const std::string id = ea.pending_connect ? ea.pending_connect->client_id : std::string{};
      ea.pending_connect.reset();
      ea.exchange.reset();
      return refuse_connect(st.failure_code, st.why, id);
    }
  }
}

void client_connection::complete_connect(protocol::connect&& c, std::optional<std::string> auth_data) {
  const auto& opt = broker_.options();
  std::string authentication_name;
  if (!admit(c, authentication_name)) return;
  keep_alive_ = c.keep_alive;
  if (version_ == protocol_version::v5 && keep_alive_ > opt.max_keep_alive) keep_alive_ = opt.max_keep_alive;

  std::uint32_t expiry = 0;
  if (version_ == protocol_version::v5) {
    expiry = std::min(c.props.session_expiry_interval.value_or(0), opt.max_session_expiry);
  } else if (!c.clean_start) {
    expiry = opt.max_session_expiry;  // a 3.1.1 persistent session lives as long as allowed
  }

  session::link_params link;
  link.version = version_;
  link.receive_maximum = c.props.receive_maximum.value_or(65535);
  link.maximum_packet_size = c.props.maximum_packet_size.value_or(0);
  link.topic_alias_maximum = c.props.topic_alias_maximum.value_or(0);

  auto attach = [&](session_slot& s, bool present, session::frame_list& frames) {
    s.link = outbox_;
    s.version = version_;
    s.connected = true;
    s.will = std::move(c.will_message);
    s.expiry_interval = expiry;
    auto ack = make_connack(c, present);  // c.client_id: the one the client asked for
    if (auth_data) {
      ack.props.authentication_method = enhanced()->method;
      if (!auth_data->empty()) ack.props.authentication_data = std::move(*auth_data);
    }
    protocol::encode(ack, version_, frames.emplace_back().bytes);
    s.state.attach(link, session::clock::now(), frames);
  };
  auto claimed = broker_.claim(c.client_id, c.clean_start, attach, authentication_name);
  if (claimed.refused != reason_code::success) {
    return refuse_connect(claimed.refused,
                          claimed.refused == reason_code::quota_exceeded
                              ? "the authentication name holds its maximum number of sessions"
                              : "the session belongs to another authentication name",
                          c.client_id);
  }
  slot_ = claimed.slot;
  phase_ = phase::connected;
  // A resumed session may hold subscriptions made under rules changed since
  // (a reload while it was offline): they go, quietly.
  if (claimed.session_present) remove_unpermitted_subscriptions();
  spdlog::debug("client '{}' connected from {} (v{}, session present {})", client_id(), peer(),
                static_cast<int>(version_), claimed.session_present);
  if (claimed.previous_will) {
    broker_.publish_will(std::move(*claimed.previous_will), slot_->id, session::clock::now());
  }
}

void client_connection::handle_auth(const protocol::auth& a) {
  // [MQTT-4.12.0-7]/[MQTT-4.12.1-1] AUTH only with the method of the CONNECT.
  auto* ea = enhanced();
  if (ea == nullptr || ea->method.empty() || a.props.authentication_method.value_or(std::string{}) != ea->method) {
    return fail(reason_code::protocol_error, "[MQTT-4.12.0-7] AUTH without the CONNECT's authentication method");
  }
  auto data = a.props.authentication_data.value_or(std::string{});
  if (phase_ == phase::authenticating) {
    if (a.code != reason_code::continue_authentication) {
      return refuse_connect(reason_code::protocol_error, "AUTH during CONNECT must continue (0x18)");
    }
    return on_connect_auth_step(ea->exchange->step(data));
  }
  if (a.code == reason_code::re_authenticate) {
    // [MQTT-4.12.1] re-authentication runs beside normal traffic.
    const std::optional<std::string> none;
    credentials creds{client_id(), none, none};
    ea->exchange = broker_.auth() != nullptr ? broker_.auth()->start(ea->method, creds) : nullptr;
    if (!ea->exchange) return fail(reason_code::bad_authentication_method, "method no longer available");
  } else if (a.code != reason_code::continue_authentication || !ea->exchange) {
    return fail(reason_code::protocol_error, "[MQTT-4.12.0-2] unexpected AUTH reason code");
  }
  auto st = ea->exchange->step(data);
  switch (st.st) {
    case auth_step::status::success: {
      ea->exchange.reset();
      protocol::auth ok{reason_code::success, {}};
      ok.props.authentication_method = ea->method;
      if (!st.data.empty()) ok.props.authentication_data = std::move(st.data);
      return send(ok);
    }
    case auth_step::status::continue_auth: {
      protocol::auth more{reason_code::continue_authentication, {}};
      more.props.authentication_method = ea->method;
      more.props.authentication_data = std::move(st.data);
      return send(more);
    }
    case auth_step::status::failure:
      ea->exchange.reset();
      return fail(st.failure_code, std::string_view("[MQTT-4.12.1-2] re-authentication failed: " + st.why));
  }
}

}  // namespace gridmq::broker
