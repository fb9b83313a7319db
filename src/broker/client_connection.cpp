#include "broker/client_connection.hpp"

#include <spdlog/spdlog.h>

#include "broker/push_batch.hpp"

namespace gridmq::broker {

using protocol::reason_code;

// Every connected client pays for these two (the class comments say why
// each field is there); a new member should find a home in `extras` first.
static_assert(sizeof(void*) != 8 || sizeof(client_connection) <= 64, "client_connection grew past 64 bytes");
static_assert(sizeof(void*) != 8 || sizeof(outbox) <= 32, "outbox grew past 32 bytes");

client_connection::client_connection(broker_state& broker, connection_sink& sink, client_info info)
    : broker_(broker), outbox_(std::make_shared<outbox>(sink)) {
  if (info.certificate) more().certificate = std::move(info.certificate);
  ++broker_.connections;
}

client_connection::~client_connection() = default;

data_result client_connection::on_data(std::span<const std::uint8_t> buffered) {
  // QoS 0 messages routed from this read batch reach each destination in one push.
  push_batch batch;
  data_result r = read_packets(buffered);
  if (acks_deferred_ && slot_) {
    // The acknowledgements of this read batch: their deletions in one write.
    acks_deferred_ = false;
    std::lock_guard lock(slot_->mutex);
    broker_.persist().flush_deferred(*slot_);
  }
  return r;
}

data_result client_connection::read_packets(std::span<const std::uint8_t> buffered) {
  data_result r;
  const auto now = session::clock::now();
  check_authorization_current();
  while (phase_ != phase::closing) {
    auto rest = buffered.subspan(r.consumed);
    auto fr = protocol::next_frame(rest, broker_.options().max_packet_size);
    if (fr.status == protocol::frame_status::incomplete) {
      r.need = fr.f.remaining != 0 ? fr.f.total() : 0;
      return r;
    }
    if (fr.status == protocol::frame_status::error) {
      on_decode_error(fr.error, {});  // 0x95 too large, or a malformed length
      break;
    }
    auto whole = rest.first(fr.f.total());
    r.consumed += fr.f.total();
    if (phase_ == phase::connected && (fr.f.first_byte >> 4) == static_cast<std::uint8_t>(protocol::packet_type::publish)) {
      // The hot path: decoded in place, copied once into the shared message.
      protocol::publish_in p;
      protocol::decode_error error;
      if (!protocol::decode_publish(whole, version_, p, error)) {
        on_decode_error(error, whole);
        break;
      }
      handle_publish(p, now);
      continue;
    }
    auto decoded = protocol::decode(whole, version_);
    if (!decoded) {
      on_decode_error(decoded.error(), whole);
      break;
    }
    dispatch(std::move(*decoded), now);
  }
  // After a close is decided, the rest of the input is discarded unread.
  r.consumed = buffered.size();
  r.need = 0;
  return r;
}

void client_connection::dispatch(protocol::packet&& p, time_point now) {
  if (phase_ == phase::authenticating) {
    if (auto* a = std::get_if<protocol::auth>(&p)) return handle_auth(*a);
    return refuse_connect(reason_code::protocol_error, "[MQTT-4.12.0-4] only AUTH until authentication completes");
  }
  if (phase_ == phase::awaiting_connect) {
    if (auto* c = std::get_if<protocol::connect>(&p)) return handle_connect(std::move(*c));
    // [MQTT-3.1.0-1] the first packet must be CONNECT.
    return fail(reason_code::protocol_error, "[MQTT-3.1.0-1] first packet is not CONNECT");
  }
  std::visit(
      [this, now](auto&& pk) {
        using T = std::decay_t<decltype(pk)>;
        if constexpr (std::is_same_v<T, protocol::publish>) {
          protocol::publish_in in{pk.dup,         pk.qos_level, pk.retain,
                                  pk.topic,       pk.packet_id, std::move(pk.props),
                                  pk.payload ? std::string_view(*pk.payload) : std::string_view{}};
          handle_publish(in, now);
        } else if constexpr (std::is_same_v<T, protocol::puback>) {
          handle_puback(pk, now);
        } else if constexpr (std::is_same_v<T, protocol::pubrec>) {
          handle_pubrec(pk, now);
        } else if constexpr (std::is_same_v<T, protocol::pubrel>) {
          handle_pubrel(pk);
        } else if constexpr (std::is_same_v<T, protocol::pubcomp>) {
          handle_pubcomp(pk, now);
        } else if constexpr (std::is_same_v<T, protocol::subscribe>) {
          handle_subscribe(std::move(pk));
        } else if constexpr (std::is_same_v<T, protocol::unsubscribe>) {
          handle_unsubscribe(std::move(pk));
        } else if constexpr (std::is_same_v<T, protocol::pingreq>) {
          send(protocol::pingresp{});  // [MQTT-3.12.4-1]
        } else if constexpr (std::is_same_v<T, protocol::disconnect>) {
          handle_disconnect(pk);
        } else if constexpr (std::is_same_v<T, protocol::connect>) {
          fail(reason_code::protocol_error, "[MQTT-3.1.0-2] second CONNECT");
        } else if constexpr (std::is_same_v<T, protocol::auth>) {
          handle_auth(pk);
        } else {
          fail(reason_code::protocol_error, "packet a client must not send");
        }
      },
      std::move(p));
}

namespace {

// The protocol level of a CONNECT that failed to decode, when its fixed
// header and protocol name are intact: a v5 client gets its CONNACK in v5
// form, with the reason code ([MQTT-4.13.1-1]).
bool is_v5_connect(std::span<const std::uint8_t> whole) {
  if (whole.empty() || whole[0] != 0x10) return false;
  std::size_t i = 1;
  while (i < whole.size() && i < 5 && (whole[i] & 0x80) != 0) ++i;
  ++i;  // past the last Remaining Length byte
  // Protocol Name "MQTT" (length 4) then the level byte.
  return whole.size() > i + 6 && whole[i] == 0 && whole[i + 1] == 4 && whole[i + 6] == 5;
}

}  // namespace

void client_connection::on_decode_error(const protocol::decode_error& e, std::span<const std::uint8_t> whole) {
  if (phase_ == phase::awaiting_connect && is_v5_connect(whole)) {
    version_ = protocol::protocol_version::v5;
    return refuse_connect(e.code, e.what);
  }
  if (phase_ == phase::awaiting_connect && e.code == reason_code::unsupported_protocol_version) {
    // [MQTT-3.1.2-2] answer an unsupported level with the 3.1.1 return code
    // 0x01, which every version can read, then close.
    session::frame f;
    f.bytes = std::string("\x20\x02\x00\x01", 4);
    outbox_->push(std::move(f));
    spdlog::info("{}: unsupported protocol version, refused", peer());
    phase_ = phase::closing;
    outbox_->close(reason_code::unsupported_protocol_version);
    return;
  }
  fail(e.code, e.what);
}

void client_connection::fail(reason_code code, std::string_view why) {
  if (phase_ == phase::closing) return;
  spdlog::info("client '{}' ({}): closing, {} ({})", client_id(), peer(), why, protocol::to_string(code));
  if (phase_ == phase::connected && version_ == protocol::protocol_version::v5) {
    protocol::disconnect d{code, {}};
    if (problem_info_) d.props.reason_string = std::string(why);
    send(d);
  }
  phase_ = phase::closing;
  outbox_->close(code);
  release_session();
}

std::string_view client_connection::client_id() const noexcept {
  if (slot_) return slot_->state.client_id();  // immutable: no lock needed
  if (extras_ && extras_->auth && extras_->auth->pending_connect) return extras_->auth->pending_connect->client_id;
  return {};
}

void client_connection::release_session() {
  // The session (and the will, [MQTT-3.1.2-8]) is settled as soon as the
  // broker decides to close, not when the peer gets round to closing its
  // socket: the transport may wait for that to flush the DISCONNECT.
  if (!slot_) return;
  broker_.on_disconnected(slot_, outbox_.get(), will_on_close_);
  slot_.reset();
}

session::frame client_connection::encode_for_client(const protocol::packet& p) const {
  session::frame f;
  protocol::encode(p, version_, f.bytes);
  if (const auto limit = client_max_packet(); limit != 0 && f.bytes.size() > limit) {
    // [MQTT-3.1.2-25] (and -3.2.2-19, -3.4.2-2, -3.9.2-1, ...): Reason String
    // and User Properties are what the server may leave out to stay within
    // the client's Maximum Packet Size.
    auto trimmed = p;
    std::visit(
        [](auto& pk) {
          if constexpr (requires { pk.props; }) {
            pk.props.reason_string.reset();
            pk.props.user_properties.clear();
          }
        },
        trimmed);
    f.bytes.clear();
    protocol::encode(trimmed, version_, f.bytes);
  }
  return f;
}

void client_connection::send(const protocol::packet& p) { outbox_->push(encode_for_client(p)); }

void client_connection::reply(bool after_commit, const protocol::packet& p) {
  broker_.persist().reply(after_commit, encode_for_client(p), outbox_);
}

void client_connection::drain(std::vector<outbound_chunk>& out) {
  // An idle connection learns of new authorization rules here: the broker
  // wakes every connection when they change.
  check_authorization_current();
  outbox_->drain(out);
}

std::chrono::milliseconds client_connection::idle_timeout() const {
  if (phase_ == phase::awaiting_connect || phase_ == phase::authenticating) return broker_.options().connect_timeout;
  if (keep_alive_ == 0) return std::chrono::milliseconds{0};
  return std::chrono::milliseconds{keep_alive_ * 1500};  // [MQTT-3.1.2-24] one and a half times
}

void client_connection::on_idle_timeout() {
  if (phase_ == phase::awaiting_connect || phase_ == phase::authenticating) {
    spdlog::info("{}: no CONNECT in time, closing", peer());
    phase_ = phase::closing;
    outbox_->close(reason_code::keep_alive_timeout);
    return;
  }
  fail(reason_code::keep_alive_timeout, "[MQTT-3.1.2-24] keep alive timeout");
}

void client_connection::on_closed() {
  outbox_->detach_sink();
  release_session();
  --broker_.connections;
}

}  // namespace gridmq::broker
