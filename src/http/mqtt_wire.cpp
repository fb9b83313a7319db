#include "http/mqtt_wire.hpp"

namespace gridmq::http::wire {
namespace {

void put_u16(std::string& out, std::uint32_t v) {
  out.push_back(static_cast<char>((v >> 8) & 0xFF));
  out.push_back(static_cast<char>(v & 0xFF));
}
void put_u32(std::string& out, std::uint32_t v) {
  put_u16(out, v >> 16);
  put_u16(out, v & 0xFFFF);
}
void put_str(std::string& out, std::string_view s) {
  put_u16(out, static_cast<std::uint32_t>(s.size()));
  out.append(s);
}
void put_varint(std::string& out, std::size_t v) {
  do {
    std::uint8_t b = v % 128;
    v /= 128;
    if (v > 0) b |= 0x80;
    out.push_back(static_cast<char>(b));
  } while (v > 0);
}
std::string frame(std::uint8_t first, const std::string& body) {
  std::string out(1, static_cast<char>(first));
  put_varint(out, body.size());
  return out + body;
}

std::string publish_properties(const publish_request& r) {
  std::string p;
  if (r.payload_format) {
    p.push_back(0x01);
    p.push_back(static_cast<char>(*r.payload_format));
  }
  if (r.message_expiry) {
    p.push_back(0x02);
    put_u32(p, *r.message_expiry);
  }
  if (r.content_type) {
    p.push_back(0x03);
    put_str(p, *r.content_type);
  }
  if (r.response_topic) {
    p.push_back(0x08);
    put_str(p, *r.response_topic);
  }
  if (r.correlation_data) {
    p.push_back(0x09);
    put_str(p, *r.correlation_data);
  }
  for (const auto& [k, v] : r.user_properties) {
    p.push_back(0x26);
    put_str(p, k);
    put_str(p, v);
  }
  return p;
}

std::string publish_body(const publish_request& r, std::uint16_t packet_id) {
  std::string body;
  put_str(body, r.topic);
  if (r.qos > 0) put_u16(body, packet_id);
  const std::string props = publish_properties(r);
  put_varint(body, props.size());
  body += props;
  body += r.payload;
  return body;
}

// A bounds-checked reader; any overrun sets `bad`.
struct reader {
  std::span<const std::uint8_t> d;
  std::size_t i = 0;
  bool bad = false;
  bool has(std::size_t n) {
    if (i + n > d.size()) bad = true;
    return !bad;
  }
  std::uint8_t u8() { return has(1) ? d[i++] : 0; }
  std::uint16_t u16() {
    if (!has(2)) return 0;
    const std::uint16_t v = static_cast<std::uint16_t>((d[i] << 8) | d[i + 1]);
    i += 2;
    return v;
  }
  std::uint32_t u32() { return (std::uint32_t{u16()} << 16) | u16(); }
  std::string bytes(std::size_t n) {
    if (!has(n)) return {};
    std::string s(reinterpret_cast<const char*>(d.data() + i), n);
    i += n;
    return s;
  }
  std::string str() { return bytes(u16()); }
  std::size_t varint() {
    std::size_t v = 0;
    for (int shift = 0; shift < 28; shift += 7) {
      const std::uint8_t b = u8();
      v |= std::size_t{b & 0x7Fu} << shift;
      if (!(b & 0x80)) return v;
    }
    bad = true;
    return 0;
  }
};

// Walks a property block, keeping what the endpoints need.
void read_properties(reader& r, packet& p) {
  const std::size_t len = r.varint();
  if (!r.has(len)) return;
  const std::size_t end = r.i + len;
  while (!r.bad && r.i < end) {
    const std::uint8_t id = r.u8();
    switch (id) {
      case 0x01: case 0x17: case 0x19: case 0x24: case 0x25: case 0x28: case 0x29: case 0x2A: r.u8(); break;
      case 0x13: case 0x21: case 0x22: case 0x23: r.u16(); break;
      case 0x11: case 0x18: r.u32(); break;
      case 0x02: p.message_expiry = r.u32(); break;
      case 0x27: p.maximum_packet_size = r.u32(); break;
      case 0x0B: r.varint(); break;
      case 0x03: case 0x08: case 0x09: case 0x12: case 0x15: case 0x16: case 0x1A: case 0x1C: case 0x1F: r.str(); break;
      case 0x26: r.str(); r.str(); break;
      default: r.bad = true; break;
    }
  }
  if (r.i != end) r.bad = true;
}

}  // namespace

std::string connect(std::string_view client_id, const std::optional<std::string>& username,
                    const std::optional<std::string>& password) {
  std::string body;
  put_str(body, "MQTT");
  body.push_back(5);
  std::uint8_t flags = 0x02;  // Clean Start; Session Expiry 0: the session ends with the request
  if (username) flags |= 0x80;
  if (password) flags |= 0x40;
  body.push_back(static_cast<char>(flags));
  put_u16(body, 0);  // Keep Alive: off, the request is short-lived
  std::string props;
  props.push_back(0x21);  // Receive Maximum: the endpoints ack at once
  put_u16(props, 65535);
  put_varint(body, props.size());
  body += props;
  put_str(body, client_id);
  if (username) put_str(body, *username);
  if (password) put_str(body, *password);
  return frame(0x10, body);
}

std::string publish(const publish_request& r, std::uint16_t packet_id) {
  const std::uint8_t first = static_cast<std::uint8_t>(0x30 | (r.qos << 1) | (r.retain ? 1 : 0));
  return frame(first, publish_body(r, packet_id));
}

std::size_t publish_size(const publish_request& r) {
  const std::size_t body = publish_body(r, 1).size();
  std::string len;
  put_varint(len, body);
  return 1 + len.size() + body;
}

std::string subscribe(std::uint16_t packet_id, std::string_view filter, std::uint8_t max_qos) {
  std::string body;
  put_u16(body, packet_id);
  body.push_back(0);  // no properties
  put_str(body, filter);
  body.push_back(static_cast<char>(max_qos));  // Retain Handling 0: send retained messages
  return frame(0x82, body);
}

std::string ack(std::uint8_t type_nibble, std::uint16_t packet_id) {
  std::string body;
  put_u16(body, packet_id);
  return frame(static_cast<std::uint8_t>((type_nibble << 4) | (type_nibble == 6 ? 2 : 0)), body);
}

std::string pingreq() { return std::string("\xC0\x00", 2); }
std::string disconnect() { return std::string("\xE0\x00", 2); }

cut_result cut(std::span<const std::uint8_t> data) {
  cut_result out;
  if (data.size() < 2) return out;
  std::size_t len = 0, i = 1;
  for (int shift = 0;; shift += 7) {
    if (i >= data.size()) return out;
    if (shift > 21) {
      out.st = cut_status::malformed;
      return out;
    }
    const std::uint8_t b = data[i++];
    len |= std::size_t{b & 0x7Fu} << shift;
    if (!(b & 0x80)) break;
  }
  if (data.size() < i + len) return out;
  out.length = i + len;
  packet& p = out.p;
  p.type = data[0] >> 4;
  p.flags = data[0] & 0x0F;
  reader r{data.subspan(i, len)};
  switch (p.type) {
    case 2:  // CONNACK
      r.u8();
      p.reason = r.u8();
      if (r.i < len) read_properties(r, p);
      break;
    case 4: case 5: case 6: case 7:  // PUBACK, PUBREC, PUBREL, PUBCOMP
      p.packet_id = r.u16();
      if (r.i < len) p.reason = r.u8();
      break;
    case 9:  // SUBACK
      p.packet_id = r.u16();
      read_properties(r, p);
      p.reason = r.u8();
      break;
    case 3: {  // PUBLISH
      p.topic = r.str();
      if ((p.flags >> 1) & 3) p.packet_id = r.u16();
      read_properties(r, p);
      if (!r.bad) p.payload = r.bytes(len - r.i);
      break;
    }
    case 14:  // DISCONNECT
      if (len > 0) p.reason = r.u8();
      break;
    default:
      break;
  }
  out.st = r.bad ? cut_status::malformed : cut_status::done;
  return out;
}

}  // namespace gridmq::http::wire
