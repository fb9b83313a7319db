#include "store/memory_store.hpp"

#include <algorithm>
#include <type_traits>
#include <utility>

namespace gridmq::store {

memory_store::memory_store(const store_options& options) : options_(options), pipeline_(*this, options_) {}

memory_store::~memory_store() { close(); }

result<recovered_state, store_error> memory_store::load(const load_progress_fn& progress) {
  const auto start = std::chrono::steady_clock::now();
  recovered_state state;
  pipeline_.run([&] {
    state = snapshot();
    loaded_ = true;
  });
  if (progress) {
    load_progress p;
    p.records = state.sessions.size() + state.messages.size() + state.retained.size();
    p.elapsed = std::chrono::steady_clock::now() - start;
    p.done = true;
    progress(p);
  }
  return state;
}

void memory_store::commit(write_batch&& batch, commit_callback done) { pipeline_.submit(std::move(batch), std::move(done)); }

std::optional<store_error> memory_store::flush() { return pipeline_.flush(); }

void memory_store::close() { pipeline_.stop(); }

std::optional<store_error> memory_store::write_group(std::vector<commit_pipeline::pending>& group,
                                                     std::vector<std::optional<store_error>>& results, bool) {
  for (std::size_t i = 0; i < group.size(); ++i) {
    if (!loaded_) {
      results[i] = store_error{store_error_code::not_loaded, "commit before load()"};
    } else if (auto why = index_.check(group[i].batch)) {
      results[i] = store_error{store_error_code::invalid_batch, std::move(*why)};
    } else {
      apply(group[i].batch);
    }
  }
  return std::nullopt;
}

void memory_store::apply(const write_batch& batch) {
  reference_index::message_changes changes = index_.apply(batch);
  for (const operation& o : batch.operations()) {
    std::visit(
        [&](const auto& x) {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, op::put_session>) {
            clients_[x.record.client_id].session = x.record;
          } else if constexpr (std::is_same_v<T, op::delete_session>) {
            clients_.erase(x.client_id);
          } else if constexpr (std::is_same_v<T, op::put_subscription>) {
            clients_[x.record.client_id].subscriptions[x.record.filter] = x.record;
          } else if constexpr (std::is_same_v<T, op::delete_subscription>) {
            if (auto it = clients_.find(x.client_id); it != clients_.end()) it->second.subscriptions.erase(x.filter);
          } else if constexpr (std::is_same_v<T, op::put_message>) {
            if (changes.to_write.erase(x.record.id)) messages_[x.record.id] = x.record;
          } else if constexpr (std::is_same_v<T, op::put_queue_entry>) {
            clients_[x.entry.client_id].queue[x.entry.sequence] = x.entry;
          } else if constexpr (std::is_same_v<T, op::delete_queue_entry>) {
            if (auto it = clients_.find(x.client_id); it != clients_.end()) it->second.queue.erase(x.sequence);
          } else if constexpr (std::is_same_v<T, op::put_inbound_qos2>) {
            clients_[x.record.client_id].inbound_qos2.insert(x.record.packet_id);
          } else if constexpr (std::is_same_v<T, op::delete_inbound_qos2>) {
            if (auto it = clients_.find(x.client_id); it != clients_.end()) it->second.inbound_qos2.erase(x.packet_id);
          } else if constexpr (std::is_same_v<T, op::put_retained>) {
            retained_[x.record.message.topic] = x.record.message;
          } else if constexpr (std::is_same_v<T, op::delete_retained>) {
            retained_.erase(x.topic);
          }
        },
        o);
  }
  for (const std::uint64_t id : changes.to_erase) messages_.erase(id);
}

recovered_state memory_store::snapshot() const {
  recovered_state state;
  for (const auto& [client_id, c] : clients_) {
    recovered_session s;
    s.session = c.session;
    for (const auto& [filter, sub] : c.subscriptions) s.subscriptions.push_back(sub);
    for (const auto& [seq, e] : c.queue) s.queue.push_back(e);
    s.inbound_qos2.assign(c.inbound_qos2.begin(), c.inbound_qos2.end());
    state.sessions.push_back(std::move(s));
  }
  state.messages = messages_;
  for (const auto& [id, m] : messages_) state.max_message_id = std::max(state.max_message_id, id);
  for (const auto& [topic, m] : retained_) {
    state.retained.push_back(m);
    state.max_message_id = std::max(state.max_message_id, m.id);
  }
  return state;
}

}  // namespace gridmq::store
