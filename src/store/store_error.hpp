// Errors of the store, as plain values (see base/result.hpp). The message is
// meant for an operator: it names the data directory and, for a bad record,
// its key.
#pragma once

#include <cstdint>
#include <string>

namespace gridmq::store {

enum class store_error_code : std::uint8_t {
  io,             // the disk or RocksDB failed; the store refuses further commits
  corrupt,        // a record or the layout cannot be read; nothing was changed
  newer_format,   // written by a newer gridmq; nothing was changed
  invalid_batch,  // a batch broke a rule of write_batch.hpp; nothing of it applied
  not_loaded,     // commit() before a successful load()
  closed,         // commit() after close()
};

struct store_error {
  store_error_code code = store_error_code::io;
  std::string message;
};

const char* to_string(store_error_code c) noexcept;

}  // namespace gridmq::store
