// memory_store: the store kept in process memory, for a broker without a
// data directory and for tests. Same contract as every store (store.hpp):
// the same batch rules, reference counting, writer thread and callbacks;
// nothing survives the process, whatever the durability level says.
// Payloads are shared with the caller's records, never copied.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/commit_pipeline.hpp"
#include "store/reference_index.hpp"
#include "store/store.hpp"

namespace gridmq::store {

class memory_store final : public store, private commit_pipeline::backend {
 public:
  explicit memory_store(const store_options& options = {});
  ~memory_store() override;

  result<recovered_state, store_error> load(const load_progress_fn& progress = {}) override;
  void commit(write_batch&& batch, commit_callback done) override;
  std::optional<store_error> flush() override;
  void close() override;
  const store_options& options() const noexcept override { return options_; }
  store_stats stats() const noexcept override { return pipeline_.stats(); }

 private:
  struct client_state {
    session_record session;
    std::map<std::string, subscription_record> subscriptions;
    std::map<std::uint64_t, queue_entry> queue;
    std::set<std::uint16_t> inbound_qos2;
  };

  std::optional<store_error> write_group(std::vector<commit_pipeline::pending>& group,
                                         std::vector<std::optional<store_error>>& results, bool sync) override;
  std::optional<store_error> sync() override { return std::nullopt; }
  void apply(const write_batch& batch);
  recovered_state snapshot() const;

  const store_options options_;
  // Writer thread only (load runs there too).
  bool loaded_ = false;
  reference_index index_;
  std::map<std::string, client_state> clients_;
  std::unordered_map<std::uint64_t, message_record> messages_;
  std::map<std::string, message_record> retained_;
  // Last: its thread uses the members above, so it must stop first.
  commit_pipeline pipeline_;
};

}  // namespace gridmq::store
