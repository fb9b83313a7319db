// The broker's side of one network connection: cuts and decodes packets,
// runs CONNECT, and dispatches every later packet to the session, the
// subscription index and routing.
//
// Lifecycle: created by broker::open() when the transport accepts a socket,
// destroyed by the transport after on_closed(). Threads: used only on the
// connection's worker; what other workers see of it is its outbox.
//
// Memory: one per connected client, so an idle client pays for what it
// needs only (64 B here, 32 B + 16 B in its outbox): the ClientId is the
// session's, the sink is the outbox's, the time of a read batch and the
// scratch frame list live on the stack and the worker (frame_scratch.hpp),
// and what few clients use (topic aliases, enhanced authentication, an
// authorization policy, a certificate, a Maximum Packet Size) sits behind
// one pointer, allocated by the first of them (with an authorizer, every
// client has it). The attachment generation is the outbox's address.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/heap_optional.hpp"
#include "broker/authenticator.hpp"
#include "broker/authorizer.hpp"
#include "broker/broker_state.hpp"
#include "broker/client_port.hpp"
#include "broker/outbox.hpp"
#include "protocol/codec.hpp"

namespace gridmq::broker {

class client_connection final : public client_port {
 public:
  client_connection(broker_state& broker, connection_sink& sink, client_info info);
  ~client_connection() override;

  data_result on_data(std::span<const std::uint8_t> buffered) override;
  void drain(std::vector<outbound_chunk>& out) override;
  std::chrono::milliseconds idle_timeout() const override;
  void on_idle_timeout() override;
  void on_closed() override;

 private:
  enum class phase : std::uint8_t { awaiting_connect, authenticating, connected, closing };
  using time_point = session::clock::time_point;

  // `now`: the time of the read batch: one clock read per batch, not per
  // packet (deadlines are in seconds).
  void dispatch(protocol::packet&& p, time_point now);
  void on_decode_error(const protocol::decode_error& e, std::span<const std::uint8_t> whole);
  // CONNECT (connect_handler.cpp)
  void handle_connect(protocol::connect&& c);
  void on_connect_auth_step(auth_step&& st);
  void complete_connect(protocol::connect&& c, std::optional<std::string> auth_data);
  void handle_auth(const protocol::auth& a);
  // on_data without the end-of-batch work.
  data_result read_packets(std::span<const std::uint8_t> buffered);
  bool check_connect(protocol::connect& c);
  // `client_id`: the CONNECT's, for the log line, when known.
  void refuse_connect(protocol::reason_code v5_code, std::string_view why, std::string_view client_id = {});
  protocol::connack make_connack(const protocol::connect& c, bool session_present) const;
  // Authorization (authorization.cpp)
  bool admit(const protocol::connect& c, std::string& authentication_name);
  // The authorizer's rules changed since this connection was admitted:
  // admit it again (policy replaced, or DISCONNECT 0x87).
  void recheck_authorization();
  // Removes from the session the subscriptions the policy does not permit
  // (rules changed since they were made); returns their filters.
  std::vector<std::string> remove_unpermitted_subscriptions();
  void check_authorization_current() {
    // Only a connection admitted by an authorizer has a generation to compare.
    if (phase_ == phase::connected && extras_ && extras_->authz_seen != broker_.authorization_generation()) {
      recheck_authorization();
    }
  }
  void deny_publish(const protocol::publish_in& p);
  // Keeps `p` (null: everything permitted) without allocating for a null one.
  void set_policy(std::unique_ptr<connection_policy> p);
  // Post-CONNECT packets (packet_handlers.cpp)
  // `p` views the read buffer (or a decoded packet): valid for the call.
  void handle_publish(protocol::publish_in& p, time_point now);
  bool resolve_topic_alias(protocol::publish_in& p);
  bool within_topic_limits(std::string_view t) const noexcept;
  void reject_publish(const protocol::publish_in& p, protocol::reason_code code, std::string_view why);
  protocol::reason_code check_subscription(const protocol::subscription_request& req, bool has_identifier,
                                           std::size_t& count) const;
  void handle_puback(const protocol::puback& p, time_point now);
  void handle_pubrec(const protocol::pubrec& p, time_point now);
  void handle_pubrel(const protocol::pubrel& p);
  void handle_pubcomp(const protocol::pubcomp& p, time_point now);
  void handle_subscribe(protocol::subscribe&& s);
  void send_retained(const std::string& filter, const subscription_record& rec);
  void handle_unsubscribe(protocol::unsubscribe&& u);
  void handle_disconnect(const protocol::disconnect& d);

  // Sends a server DISCONNECT (v5) with `code`, closes, and logs the rule.
  void fail(protocol::reason_code code, std::string_view why);
  void send(const protocol::packet& p);
  session::frame encode_for_client(const protocol::packet& p) const;
  // Sends the reply to a packet whose handling committed to the store
  // (after_commit) once that is durable; at once otherwise.
  void reply(bool after_commit, const protocol::packet& p);
  void release_session();

  // Enhanced authentication ([MQTT-4.12]): the CONNECT's method, the
  // exchange in progress and, during CONNECT, the CONNECT itself until the
  // exchange succeeds.
  struct enhanced_auth {
    std::string method;
    std::unique_ptr<auth_exchange> exchange;
    heap_optional<protocol::connect> pending_connect;  // ~1.2 KB: only while parked
  };
  // What most clients never use, behind one pointer: a plain-TCP client
  // with no authorizer, no topic alias and no Maximum Packet Size has none.
  struct extras {
    std::vector<std::string> topic_aliases;  // inbound, index = alias; grows on first use of an alias
    std::optional<enhanced_auth> auth;       // empty: the CONNECT named no Authentication Method
    // What this connection may publish and subscribe to (authorizer.hpp);
    // null: everything (no authorizer, or one that does not restrict it).
    std::unique_ptr<connection_policy> policy;
    // What admission uses, at CONNECT and again after a change of rules:
    // the verified client certificate (the rest of client_info is the
    // transport's) and, with an authorizer, the CONNECT's Username.
    std::shared_ptr<const client_certificate> certificate;
    std::optional<std::string> username;
    // The authorization generation admit() last saw; set with an authorizer.
    std::uint64_t authz_seen = 0;
    std::uint32_t client_max_packet = 0;  // the client's Maximum Packet Size, 0 = none
  };
  extras& more() {
    if (!extras_) extras_ = std::make_unique<extras>();
    return *extras_;
  }
  enhanced_auth* enhanced() noexcept { return extras_ && extras_->auth ? &*extras_->auth : nullptr; }
  const connection_policy* policy() const noexcept { return extras_ ? extras_->policy.get() : nullptr; }
  const client_certificate* certificate() const noexcept {
    return extras_ ? extras_->certificate.get() : nullptr;
  }
  std::uint32_t client_max_packet() const noexcept { return extras_ ? extras_->client_max_packet : 0; }
  // The session's ClientId once connected; during CONNECT with enhanced
  // authentication, the parked CONNECT's; empty before.
  std::string_view client_id() const noexcept;
  // Names the peer in log lines (the outbox holds the transport's sink).
  std::string_view peer() const noexcept { return outbox_->peer(); }

  broker_state& broker_;
  std::shared_ptr<outbox> outbox_;
  slot_ptr slot_;
  std::unique_ptr<extras> extras_;
  std::uint16_t keep_alive_ = 0;
  phase phase_ = phase::awaiting_connect;
  protocol::protocol_version version_ = protocol::protocol_version::v311;
  bool will_on_close_ = true;      // cleared by a normal DISCONNECT
  bool problem_info_ = true;       // Request Problem Information
  bool acks_deferred_ = false;     // this read batch deferred deletions (persistence.hpp)
  bool client_id_assigned_ = false;  // [MQTT-3.1.3-6] the broker chose the ClientId
};

}  // namespace gridmq::broker
