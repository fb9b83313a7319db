// Helpers shared by the store tests: record builders, a canonical text dump
// of a recovered state (so two states compare as strings, with a readable
// diff), waiting for a commit, and temporary directories.
#pragma once

#include <filesystem>
#include <future>
#include <memory>
#include <optional>
#include <string>

#include "store/store.hpp"

namespace gridmq::store::test {

inline protocol::payload_ptr bytes(std::string s) { return std::make_shared<const std::string>(std::move(s)); }

session_record make_session(std::string client_id, std::uint32_t expiry = 3600);
message_record make_message(std::uint64_t id, std::string topic, std::string payload);
queue_entry make_entry(std::string client_id, std::uint64_t sequence, std::uint64_t message_id);
subscription_record make_subscription(std::string client_id, std::string filter, std::uint32_t identifier = 0);
// Every property set, for round trips.
protocol::properties full_properties();

std::string dump(const session_record& s);
std::string dump(const message_record& m);
std::string dump(const queue_entry& e);
std::string dump(const subscription_record& s);
// Deterministic: sessions by client id, messages by id, retained by topic.
std::string dump(const recovered_state& s);

// Commits and waits for the callback.
std::optional<store_error> commit_wait(store& st, write_batch&& b);

// Loads and fails the test on error.
recovered_state load_ok(store& st);

// A fresh directory under the system temp dir, removed at destruction.
class temp_dir {
 public:
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace gridmq::store::test
