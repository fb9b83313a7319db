#include "store/record_keys.hpp"

#include <cstdio>

#include "store/byte_reader.hpp"
#include "store/byte_writer.hpp"

namespace gridmq::store {

namespace {

constexpr std::string_view meta_format{"\0format", 7};

std::string with_client(key_kind kind, std::string_view client_id, std::size_t extra) {
  std::string k;
  k.reserve(3 + client_id.size() + extra);
  byte_writer w(k);
  w.u8(static_cast<std::uint8_t>(kind));
  w.u16(static_cast<std::uint16_t>(client_id.size()));
  w.raw(client_id);
  return k;
}

bool read_client(byte_reader& r, std::string& client_id) {
  std::uint16_t n = 0;
  std::string_view v;
  if (!r.u16(n) || !r.raw(n, v)) return false;
  client_id.assign(v);
  return true;
}

}  // namespace

std::string format_version_key() { return std::string(meta_format); }

std::string session_key(std::string_view client_id) {
  std::string k(1, static_cast<char>(key_kind::session));
  k.append(client_id);
  return k;
}

std::string subscription_key(std::string_view client_id, std::string_view filter) {
  std::string k = with_client(key_kind::subscription, client_id, filter.size());
  k.append(filter);
  return k;
}

std::string message_key(std::uint64_t id) {
  std::string k(1, static_cast<char>(key_kind::message));
  byte_writer(k).u64(id);
  return k;
}

std::string queue_key(std::string_view client_id, std::uint64_t sequence) {
  std::string k = with_client(key_kind::queue_entry, client_id, 8);
  byte_writer(k).u64(sequence);
  return k;
}

std::string inbound_qos2_key(std::string_view client_id, std::uint16_t packet_id) {
  std::string k = with_client(key_kind::inbound_qos2, client_id, 2);
  byte_writer(k).u16(packet_id);
  return k;
}

std::string retained_key(std::string_view topic) {
  std::string k(1, static_cast<char>(key_kind::retained));
  k.append(topic);
  return k;
}

std::string client_prefix(key_kind kind, std::string_view client_id) { return with_client(kind, client_id, 0); }

std::string prefix_end(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    auto& last = reinterpret_cast<unsigned char&>(end.back());
    if (last != 0xFF) {
      ++last;
      return end;
    }
    end.pop_back();
  }
  return end;
}

result<parsed_key, std::string> parse_key(std::string_view key) {
  parsed_key p;
  if (key.empty()) return unexpected(std::string("empty key"));
  p.kind = static_cast<key_kind>(key.front());
  byte_reader r(key.substr(1));
  bool ok = false;
  switch (p.kind) {
    case key_kind::meta:
      ok = key == meta_format || r.fail("unknown meta key");
      break;
    case key_kind::session:
      p.client_id.assign(r.rest());
      ok = true;
      break;
    case key_kind::retained:
      p.name.assign(r.rest());
      ok = true;
      break;
    case key_kind::message:
      ok = r.u64(p.number) && r.expect_end();
      break;
    case key_kind::subscription:
      ok = read_client(r, p.client_id);
      if (ok) p.name.assign(r.rest());
      break;
    case key_kind::queue_entry:
      ok = read_client(r, p.client_id) && r.u64(p.number) && r.expect_end();
      break;
    case key_kind::inbound_qos2: {
      std::uint16_t pid = 0;
      ok = read_client(r, p.client_id) && r.u16(pid) && r.expect_end();
      p.number = pid;
      break;
    }
    default:
      ok = r.fail("unknown record kind");
  }
  if (!ok) return unexpected(r.error());
  return p;
}

std::string describe_key(std::string_view key) {
  std::string out;
  for (const char c : key) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7F && u != '\\') {
      out.push_back(c);
    } else {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out.append(buf);
    }
    if (out.size() > 200) return out + "...";
  }
  return out;
}

}  // namespace gridmq::store
