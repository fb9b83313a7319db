// The record format: round trips of every record kind, key layout and
// order, and totality: truncated, bit-flipped and random inputs give an
// error or a record, never a crash or a huge allocation.
#include <gtest/gtest.h>

#include <random>

#include "store/record_codec.hpp"
#include "store/record_keys.hpp"
#include "store_test_support.hpp"

namespace gridmq::store::test {
namespace {

session_record rich_session() {
  session_record s = make_session("client-1", 7200);
  s.version = protocol::protocol_version::v5;
  s.disconnected_at = wall_time(std::chrono::milliseconds(1700000000123));
  protocol::will w;
  w.topic = "last/will";
  w.payload = bytes(std::string("bye\0!", 5));
  w.qos_level = protocol::qos::exactly_once;
  w.retain = true;
  w.props = full_properties();
  s.will = w;
  s.will_at = wall_time(std::chrono::milliseconds(1700000010123));
  s.authentication_name = "sensor-1";
  return s;
}

message_record rich_message() {
  message_record m = make_message(42, "a/b/c", std::string("\x00\xff payload", 10));
  m.qos_level = protocol::qos::exactly_once;
  m.retain = true;
  m.props = full_properties();
  m.expires_at = wall_time(std::chrono::milliseconds(-5));  // before the epoch still round-trips
  return m;
}

queue_entry rich_entry() {
  queue_entry e = make_entry("client-1", 0x0102030405060708ULL, 42);
  e.state = entry_state::inflight_pubrel;
  e.packet_id = 65535;
  e.qos_level = protocol::qos::exactly_once;
  e.retain = true;
  e.subscription_ids = {1, 268435455};
  e.share_group = "workers";
  e.share_filter = "a/+/#";
  return e;
}

subscription_record rich_subscription() {
  subscription_record s = make_subscription("client-1", "$share/g/a/+/#", 99);
  s.options.no_local = true;
  s.options.retain_as_published = true;
  s.options.handling = protocol::retain_handling::never;
  return s;
}

TEST(record_codec, session_round_trip) {
  for (session_record s : {make_session("c"), rich_session()}) {
    auto d = decode_session(s.client_id, encode_session(s));
    ASSERT_TRUE(d) << d.error();
    EXPECT_EQ(dump(*d), dump(s));
  }
}

TEST(record_codec, message_round_trip) {
  for (message_record m : {make_message(1, "t", ""), rich_message()}) {
    auto d = decode_message(m.id, encode_message(m));
    ASSERT_TRUE(d) << d.error();
    EXPECT_EQ(dump(*d), dump(m));
    auto r = decode_retained(m.topic, encode_retained(m));
    ASSERT_TRUE(r) << r.error();
    EXPECT_EQ(dump(*r), dump(m));
  }
}

TEST(record_codec, retained_topic_must_match_key) {
  EXPECT_FALSE(decode_retained("other", encode_retained(rich_message())));
}

TEST(record_codec, queue_entry_round_trip) {
  for (queue_entry e : {make_entry("c", 0, 0), rich_entry()}) {
    auto d = decode_queue_entry(e.client_id, e.sequence, encode_queue_entry(e));
    ASSERT_TRUE(d) << d.error();
    EXPECT_EQ(dump(*d), dump(e));
  }
}

TEST(record_codec, session_owner_is_optional) {
  // Without an owner a session keeps the bytes of the first format
  // (golden/v1); with one, has-bit 8 says the name follows.
  session_record plain = rich_session();
  plain.authentication_name.clear();
  const std::string without = encode_session(plain);
  const std::string with = encode_session(rich_session());
  EXPECT_EQ(static_cast<std::uint8_t>(without[6]), 7);      // disconnected_at | will | will_at
  EXPECT_EQ(static_cast<std::uint8_t>(with[6]), 8 | 7);
  EXPECT_EQ(with.substr(without.size()), std::string("\0\0\0\x08sensor-1", 12));
  auto d = decode_session("c", with);
  ASSERT_TRUE(d) << d.error();
  EXPECT_EQ(d->authentication_name, "sensor-1");
  EXPECT_FALSE(decode_session("c", without.substr(0, 6) + '\x08' + without.substr(7)));  // bit, no name
  EXPECT_FALSE(decode_session("c", without.substr(0, 6) + '\x0f' + without.substr(7) + std::string(4, '\0')));
}

TEST(record_codec, queue_entry_share_origin_is_optional) {
  // Without a $share origin an entry keeps the bytes of the first format
  // (golden/v1), so stores written before the origin was kept read as
  // ordinary entries; with one, the state byte says so.
  queue_entry plain = rich_entry();
  plain.share_group.clear();
  plain.share_filter.clear();
  const std::string without = encode_queue_entry(plain);
  const std::string with = encode_queue_entry(rich_entry());
  EXPECT_EQ(static_cast<std::uint8_t>(without[9]), 2);         // state inflight_pubrel
  EXPECT_EQ(static_cast<std::uint8_t>(with[9]), 0x80 | 2);     // ... with an origin
  EXPECT_EQ(with.substr(0, 9), without.substr(0, 9));
  auto d = decode_queue_entry("c", 1, with);
  ASSERT_TRUE(d) << d.error();
  EXPECT_EQ(d->share_group, "workers");
  EXPECT_EQ(d->share_filter, "a/+/#");
  // The bit without the fields, or an empty group, is an error.
  std::string bit_only = without;
  bit_only[9] = static_cast<char>(0x82);
  EXPECT_FALSE(decode_queue_entry("c", 1, bit_only));
  queue_entry empty_group = rich_entry();
  empty_group.share_group.clear();
  std::string forged = encode_queue_entry(empty_group);
  forged[9] = static_cast<char>(0x82);
  forged += std::string("\0\0\0\0\0\0\0\x01x", 9);
  EXPECT_FALSE(decode_queue_entry("c", 1, forged));
}

TEST(record_codec, subscription_round_trip) {
  for (subscription_record s : {make_subscription("c", "#"), rich_subscription()}) {
    auto d = decode_subscription(s.client_id, s.filter, encode_subscription(s));
    ASSERT_TRUE(d) << d.error();
    EXPECT_EQ(dump(*d), dump(s));
  }
}

TEST(record_codec, inbound_and_version) {
  EXPECT_TRUE(decode_inbound_qos2("c", 5, encode_inbound_qos2()));
  EXPECT_FALSE(decode_inbound_qos2("c", 5, ""));
  EXPECT_FALSE(decode_inbound_qos2("c", 5, "\x01x"));
  auto v = decode_format_version(encode_format_version(7));
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, 7u);
  EXPECT_FALSE(decode_format_version(encode_format_version(0)));
  EXPECT_FALSE(decode_format_version("\x00\x00\x01"));
  EXPECT_FALSE(decode_format_version(std::string("\x00\x00\x00\x01\x00", 5)));
}

// All encodings of the rich records, with a decoder for each.
struct sample {
  const char* name;
  std::string value;
  std::function<bool(std::string_view)> decodes;
};

std::vector<sample> samples() {
  return {
      {"session", encode_session(rich_session()), [](std::string_view v) { return bool(decode_session("c", v)); }},
      {"message", encode_message(rich_message()), [](std::string_view v) { return bool(decode_message(1, v)); }},
      {"retained", encode_retained(rich_message()),
       [](std::string_view v) { return bool(decode_retained("a/b/c", v)); }},
      {"entry", encode_queue_entry(rich_entry()), [](std::string_view v) { return bool(decode_queue_entry("c", 1, v)); }},
      {"subscription", encode_subscription(rich_subscription()),
       [](std::string_view v) { return bool(decode_subscription("c", "f", v)); }},
  };
}

TEST(record_codec, every_truncation_is_an_error) {
  for (const sample& s : samples()) {
    ASSERT_TRUE(s.decodes(s.value)) << s.name;
    for (std::size_t n = 0; n < s.value.size(); ++n) {
      EXPECT_FALSE(s.decodes(std::string_view(s.value).substr(0, n))) << s.name << " cut at " << n;
    }
    EXPECT_FALSE(s.decodes(s.value + '\0')) << s.name << " with a trailing byte";
  }
}

TEST(record_codec, bit_flips_and_garbage_never_crash) {
  std::mt19937 rng(12345);
  for (const sample& s : samples()) {
    for (std::size_t i = 0; i < s.value.size(); ++i) {
      for (int bit = 0; bit < 8; ++bit) {
        std::string v = s.value;
        v[i] = static_cast<char>(v[i] ^ (1 << bit));
        (void)s.decodes(v);  // an error or some record; under ASan: no bad access
      }
    }
    for (int round = 0; round < 2000; ++round) {
      std::string v(rng() % 64, '\0');
      for (char& c : v) c = static_cast<char>(rng());
      if (!v.empty()) v[0] = static_cast<char>(record_version);
      (void)s.decodes(v);
    }
  }
}

TEST(record_codec, rejects_bad_fields) {
  // version byte
  std::string v = encode_queue_entry(rich_entry());
  v[0] = 2;
  EXPECT_FALSE(decode_queue_entry("c", 1, v));
  // QoS 3 in a subscription
  v = encode_subscription(rich_subscription());
  v[1] = 3;
  EXPECT_FALSE(decode_subscription("c", "f", v));
  // unknown option bits, retain handling 3
  v = encode_subscription(rich_subscription());
  v[2] = 4;
  EXPECT_FALSE(decode_subscription("c", "f", v));
  v = encode_subscription(rich_subscription());
  v[3] = 3;
  EXPECT_FALSE(decode_subscription("c", "f", v));
  // unknown queue state (byte after version and the u64 message id)
  v = encode_queue_entry(rich_entry());
  v[9] = 3;
  EXPECT_FALSE(decode_queue_entry("c", 1, v));
  // a subscription id count far past the end must not allocate
  v = encode_queue_entry(make_entry("c", 1, 1));
  v.replace(v.size() - 4, 4, "\xff\xff\xff\xff");
  EXPECT_FALSE(decode_queue_entry("c", 1, v));
  // protocol level 6, unknown session bits
  v = encode_session(make_session("c"));
  v[1] = 6;
  EXPECT_FALSE(decode_session("c", v));
  v = encode_session(make_session("c"));
  v[6] = 8;
  EXPECT_FALSE(decode_session("c", v));
}

TEST(record_codec, rejects_bad_properties) {
  message_record m = make_message(1, "t", "p");
  const std::string plain = encode_message(m);
  // plain: ver, topic(4+1), qos, retain, has-expiry, props count(4), payload(4+1)
  const std::size_t props_at = 1 + 5 + 3;
  std::string v = plain;
  v.replace(props_at, 4, std::string("\x00\x00\x00\x01\x7f", 5));  // unknown id 0x7f
  EXPECT_FALSE(decode_message(1, v));
  v = plain;  // Content Type twice
  v.replace(props_at, 4, std::string("\x00\x00\x00\x02\x03\x00\x00\x00\x00\x03\x00\x00\x00\x00", 14));
  EXPECT_FALSE(decode_message(1, v));
  v = plain;  // Subscription Identifier twice is fine
  v.replace(props_at, 4, std::string("\x00\x00\x00\x02\x0b\x00\x00\x00\x01\x0b\x00\x00\x00\x02", 14));
  auto d = decode_message(1, v);
  ASSERT_TRUE(d) << d.error();
  EXPECT_EQ(d->props.subscription_identifiers, (std::vector<std::uint32_t>{1, 2}));
  v = plain;  // a huge property count with nothing behind it
  v.replace(props_at, 4, "\xff\xff\xff\xff");
  EXPECT_FALSE(decode_message(1, v));
}

TEST(record_keys, parse_round_trip) {
  const std::string odd("a\x00\xff", 3);
  struct row {
    std::string key;
    key_kind kind;
    std::string client;
    std::string name;
    std::uint64_t number;
  };
  for (const row& r : std::vector<row>{
           {session_key(odd), key_kind::session, odd, "", 0},
           {subscription_key(odd, "$share/g/#"), key_kind::subscription, odd, "$share/g/#", 0},
           {message_key(0xfedcba9876543210ULL), key_kind::message, "", "", 0xfedcba9876543210ULL},
           {queue_key(odd, 77), key_kind::queue_entry, odd, "", 77},
           {inbound_qos2_key(odd, 65535), key_kind::inbound_qos2, odd, "", 65535},
           {retained_key("a/b"), key_kind::retained, "", "a/b", 0},
           {format_version_key(), key_kind::meta, "", "", 0},
       }) {
    auto p = parse_key(r.key);
    ASSERT_TRUE(p) << describe_key(r.key) << ": " << p.error();
    EXPECT_EQ(p->kind, r.kind);
    EXPECT_EQ(p->client_id, r.client);
    EXPECT_EQ(p->name, r.name);
    EXPECT_EQ(p->number, r.number);
  }
}

TEST(record_keys, rejects_bad_keys) {
  EXPECT_FALSE(parse_key(""));
  EXPECT_FALSE(parse_key("Zfoo"));
  EXPECT_FALSE(parse_key(std::string("\0other", 6)));
  EXPECT_FALSE(parse_key("M1234567"));     // short id
  EXPECT_FALSE(parse_key("M123456789"));   // long id
  EXPECT_FALSE(parse_key(std::string("Q\x00\x05" "ab", 5)));  // client id runs past the end
  const std::string q = queue_key("c", 1);
  for (std::size_t n = 1; n < q.size(); ++n) EXPECT_FALSE(parse_key(q.substr(0, n))) << n;
  EXPECT_FALSE(parse_key(q + "x"));
}

TEST(record_keys, order_and_client_ranges) {
  // Sequences sort numerically, across byte boundaries.
  EXPECT_LT(queue_key("c", 255), queue_key("c", 256));
  EXPECT_LT(queue_key("c", 1), queue_key("c", 1ULL << 40));
  // One client's range holds none of another's, even when one id is a
  // prefix of the other or ends in 0xFF.
  const std::vector<std::string> ids = {"a", "ab", std::string("a\xff", 2), "b", ""};
  for (const auto& x : ids) {
    const std::string begin = client_prefix(key_kind::queue_entry, x);
    const std::string end = prefix_end(begin);
    for (const auto& y : ids) {
      const std::string k = queue_key(y, 5);
      const bool inside = k >= begin && k < end;
      EXPECT_EQ(inside, x == y) << describe_key(x) << " vs " << describe_key(y);
    }
  }
  EXPECT_EQ(prefix_end("a\xff"), "b");
  EXPECT_EQ(prefix_end("\xff\xff"), "");
}

}  // namespace
}  // namespace gridmq::store::test
