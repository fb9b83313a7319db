#include "store/rocksdb_open.hpp"

#include <rocksdb/iterator.h>
#include <rocksdb/table.h>

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
  if (*v > current_format_version) {
    return {version_state::error,
            make_error(store_error_code::newer_format, dir,
                       "format version " + std::to_string(*v) + " was written by a newer gridmq; this one reads up to " +
                           std::to_string(current_format_version) + ". Nothing was changed: run the newer gridmq.")};
  }
  // Older versions would be migrated here (README.md, "Upgrades"); version 1
  // is the first, so there is nothing older.
  return {version_state::current, {}};
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
  if (exists) {
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
  }
  return db;
}

}  // namespace gridmq::store
