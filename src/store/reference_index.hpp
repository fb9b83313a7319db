// reference_index: what the store must know in memory to apply a batch
// without reading the disk — which sessions exist, which queue entry points
// to which message, and how many entries point to each stored message.
//
// It makes "a message is stored once and deleted with its last reference"
// (write_batch.hpp) a property of the store rather than of its caller: the
// caller never counts. Both implementations share it; load() rebuilds it.
//
// Threads: used only by the store's writer thread (and by load(), which runs
// there too). Memory: one small node per queue entry and per message.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "store/write_batch.hpp"

namespace gridmq::store {

class reference_index {
 public:
  // What a batch does to the stored messages.
  struct message_changes {
    // Messages of this batch's put_message ops that must be written (new and
    // still referenced at the end of the batch). Write each once.
    std::unordered_set<std::uint64_t> to_write;
    // Messages stored before this batch that it left without references.
    std::vector<std::uint64_t> to_erase;
  };

  // Checks `b` against the rules of write_batch.hpp; the reason if broken.
  std::optional<std::string> check(const write_batch& b) const;
  // Applies a batch that passed check().
  message_changes apply(const write_batch& b);

  // Rebuilding from stored records (load).
  void clear();
  void add_session(const std::string& client_id);
  void add_message(std::uint64_t id);
  // False if the message is unknown (add messages first).
  bool add_entry(const std::string& client_id, std::uint64_t sequence, std::uint64_t message_id);
  // Stored messages with no reference: forgotten here, returned for deletion.
  std::vector<std::uint64_t> take_unreferenced();

  bool has_session(const std::string& client_id) const { return sessions_.contains(client_id); }
  bool has_message(std::uint64_t id) const { return refs_.contains(id); }
  std::uint32_t references(std::uint64_t id) const;
  std::size_t message_count() const noexcept { return refs_.size(); }

 private:
  void reference(std::uint64_t id) { ++refs_[id]; }
  void release(std::uint64_t id, std::unordered_set<std::uint64_t>& touched);
  void erase_client(const std::string& client_id, std::unordered_set<std::uint64_t>& touched);

  std::unordered_set<std::string> sessions_;
  // client id -> sequence -> message id
  std::unordered_map<std::string, std::map<std::uint64_t, std::uint64_t>> entries_;
  std::unordered_map<std::uint64_t, std::uint32_t> refs_;
};

}  // namespace gridmq::store
