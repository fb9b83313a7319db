// The RocksDB store: the durable implementation of store.hpp, in one data
// directory. This header does not include RocksDB; only rocksdb_*.cpp do.
//
// Opening checks the format version (record_codec.hpp) on a read-only view
// first: a store written by a newer gridmq, or one whose version key is
// unreadable or missing while it holds records, is refused without being
// opened for writing. An empty or new directory becomes a store of the
// current format version.
//
// Layout: one column family, records under the key prefixes of
// record_keys.hpp. Tuned for small values: no compression, 32 MiB memtables,
// flushes and compactions in RocksDB's own background threads (two jobs), so
// neither the workers nor the writer thread ever compact; obsolete files are
// deleted in the background too.
#pragma once

#include <filesystem>
#include <memory>

#include "base/result.hpp"
#include "store/store.hpp"

namespace gridmq::store {

// Opens the store in `dir`, creating the directory and an empty store if
// needed. Errors name the directory. Call load() next.
result<std::unique_ptr<store>, store_error> open_rocksdb_store(const std::filesystem::path& dir,
                                                               const store_options& options = {});

}  // namespace gridmq::store
