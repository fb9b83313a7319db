// Random operation sequences for the store, and the in-memory model they
// are checked against.
//
// The model is deliberately naive and independent of the store's code: it
// keeps the logical records in ordered maps and, at the end of each batch,
// drops every message that no queue entry mentions (the store counts
// references instead). The generator only emits valid batches, deciding from
// the model's content and its random engine alone, so two processes that
// start from equal models and equal seeds generate the same batches.
#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>

#include "store/store.hpp"

namespace gridmq::store::test {

class model {
 public:
  void apply(const write_batch& b);
  recovered_state state() const;
  std::string dump() const;
  static model from(const recovered_state& s);

 private:
  struct client {
    session_record session;
    std::map<std::string, subscription_record> subscriptions;
    std::map<std::uint64_t, queue_entry> queue;
    std::set<std::uint16_t> inbound;
  };
  friend class op_generator;

  std::map<std::string, client> clients_;
  std::map<std::uint64_t, message_record> messages_;
  std::map<std::string, message_record> retained_;
};

class op_generator {
 public:
  // Ids and sequences are made unique by `epoch` (one per process run).
  op_generator(std::uint64_t seed, std::uint32_t epoch) : rng_(seed), next_(std::uint64_t{epoch} << 32) {}

  // A valid batch of 1..6 operations against `m`; `m` is updated with it.
  write_batch next(model& m);

 private:
  std::uint64_t pick(std::uint64_t n) { return std::uniform_int_distribution<std::uint64_t>(0, n - 1)(rng_); }
  std::string pick_client();
  void add_op(model& m, write_batch& b);

  std::mt19937_64 rng_;
  std::uint64_t next_;
};

}  // namespace gridmq::store::test
