// Opening the RocksDB database of a store: options tuned for the store's
// small records, and the format version check (see rocksdb_store.hpp).
// Internal to store/; includes RocksDB.
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include <filesystem>
#include <memory>

#include "base/result.hpp"
#include "store/store_error.hpp"

namespace gridmq::store {

rocksdb::Options rocksdb_options();

// Checks the format version without writing, then opens for writing; a new
// or empty store gets the current version.
result<std::unique_ptr<rocksdb::DB>, store_error> open_rocksdb(const std::filesystem::path& dir);

}  // namespace gridmq::store
