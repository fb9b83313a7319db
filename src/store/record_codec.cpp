#include "store/record_codec.hpp"

#include <memory>

#include "store/byte_reader.hpp"
#include "store/byte_writer.hpp"
#include "store/props_codec.hpp"

namespace gridmq::store {

namespace {

// has_owner and has_sent_through came later: records without them keep
// the first bytes.
enum session_bits : std::uint8_t {
  has_disconnected_at = 1,
  has_will = 2,
  has_will_at = 4,
  has_owner = 8,
  has_sent_through = 16
};
enum subscription_bits : std::uint8_t { bit_no_local = 1, bit_retain_as_published = 2 };
// A queue entry's state byte carries this bit when a $share origin follows
// the subscription ids. Entries without one keep the original bytes, so
// stores written before it read unchanged.
constexpr std::uint8_t entry_has_share = 0x80;

std::string start_value() {
  std::string v;
  v.push_back(static_cast<char>(record_version));
  return v;
}

bool read_version(byte_reader& r) {
  std::uint8_t v = 0;
  if (!r.u8(v)) return false;
  return v == record_version || r.fail("unknown record version");
}

void write_time(byte_writer& w, wall_time t) { w.i64(t.time_since_epoch().count()); }

bool read_time(byte_reader& r, wall_time& t) {
  std::int64_t ms = 0;
  if (!r.i64(ms)) return false;
  t = wall_time(std::chrono::milliseconds(ms));
  return true;
}

bool read_qos(byte_reader& r, protocol::qos& q) {
  std::uint8_t v = 0;
  if (!r.u8(v)) return false;
  if (v > 2) return r.fail("QoS above 2");
  q = static_cast<protocol::qos>(v);
  return true;
}

bool read_payload(byte_reader& r, protocol::payload_ptr& p) {
  std::string_view v;
  if (!r.bytes_view(v)) return false;
  p = std::make_shared<const std::string>(v);
  return true;
}

void write_will(byte_writer& w, std::string& out, const protocol::will& will) {
  w.bytes(will.topic);
  w.bytes(will.payload ? std::string_view(*will.payload) : std::string_view());
  w.u8(static_cast<std::uint8_t>(will.qos_level));
  w.u8(will.retain ? 1 : 0);
  append_props(out, will.props);
}

bool read_will(byte_reader& r, protocol::will& will) {
  return r.bytes(will.topic) && read_payload(r, will.payload) && read_qos(r, will.qos_level) && r.flag(will.retain) &&
         read_props(r, will.props);
}

void write_message_body(std::string& out, const message_record& m) {
  byte_writer w(out);
  w.bytes(m.topic);
  w.u8(static_cast<std::uint8_t>(m.qos_level));
  w.u8(m.retain ? 1 : 0);
  w.u8(m.expires_at ? 1 : 0);
  if (m.expires_at) write_time(w, *m.expires_at);
  append_props(out, m.props);
  // Last, so that a future writer can hand the payload over as a separate
  // slice instead of copying it into the value.
  w.bytes(m.payload ? std::string_view(*m.payload) : std::string_view());
}

bool read_message_body(byte_reader& r, message_record& m) {
  bool has_expiry = false;
  if (!r.bytes(m.topic) || !read_qos(r, m.qos_level) || !r.flag(m.retain) || !r.flag(has_expiry)) return false;
  if (has_expiry) {
    m.expires_at.emplace();
    if (!read_time(r, *m.expires_at)) return false;
  }
  return read_props(r, m.props) && read_payload(r, m.payload) && r.expect_end();
}

template <class T>
decoded<T> finish(byte_reader& r, T&& value) {
  if (r.failed()) return unexpected(r.error());
  return std::forward<T>(value);
}

}  // namespace

std::string encode_format_version(std::uint32_t version) {
  std::string v;
  byte_writer(v).u32(version);
  return v;
}

decoded<std::uint32_t> decode_format_version(std::string_view value) {
  byte_reader r(value);
  std::uint32_t v = 0;
  if (!r.u32(v) || !r.expect_end()) return unexpected(r.error());
  if (v == 0) return unexpected(std::string("format version 0"));
  return v;
}

std::string encode_session(const session_record& s) {
  std::string out = start_value();
  byte_writer w(out);
  w.u8(static_cast<std::uint8_t>(s.version));
  w.u32(s.expiry_interval);
  const std::uint8_t bits = (s.disconnected_at ? has_disconnected_at : 0) | (s.will ? has_will : 0) |
                            (s.will_at ? has_will_at : 0) | (s.authentication_name.empty() ? 0 : has_owner) |
                            (s.sent_through != 0 ? has_sent_through : 0);
  w.u8(bits);
  if (s.disconnected_at) write_time(w, *s.disconnected_at);
  if (s.will) write_will(w, out, *s.will);
  if (s.will_at) write_time(w, *s.will_at);
  if (!s.authentication_name.empty()) w.bytes(s.authentication_name);
  if (s.sent_through != 0) w.u64(s.sent_through);
  return out;
}

decoded<session_record> decode_session(std::string_view client_id, std::string_view value) {
  byte_reader r(value);
  session_record s;
  s.client_id.assign(client_id);
  std::uint8_t level = 0;
  std::uint8_t bits = 0;
  if (!read_version(r) || !r.u8(level) || !r.u32(s.expiry_interval) || !r.u8(bits)) return finish(r, std::move(s));
  if (level < 3 || level > 5) {
    r.fail("unknown protocol level");
    return finish(r, std::move(s));
  }
  if (bits & ~(has_disconnected_at | has_will | has_will_at | has_owner | has_sent_through)) {
    r.fail("unknown session bits");
    return finish(r, std::move(s));
  }
  s.version = static_cast<protocol::protocol_version>(level);
  if (bits & has_disconnected_at) {
    s.disconnected_at.emplace();
    if (!read_time(r, *s.disconnected_at)) return finish(r, std::move(s));
  }
  if (bits & has_will) {
    s.will.emplace();
    if (!read_will(r, *s.will)) return finish(r, std::move(s));
  }
  if (bits & has_will_at) {
    s.will_at.emplace();
    if (!read_time(r, *s.will_at)) return finish(r, std::move(s));
  }
  if ((bits & has_owner) && r.bytes(s.authentication_name) && s.authentication_name.empty()) {
    r.fail("empty owning authentication name");
  }
  if ((bits & has_sent_through) && !r.u64(s.sent_through)) return finish(r, std::move(s));
  r.expect_end();
  return finish(r, std::move(s));
}

std::string encode_subscription(const subscription_record& s) {
  std::string out = start_value();
  byte_writer w(out);
  w.u8(static_cast<std::uint8_t>(s.options.max_qos));
  w.u8((s.options.no_local ? bit_no_local : 0) | (s.options.retain_as_published ? bit_retain_as_published : 0));
  w.u8(static_cast<std::uint8_t>(s.options.handling));
  w.u32(s.identifier);
  return out;
}

decoded<subscription_record> decode_subscription(std::string_view client_id, std::string_view filter,
                                                 std::string_view value) {
  byte_reader r(value);
  subscription_record s;
  s.client_id.assign(client_id);
  s.filter.assign(filter);
  std::uint8_t bits = 0;
  std::uint8_t handling = 0;
  if (read_version(r) && read_qos(r, s.options.max_qos) && r.u8(bits) && r.u8(handling) && r.u32(s.identifier) &&
      r.expect_end()) {
    if (bits & ~(bit_no_local | bit_retain_as_published)) r.fail("unknown subscription option bits");
    if (handling > 2) r.fail("unknown retain handling");
  }
  s.options.no_local = (bits & bit_no_local) != 0;
  s.options.retain_as_published = (bits & bit_retain_as_published) != 0;
  s.options.handling = static_cast<protocol::retain_handling>(handling);
  return finish(r, std::move(s));
}

std::string encode_message(const message_record& m) {
  std::string out = start_value();
  write_message_body(out, m);
  return out;
}

decoded<message_record> decode_message(std::uint64_t id, std::string_view value) {
  byte_reader r(value);
  message_record m;
  m.id = id;
  if (read_version(r)) read_message_body(r, m);
  return finish(r, std::move(m));
}

std::string encode_retained(const message_record& m) {
  std::string out = start_value();
  byte_writer(out).u64(m.id);
  write_message_body(out, m);
  return out;
}

decoded<message_record> decode_retained(std::string_view topic, std::string_view value) {
  byte_reader r(value);
  message_record m;
  if (read_version(r) && r.u64(m.id) && read_message_body(r, m) && m.topic != topic) {
    r.fail("retained message topic differs from its key");
  }
  return finish(r, std::move(m));
}

std::string encode_queue_entry(const queue_entry& e) {
  std::string out = start_value();
  byte_writer w(out);
  w.u64(e.message_id);
  const bool shared = !e.share_group.empty();
  w.u8(static_cast<std::uint8_t>(static_cast<std::uint8_t>(e.state) | (shared ? entry_has_share : 0)));
  w.u16(e.packet_id);
  w.u8(static_cast<std::uint8_t>(e.qos_level));
  w.u8(e.retain ? 1 : 0);
  w.u32(static_cast<std::uint32_t>(e.subscription_ids.size()));
  for (const std::uint32_t id : e.subscription_ids) w.u32(id);
  if (shared) {
    w.bytes(e.share_group);
    w.bytes(e.share_filter);
  }
  return out;
}

decoded<queue_entry> decode_queue_entry(std::string_view client_id, std::uint64_t sequence, std::string_view value) {
  byte_reader r(value);
  queue_entry e;
  e.client_id.assign(client_id);
  e.sequence = sequence;
  std::uint8_t state = 0;
  std::uint32_t count = 0;
  if (!read_version(r) || !r.u64(e.message_id) || !r.u8(state) || !r.u16(e.packet_id) || !read_qos(r, e.qos_level) ||
      !r.flag(e.retain) || !r.u32(count)) {
    return finish(r, std::move(e));
  }
  const bool shared = (state & entry_has_share) != 0;
  state &= static_cast<std::uint8_t>(~entry_has_share);
  if (state > 2) {
    r.fail("unknown queue entry state");
    return finish(r, std::move(e));
  }
  e.state = static_cast<entry_state>(state);
  // Checked before reserving: a corrupt count must not allocate.
  if (count > r.remaining() / 4) {
    r.fail("truncated: subscription id count runs past the end");
    return finish(r, std::move(e));
  }
  e.subscription_ids.resize(count);
  for (auto& id : e.subscription_ids) r.u32(id);
  if (shared && r.bytes(e.share_group) && r.bytes(e.share_filter) && e.share_group.empty()) {
    r.fail("empty $share group");
  }
  r.expect_end();
  return finish(r, std::move(e));
}

std::string encode_inbound_qos2() { return start_value(); }

decoded<inbound_qos2> decode_inbound_qos2(std::string_view client_id, std::uint16_t packet_id, std::string_view value) {
  byte_reader r(value);
  if (read_version(r)) r.expect_end();
  return finish(r, inbound_qos2{std::string(client_id), packet_id});
}

}  // namespace gridmq::store
