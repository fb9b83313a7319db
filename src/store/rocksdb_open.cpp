#include "store/rocksdb_open.hpp"

#include <rocksdb/iterator.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>

#include <fstream>
#include <optional>
#include <string>
#include <system_error>

#include "store/record_codec.hpp"
#include "store/record_keys.hpp"

namespace gridmq::store {

namespace {

enum class version_state { empty, current, error };

struct version_check {
  version_state state = version_state::empty;
  store_error error;
};

store_error make_error(store_error_code code, const std::filesystem::path& dir, const std::string& what) {
  return store_error{code, "store at " + dir.string() + ": " + what};
}

store_error newer_format_error(const std::filesystem::path& dir, std::uint32_t v) {
  return make_error(store_error_code::newer_format, dir,
                    "format version " + std::to_string(v) + " was written by a newer gridmq; this one reads up to " +
                        std::to_string(current_format_version) + ". Nothing was changed: run the newer gridmq.");
}

// Reads the format version through a read-only instance, which never writes
// to the directory: a store we must refuse stays exactly as it was.
version_check check_version(const std::filesystem::path& dir) {
  rocksdb::Options o = rocksdb_options();
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::OpenForReadOnly(o, dir.string(), &raw);
  if (!s.ok()) {
    const auto code = s.IsCorruption() ? store_error_code::corrupt : store_error_code::io;
    return {version_state::error, make_error(code, dir, "cannot open: " + s.ToString())};
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  std::string value;
  s = db->Get(rocksdb::ReadOptions(), format_version_key(), &value);
  if (s.IsNotFound()) {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
    it->SeekToFirst();
    if (!it->Valid() && it->status().ok()) return {version_state::empty, {}};
    return {version_state::error,
            make_error(store_error_code::corrupt, dir, "holds records but no format version key; not a gridmq store?")};
  }
  if (!s.ok()) {
    const auto code = s.IsCorruption() ? store_error_code::corrupt : store_error_code::io;
    return {version_state::error, make_error(code, dir, "cannot read the format version: " + s.ToString())};
  }
  auto v = decode_format_version(value);
  if (!v) return {version_state::error, make_error(store_error_code::corrupt, dir, "unreadable format version: " + v.error())};
  if (*v > current_format_version) return {version_state::error, newer_format_error(dir, *v)};
  // Older versions would be migrated here (README.md, "Upgrades"); version 1
  // is the first, so there is nothing older.
  return {version_state::current, {}};
}

// The memtable insert hint's key classes: message keys and queue entry
// keys, exactly as record_keys.hpp shapes them (one hint per kind, not per
// client, so the hints cost a few hundred bytes whatever the sessions).
// Other keys, and range-deletion starts (one byte longer, rocksdb_store.cpp),
// are outside the domain and inserted without a hint.
class kind_hint final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "gridmq.kind_hint"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override { return rocksdb::Slice(key.data(), 1); }
  bool InDomain(const rocksdb::Slice& key) const override {
    if (key.empty()) return false;
    if (key[0] == static_cast<char>(key_kind::message)) return key.size() == 9;
    if (key[0] != static_cast<char>(key_kind::queue_entry) || key.size() < 3) return false;
    const std::size_t len = (static_cast<std::size_t>(static_cast<unsigned char>(key[1])) << 8) |
                            static_cast<unsigned char>(key[2]);
    return key.size() == 3 + len + 8;
  }
};

// A copy of the format version in a small file beside the database, so
// that a restart need not open the store read-only first (which replays
// the whole write-ahead log, as the real open does again: after a crash
// that was a third of the start-up time). The key stays authoritative: a
// store without the file (or with an unreadable one) is checked the slow
// way, and the key is read again after the open.
const char* const marker_name = "GRIDMQ-FORMAT";

std::optional<std::uint32_t> read_marker(const std::filesystem::path& dir) {
  std::ifstream in(dir / marker_name);
  std::uint32_t v = 0;
  if (!(in >> v) || v == 0) return std::nullopt;
  return v;
}

void write_marker(const std::filesystem::path& dir, std::uint32_t v) {
  // Best effort: a missing or stale file only costs the slow check.
  std::error_code ec;
  const auto tmp = dir / (std::string(marker_name) + ".tmp");
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << v << "\n";
    if (!out) return;
  }
  std::filesystem::rename(tmp, dir / marker_name, ec);
}

}  // namespace

rocksdb::Options rocksdb_options() {
  rocksdb::Options o;
  o.create_if_missing = true;
  // Records are small (sessions, queue entries) or payloads that rarely
  // compress well; compression would cost CPU on every flush and compaction.
  o.compression = rocksdb::kNoCompression;
  o.bottommost_compression = rocksdb::kNoCompression;
  o.write_buffer_size = 32 * 1024 * 1024;
  o.max_write_buffer_number = 3;
  o.level_compaction_dynamic_level_bytes = true;
  // Flushes and compactions run in RocksDB's background threads, never on
  // the writer thread; deleting obsolete files too.
  o.max_background_jobs = 2;
  // Message ids and each session's queue sequences are written in
  // increasing order (puts while a queue fills, deletions while it drains),
  // but the two kinds interleave: with one insert hint per kind a memtable
  // insert starts next to the previous one of its kind instead of searching
  // the skip list from the top (a third of the writer's time in a drain, and
  // most of a WAL replay after a crash). Hints need one memtable writer at a
  // time, which the commit pipeline is.
  o.memtable_insert_with_hint_prefix_extractor = std::make_shared<kind_hint>();
  o.allow_concurrent_memtable_write = false;
  o.avoid_unnecessary_blocking_io = true;
  // Recover up to the last intact WAL record after a crash or torn write.
  o.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  o.max_total_wal_size = 256 * 1024 * 1024;
  o.keep_log_file_num = 4;
  o.max_log_file_size = 8 * 1024 * 1024;
  rocksdb::BlockBasedTableOptions t;
  t.block_size = 16 * 1024;  // load() scans everything; point reads are rare
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
  return o;
}

result<std::unique_ptr<rocksdb::DB>, store_error> open_rocksdb(const std::filesystem::path& dir) {
  std::error_code ec;
  const bool exists = std::filesystem::exists(dir / "CURRENT", ec);
  version_check version;
  const std::optional<std::uint32_t> marker = exists ? read_marker(dir) : std::nullopt;
  if (marker && *marker > current_format_version) return unexpected(newer_format_error(dir, *marker));
  const bool trusted = marker && *marker == current_format_version;
  if (exists && trusted) {
    version.state = version_state::current;
  } else if (exists) {
    version = check_version(dir);
    if (version.state == version_state::error) return unexpected(version.error);
  } else {
    std::filesystem::create_directories(dir, ec);
    if (ec) return unexpected(make_error(store_error_code::io, dir, "cannot create the directory: " + ec.message()));
  }
  rocksdb::DB* raw = nullptr;
  const rocksdb::Status s = rocksdb::DB::Open(rocksdb_options(), dir.string(), &raw);
  if (!s.ok()) {
    const auto code = s.IsCorruption() ? store_error_code::corrupt : store_error_code::io;
    return unexpected(make_error(code, dir, "cannot open: " + s.ToString()));
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  if (!exists || version.state == version_state::empty) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    const rocksdb::Status w = db->Put(wo, format_version_key(), encode_format_version(current_format_version));
    if (!w.ok()) return unexpected(make_error(store_error_code::io, dir, "cannot write the format version: " + w.ToString()));
  } else if (trusted) {
    // The file said current; the key decides (a point read, no replay).
    std::string value;
    const rocksdb::Status g = db->Get(rocksdb::ReadOptions(), format_version_key(), &value);
    if (g.IsNotFound()) {
      return unexpected(make_error(store_error_code::corrupt, dir, "holds records but no format version key; not a gridmq store?"));
    }
    auto v = g.ok() ? decode_format_version(value) : decoded<std::uint32_t>(unexpected(g.ToString()));
    if (!v) return unexpected(make_error(store_error_code::corrupt, dir, "unreadable format version: " + v.error()));
    if (*v > current_format_version) return unexpected(newer_format_error(dir, *v));
  }
  if (!trusted) write_marker(dir, current_format_version);
  return db;
}

}  // namespace gridmq::store
