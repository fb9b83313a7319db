// recovery_builder: turns the stored (key, value) pairs, fed in key order,
// into a recovered_state and the reference_index that goes with it. Knows
// the record format but not RocksDB, so the consistency rules of a store
// are checked the same way whatever reads the bytes.
//
// Any record that does not decode, a per-client record without its
// session, or a queue entry whose message is missing makes the whole load
// fail with `corrupt` (never a partial state): data the broker cannot make
// sense of must stop it, not be skipped.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/reference_index.hpp"
#include "store/store.hpp"

namespace gridmq::store {

class recovery_builder {
 public:
  // An error message (naming the key) if the record is not readable.
  std::optional<std::string> add(std::string_view key, std::string_view value);

  // Checks references across records, fills `index`, and returns the state.
  // Ids of stored messages that no entry refers to go to `unreferenced`.
  result<recovered_state, std::string> finish(reference_index& index, std::vector<std::uint64_t>& unreferenced);

  std::uint64_t records() const noexcept { return records_; }

 private:
  std::uint64_t records_ = 0;
  std::map<std::string, recovered_session> clients_;
  std::map<std::string, bool> has_session_;
  std::unordered_map<std::uint64_t, message_record> messages_;
  std::vector<message_record> retained_;
};

}  // namespace gridmq::store
