// Format version 1, pinned: golden key and value bytes of every record kind
// (tests/unit/store/golden/v1/NAME.key, NAME.value). The encoder must still
// produce exactly these bytes, and a store built from them alone (planted
// with RocksDB directly, as a version-1 gridmq left them) must load into the
// records they stand for. A change that breaks this test changes the format:
// bump current_format_version and add a migration instead (README.md).
//
// To write the files after adding a record kind (never to "fix" a diff):
//   GRIDMQ_WRITE_GOLDEN=1 ./store_test --gtest_filter='store_golden.*'
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

#include "store/record_codec.hpp"
#include "store/record_keys.hpp"
#include "store/rocksdb_store.hpp"
#include "store_test_support.hpp"

namespace gridmq::store::test {
namespace {

namespace fs = std::filesystem;

const fs::path golden_dir = fs::path(STORE_GOLDEN_DIR) / "v1";

wall_time at(std::int64_t ms) { return wall_time(std::chrono::milliseconds(ms)); }

session_record golden_session() {
  session_record s = make_session("golden-client", 86400);
  s.version = protocol::protocol_version::v5;
  s.disconnected_at = at(1700000000000);
  protocol::will w;
  w.topic = "status/golden-client";
  w.payload = bytes("offline");
  w.qos_level = protocol::qos::at_least_once;
  w.retain = true;
  w.props.will_delay_interval = 30;
  w.props.content_type = "text/plain";
  s.will = w;
  s.will_at = at(1700000030000);
  return s;
}

message_record golden_message() {
  message_record m = make_message(1000, "sensors/1/temp", "21.5");
  m.qos_level = protocol::qos::exactly_once;
  m.props.payload_format_indicator = 1;
  m.props.response_topic = "replies/1";
  m.props.correlation_data = std::string("\x01\x02", 2);
  m.props.user_properties = {{"unit", "C"}};
  m.expires_at = at(1700003600000);
  return m;
}

message_record golden_retained() {
  message_record m = make_message(999, "status/golden-client", "online");
  m.retain = true;
  return m;
}

queue_entry golden_entry() {
  queue_entry e = make_entry("golden-client", 5, 1000);
  e.state = entry_state::inflight_publish;
  e.packet_id = 42;
  e.qos_level = protocol::qos::exactly_once;
  e.subscription_ids = {3};
  return e;
}

subscription_record golden_subscription() {
  subscription_record s = make_subscription("golden-client", "$share/workers/sensors/+/temp", 3);
  s.options.retain_as_published = true;
  s.options.handling = protocol::retain_handling::send_if_new;
  return s;
}

struct golden_record {
  std::string name;
  std::string key;
  std::string value;
};

std::vector<golden_record> golden_records() {
  const session_record s = golden_session();
  const subscription_record sub = golden_subscription();
  const message_record m = golden_message();
  const message_record r = golden_retained();
  const queue_entry e = golden_entry();
  return {
      {"format_version", format_version_key(), encode_format_version(1)},
      {"session", session_key(s.client_id), encode_session(s)},
      {"subscription", subscription_key(sub.client_id, sub.filter), encode_subscription(sub)},
      {"message", message_key(m.id), encode_message(m)},
      {"retained", retained_key(r.topic), encode_retained(r)},
      {"queue_entry", queue_key(e.client_id, e.sequence), encode_queue_entry(e)},
      {"inbound_qos2", inbound_qos2_key("golden-client", 7), encode_inbound_qos2()},
  };
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  EXPECT_TRUE(in) << "missing golden file " << p;
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(store_golden, encoder_matches_the_golden_bytes) {
  const bool write = std::getenv("GRIDMQ_WRITE_GOLDEN") != nullptr;
  for (const golden_record& g : golden_records()) {
    const fs::path key = golden_dir / (g.name + ".key");
    const fs::path value = golden_dir / (g.name + ".value");
    if (write) {
      fs::create_directories(golden_dir);
      std::ofstream(key, std::ios::binary) << g.key;
      std::ofstream(value, std::ios::binary) << g.value;
    }
    EXPECT_EQ(describe_key(read_file(key)), describe_key(g.key)) << g.name;
    EXPECT_EQ(describe_key(read_file(value)), describe_key(g.value)) << g.name;
  }
}

TEST(store_golden, queue_entry_bytes_spelled_out) {
  const std::string expected_key("Q"                                  // queue entry
                                 "\x00\x0dgolden-client"              // client id, u16 length
                                 "\x00\x00\x00\x00\x00\x00\x00\x05",  // sequence 5
                                 1 + 2 + 13 + 8);
  const std::string expected_value("\x01"                              // record version 1
                                   "\x00\x00\x00\x00\x00\x00\x03\xe8"  // message id 1000
                                   "\x01"                              // state: inflight_publish
                                   "\x00\x2a"                          // packet id 42
                                   "\x02"                              // QoS 2
                                   "\x00"                              // retain 0
                                   "\x00\x00\x00\x01"                  // one subscription id:
                                   "\x00\x00\x00\x03",                 //   3
                                   1 + 8 + 1 + 2 + 1 + 1 + 4 + 4);
  const queue_entry e = golden_entry();
  EXPECT_EQ(describe_key(queue_key(e.client_id, e.sequence)), describe_key(expected_key));
  EXPECT_EQ(describe_key(encode_queue_entry(e)), describe_key(expected_value));
}

TEST(store_golden, store_of_golden_records_loads) {
  temp_dir dir;
  const fs::path db = dir.path() / "db";
  {
    rocksdb::Options o;
    o.create_if_missing = true;
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(o, db.string(), &raw).ok());
    std::unique_ptr<rocksdb::DB> d(raw);
    for (const golden_record& g : golden_records()) {
      ASSERT_TRUE(d->Put(rocksdb::WriteOptions(), read_file(golden_dir / (g.name + ".key")),
                         read_file(golden_dir / (g.name + ".value")))
                      .ok());
    }
  }
  auto st = open_rocksdb_store(db);
  ASSERT_TRUE(st) << st.error().message;
  const recovered_state got = load_ok(**st);

  recovered_state want;
  recovered_session s;
  s.session = golden_session();
  s.subscriptions = {golden_subscription()};
  s.queue = {golden_entry()};
  s.inbound_qos2 = {7};
  want.sessions.push_back(s);
  want.messages.emplace(1000, golden_message());
  want.retained.push_back(golden_retained());
  EXPECT_EQ(dump(got), dump(want));
  EXPECT_EQ(got.max_message_id, 1000u);
}

// The session's optional sent_through: bit 16 and a u64 after everything
// else. A session without it (above, golden) reads as sent_through 0.
TEST(store_golden, session_sent_through_bytes_spelled_out) {
  session_record s = make_session("c", 60);
  s.version = protocol::protocol_version::v311;
  s.sent_through = 0x0102;
  const std::string expected("\x01"                               // record version 1
                             "\x04"                               // protocol level 4 (3.1.1)
                             "\x00\x00\x00\x3c"                   // expiry 60 s
                             "\x10"                               // bits: sent_through only
                             "\x00\x00\x00\x00\x00\x00\x01\x02",  // sent_through 258
                             1 + 1 + 4 + 1 + 8);
  EXPECT_EQ(describe_key(encode_session(s)), describe_key(expected));
  auto back = decode_session("c", expected);
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(back->sent_through, 0x0102u);
  EXPECT_FALSE(decode_session("c", expected.substr(0, expected.size() - 1)));  // truncated u64
  auto v1 = decode_session("golden-client", read_file(golden_dir / "session.value"));
  ASSERT_TRUE(v1) << v1.error();
  EXPECT_EQ(v1->sent_through, 0u);
}

}  // namespace
}  // namespace gridmq::store::test
