// The broker's side of one network connection: cuts and decodes packets,
// runs CONNECT, and dispatches every later packet to the session, the
// subscription index and routing.
//
// Lifecycle: created by broker::open() when the transport accepts a socket,
// destroyed by the transport after on_closed(). Threads: used only on the
// connection's worker; what other workers see of it is its outbox.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/heap_optional.hpp"
#include "base/lazy_value.hpp"
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

  void dispatch(protocol::packet&& p);
  void on_decode_error(const protocol::decode_error& e, std::span<const std::uint8_t> whole);
  // CONNECT (connect_handler.cpp)
  void handle_connect(protocol::connect&& c);
  void on_connect_auth_step(auth_step&& st);
  void complete_connect(protocol::connect&& c, std::optional<std::string> auth_data);
  void handle_auth(const protocol::auth& a);
  // on_data without the end-of-batch work.
  data_result read_packets(std::span<const std::uint8_t> buffered);
  bool check_connect(protocol::connect& c);
  void refuse_connect(protocol::reason_code v5_code, std::string_view why);
  protocol::connack make_connack(const protocol::connect& c, bool session_present) const;
  // Authorization (authorization.cpp)
  bool admit(const protocol::connect& c, std::string& authentication_name);
  // The authorizer's rules changed since this connection was admitted:
  // admit it again (policy_ replaced, or DISCONNECT 0x87).
  void recheck_authorization();
  // Removes from the session the subscriptions policy_ does not permit
  // (rules changed since they were made); returns their filters.
  std::vector<std::string> remove_unpermitted_subscriptions();
  void check_authorization_current() {
    if (phase_ == phase::connected && authz_seen_ != broker_.authorization_generation()) recheck_authorization();
  }
  void deny_publish(const protocol::publish_in& p);
  // Post-CONNECT packets (packet_handlers.cpp)
  // `p` views the read buffer (or a decoded packet): valid for the call.
  void handle_publish(protocol::publish_in& p);
  bool resolve_topic_alias(protocol::publish_in& p);
  bool within_topic_limits(std::string_view t) const noexcept;
  void reject_publish(const protocol::publish_in& p, protocol::reason_code code, std::string_view why);
  protocol::reason_code check_subscription(const protocol::subscription_request& req, bool has_identifier,
                                           std::size_t& count) const;
  void handle_puback(const protocol::puback& p);
  void handle_pubrec(const protocol::pubrec& p);
  void handle_pubrel(const protocol::pubrel& p);
  void handle_pubcomp(const protocol::pubcomp& p);
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
  // exchange succeeds. On the heap: most clients never use it.
  struct enhanced_auth {
    std::string method;
    std::unique_ptr<auth_exchange> exchange;
    heap_optional<protocol::connect> pending_connect;  // ~1.2 KB: only while parked
  };

  broker_state& broker_;
  // Names the peer in log lines; valid until on_closed() returns, and this
  // object is not used after that.
  connection_sink& sink_;
  std::shared_ptr<outbox> outbox_;
  std::string client_id_;
  slot_ptr slot_;
  std::uint64_t generation_ = 0;
  // The time of the read batch being handled: one clock read per batch,
  // not per packet (deadlines are in seconds).
  session::clock::time_point now_{};
  // Scratch for the frames of one delivery or acknowledgement, reused so
  // that a busy connection does not allocate a list per message.
  session::frame_list frames_;
  lazy_value<std::vector<std::string>> topic_aliases_;  // inbound, index = alias; grows on first use of an alias
  heap_optional<enhanced_auth> auth_;  // empty: the CONNECT named no Authentication Method
  // What this connection may publish and subscribe to (authorizer.hpp);
  // null: everything (no authorizer, or one that does not restrict it).
  std::unique_ptr<connection_policy> policy_;
  // What admission uses, at CONNECT and again after a change of rules: the
  // verified client certificate (the rest of client_info is the
  // transport's) and, with an authorizer, the CONNECT's Username. On the
  // heap, only when there is one: an anonymous plain-TCP client has neither.
  struct admission_inputs {
    std::shared_ptr<const client_certificate> certificate;
    std::optional<std::string> username;
  };
  heap_optional<admission_inputs> admission_;
  const client_certificate* certificate() const noexcept {
    return admission_ ? admission_->certificate.get() : nullptr;
  }
  std::uint64_t authz_seen_ = 0;
  std::uint32_t client_max_packet_ = 0;  // the client's Maximum Packet Size, 0 = none
  std::uint16_t keep_alive_ = 0;
  phase phase_ = phase::awaiting_connect;
  protocol::protocol_version version_ = protocol::protocol_version::v311;
  bool will_on_close_ = true;     // cleared by a normal DISCONNECT
  bool problem_info_ = true;      // Request Problem Information
  bool acks_deferred_ = false;    // this read batch deferred deletions (persistence.hpp)
};

}  // namespace gridmq::broker
