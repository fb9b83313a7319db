// What only the RocksDB store has: a format version, refusal of newer and
// corrupt stores without touching them, and a directory that one process
// owns at a time. Bytes are planted with RocksDB directly, as another
// program (or a bad disk) would leave them.
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <fstream>
#include <map>
#include <sys/stat.h>

#include "store/record_codec.hpp"
#include "store/record_keys.hpp"
#include "store/rocksdb_store.hpp"
#include "store_test_support.hpp"

namespace gridmq::store::test {
namespace {

namespace fs = std::filesystem;

using raw_map = std::map<std::string, std::string>;

raw_map raw_read(const fs::path& dir) {
  rocksdb::DB* raw = nullptr;
  rocksdb::Options o;
  const auto s = rocksdb::DB::OpenForReadOnly(o, dir.string(), &raw);
  EXPECT_TRUE(s.ok()) << s.ToString();
  std::unique_ptr<rocksdb::DB> db(raw);
  raw_map out;
  if (!db) return out;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) out[it->key().ToString()] = it->value().ToString();
  return out;
}

void raw_write(const fs::path& dir, const raw_map& puts, const std::vector<std::string>& deletes = {}) {
  rocksdb::DB* raw = nullptr;
  rocksdb::Options o;
  o.create_if_missing = true;
  const auto s = rocksdb::DB::Open(o, dir.string(), &raw);
  ASSERT_TRUE(s.ok()) << s.ToString();
  std::unique_ptr<rocksdb::DB> db(raw);
  for (const auto& [k, v] : puts) ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), k, v).ok());
  for (const auto& k : deletes) ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), k).ok());
}

// Names, sizes and modification times of every file: "untouched" means
// this listing is the same before and after.
std::string listing(const fs::path& dir) {
  std::string out;
  std::map<std::string, std::string> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    struct stat st {};
    ::stat(e.path().c_str(), &st);
    files[e.path().filename().string()] =
        std::to_string(st.st_size) + "@" + std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
  }
  for (const auto& [name, what] : files) out += name + " " + what + "\n";
  return out;
}

class rocksdb_store_test : public ::testing::Test {
 protected:
  fs::path db() const { return dir_.path() / "db"; }

  // A store with one session, a queued message and a retained message.
  void populate() {
    auto st = open_rocksdb_store(db());
    ASSERT_TRUE(st) << st.error().message;
    load_ok(**st);
    write_batch b;
    b.put_session(make_session("c"));
    b.put_message(make_message(1, "t", "m"));
    b.put_queue_entry(make_entry("c", 1, 1));
    b.put_retained(make_message(2, "r", "kept"));
    ASSERT_FALSE(commit_wait(**st, std::move(b)));
  }

  // Opening and loading fails with `code`, and the store is exactly as before.
  void expect_refused(store_error_code code, const std::string& mentions) {
    const raw_map before = raw_read(db());
    const std::string files = listing(db());
    std::optional<store_error> error;
    auto st = open_rocksdb_store(db());
    if (!st) {
      error = st.error();
    } else {
      auto loaded = (*st)->load();
      if (!loaded) error = loaded.error();
      write_batch b;  // refused: a store that failed to load takes no writes
      b.put_session(make_session("intruder"));
      auto e = commit_wait(**st, std::move(b));
      ASSERT_TRUE(e);
      EXPECT_EQ(e->code, store_error_code::not_loaded);
    }
    ASSERT_TRUE(error) << "the store opened and loaded";
    EXPECT_EQ(error->code, code) << error->message;
    EXPECT_NE(error->message.find(db().string()), std::string::npos) << error->message;
    EXPECT_NE(error->message.find(mentions), std::string::npos) << error->message;
    EXPECT_EQ(raw_read(db()), before);
    if (code == store_error_code::newer_format) {
      EXPECT_EQ(listing(db()), files);
    }
  }

  temp_dir dir_;
};

TEST_F(rocksdb_store_test, new_store_gets_the_current_format_version) {
  populate();
  const raw_map m = raw_read(db());
  ASSERT_EQ(m.count(format_version_key()), 1u);
  auto v = decode_format_version(m.at(format_version_key()));
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, current_format_version);
}

TEST_F(rocksdb_store_test, newer_format_version_is_refused_untouched) {
  populate();
  raw_write(db(), {{format_version_key(), encode_format_version(current_format_version + 1)}});
  // A newer gridmq updates the version file beside the database too.
  std::ofstream(db() / "GRIDMQ-FORMAT", std::ios::trunc) << current_format_version + 1 << "\n";
  expect_refused(store_error_code::newer_format, "newer gridmq");
}

TEST_F(rocksdb_store_test, newer_format_version_without_the_version_file_is_refused_untouched) {
  populate();
  raw_write(db(), {{format_version_key(), encode_format_version(current_format_version + 1)}});
  fs::remove(db() / "GRIDMQ-FORMAT");  // e.g. written by a gridmq that kept no such file
  expect_refused(store_error_code::newer_format, "newer gridmq");
}

// The version file is a shortcut, the key decides: a file that says
// "current" beside a newer key still refuses the store (opened, though).
TEST_F(rocksdb_store_test, stale_version_file_does_not_hide_a_newer_format) {
  populate();
  ASSERT_TRUE(fs::exists(db() / "GRIDMQ-FORMAT"));
  raw_write(db(), {{format_version_key(), encode_format_version(current_format_version + 1)}});
  auto st = open_rocksdb_store(db());
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, store_error_code::newer_format) << st.error().message;
}

TEST_F(rocksdb_store_test, unreadable_format_version_is_refused) {
  populate();
  raw_write(db(), {{format_version_key(), "??"}});
  expect_refused(store_error_code::corrupt, "format version");
}

TEST_F(rocksdb_store_test, records_without_a_version_key_are_refused) {
  populate();
  raw_write(db(), {}, {format_version_key()});
  expect_refused(store_error_code::corrupt, "no format version");
}

TEST_F(rocksdb_store_test, corrupt_record_is_refused_naming_its_key) {
  populate();
  raw_write(db(), {{queue_key("c", 1), std::string("\x01\x00", 2)}});
  expect_refused(store_error_code::corrupt, "Q\\x00\\x01c");
  // Still refused the second time: nothing was "repaired" away.
  expect_refused(store_error_code::corrupt, "truncated");
}

TEST_F(rocksdb_store_test, unknown_record_kind_is_refused) {
  populate();
  raw_write(db(), {{"Zzz", "x"}});
  expect_refused(store_error_code::corrupt, "unknown record kind");
}

TEST_F(rocksdb_store_test, dangling_references_are_refused) {
  populate();
  raw_write(db(), {}, {message_key(1)});
  expect_refused(store_error_code::corrupt, "which is not stored");
}

TEST_F(rocksdb_store_test, records_without_session_are_refused) {
  populate();
  raw_write(db(), {}, {session_key("c")});
  expect_refused(store_error_code::corrupt, "without its session");
}

TEST_F(rocksdb_store_test, unreferenced_message_is_reported_and_dropped) {
  populate();
  raw_write(db(), {{message_key(9), encode_message(make_message(9, "t", "orphan"))}});
  {
    auto st = open_rocksdb_store(db());
    ASSERT_TRUE(st);
    const recovered_state s = load_ok(**st);
    EXPECT_EQ(s.unreferenced_messages, 1u);
    EXPECT_EQ(s.messages.count(9), 0u);
    write_batch b;
    b.put_inbound_qos2("c", 1);
    ASSERT_FALSE(commit_wait(**st, std::move(b)));
  }
  EXPECT_EQ(raw_read(db()).count(message_key(9)), 0u);
}

TEST_F(rocksdb_store_test, one_process_at_a_time) {
  auto first = open_rocksdb_store(db());
  ASSERT_TRUE(first);
  auto second = open_rocksdb_store(db());
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, store_error_code::io);
  EXPECT_NE(second.error().message.find("LOCK"), std::string::npos) << second.error().message;
}

TEST_F(rocksdb_store_test, load_reports_progress_at_the_end) {
  populate();
  auto st = open_rocksdb_store(db());
  ASSERT_TRUE(st);
  std::vector<load_progress> seen;
  auto s = (*st)->load([&](const load_progress& p) { seen.push_back(p); });
  ASSERT_TRUE(s);
  ASSERT_FALSE(seen.empty());
  EXPECT_TRUE(seen.back().done);
  EXPECT_EQ(seen.back().records, 5u);  // version, message, queue entry, retained, session
  EXPECT_GT(seen.back().bytes, 0u);
}

TEST_F(rocksdb_store_test, not_a_directory_is_an_io_error) {
  const fs::path file = dir_.path() / "file";
  { std::ofstream(file) << "x"; }
  auto st = open_rocksdb_store(file / "db");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, store_error_code::io);
}

}  // namespace
}  // namespace gridmq::store::test
