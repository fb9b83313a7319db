#include "store/reference_index.hpp"

#include <type_traits>

#include "store/record_keys.hpp"

namespace gridmq::store {

std::optional<std::string> reference_index::check(const write_batch& b) const {
  // Only session existence and message existence can change the verdict of a
  // later operation; both are tracked as an overlay on the current state.
  std::unordered_map<std::string, bool> sessions;
  std::unordered_set<std::uint64_t> messages;
  const auto session_exists = [&](const std::string& c) {
    const auto it = sessions.find(c);
    return it != sessions.end() ? it->second : sessions_.contains(c);
  };
  const auto need_session = [&](const std::string& c) -> std::optional<std::string> {
    if (session_exists(c)) return std::nullopt;
    return "no session for client id '" + describe_key(c) + "'";
  };
  for (const operation& o : b.operations()) {
    std::optional<std::string> why = std::visit(
        [&](const auto& x) -> std::optional<std::string> {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, op::put_session>) {
            if (x.record.client_id.size() > max_client_id_length) return std::string("client id longer than 65535 bytes");
            sessions[x.record.client_id] = true;
          } else if constexpr (std::is_same_v<T, op::delete_session>) {
            sessions[x.client_id] = false;
          } else if constexpr (std::is_same_v<T, op::put_subscription>) {
            return need_session(x.record.client_id);
          } else if constexpr (std::is_same_v<T, op::put_inbound_qos2>) {
            return need_session(x.record.client_id);
          } else if constexpr (std::is_same_v<T, op::put_message>) {
            if (!x.record.payload) return std::string("message without payload");
            messages.insert(x.record.id);
          } else if constexpr (std::is_same_v<T, op::put_queue_entry>) {
            if (auto no = need_session(x.entry.client_id)) return no;
            if (!messages.contains(x.entry.message_id) && !refs_.contains(x.entry.message_id)) {
              return "queue entry refers to message " + std::to_string(x.entry.message_id) + ", which is not stored";
            }
          } else if constexpr (std::is_same_v<T, op::put_retained>) {
            if (!x.record.message.payload) return std::string("retained message without payload");
          }
          return std::nullopt;
        },
        o);
    if (why) return why;
  }
  return std::nullopt;
}

reference_index::message_changes reference_index::apply(const write_batch& b) {
  message_changes changes;
  std::unordered_set<std::uint64_t> touched;  // messages whose count dropped
  for (const operation& o : b.operations()) {
    std::visit(
        [&](const auto& x) {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, op::put_session>) {
            sessions_.insert(x.record.client_id);
          } else if constexpr (std::is_same_v<T, op::delete_session>) {
            sessions_.erase(x.client_id);
            erase_client(x.client_id, touched);
          } else if constexpr (std::is_same_v<T, op::put_message>) {
            // Immutable: a message already stored is not written again.
            if (refs_.try_emplace(x.record.id, 0).second) changes.to_write.insert(x.record.id);
          } else if constexpr (std::is_same_v<T, op::put_queue_entry>) {
            auto [it, inserted] = entries_[x.entry.client_id].try_emplace(x.entry.sequence, x.entry.message_id);
            if (!inserted) {
              reference(x.entry.message_id);  // before the release: the same message may be re-put
              release(it->second, touched);
              it->second = x.entry.message_id;
            } else {
              reference(x.entry.message_id);
            }
          } else if constexpr (std::is_same_v<T, op::delete_queue_entry>) {
            const auto q = entries_.find(x.client_id);
            if (q == entries_.end()) return;
            const auto it = q->second.find(x.sequence);
            if (it == q->second.end()) return;
            release(it->second, touched);
            q->second.erase(it);
            if (q->second.empty()) entries_.erase(q);
          }
        },
        o);
  }
  // End of batch: messages left without references go; new ones that never
  // got a reference are simply not written.
  for (const std::uint64_t id : changes.to_write) touched.insert(id);
  for (const std::uint64_t id : touched) {
    const auto it = refs_.find(id);
    if (it == refs_.end() || it->second > 0) continue;
    refs_.erase(it);
    if (!changes.to_write.erase(id)) changes.to_erase.push_back(id);
  }
  return changes;
}

void reference_index::release(std::uint64_t id, std::unordered_set<std::uint64_t>& touched) {
  const auto it = refs_.find(id);
  if (it == refs_.end() || it->second == 0) return;
  if (--it->second == 0) touched.insert(id);
}

void reference_index::erase_client(const std::string& client_id, std::unordered_set<std::uint64_t>& touched) {
  const auto q = entries_.find(client_id);
  if (q == entries_.end()) return;
  for (const auto& [seq, id] : q->second) release(id, touched);
  entries_.erase(q);
}

void reference_index::clear() {
  sessions_.clear();
  entries_.clear();
  refs_.clear();
}

void reference_index::add_session(const std::string& client_id) { sessions_.insert(client_id); }

void reference_index::add_message(std::uint64_t id) { refs_.try_emplace(id, 0); }

bool reference_index::add_entry(const std::string& client_id, std::uint64_t sequence, std::uint64_t message_id) {
  const auto it = refs_.find(message_id);
  if (it == refs_.end()) return false;
  ++it->second;
  entries_[client_id][sequence] = message_id;
  return true;
}

std::vector<std::uint64_t> reference_index::take_unreferenced() {
  std::vector<std::uint64_t> out;
  for (auto it = refs_.begin(); it != refs_.end();) {
    if (it->second == 0) {
      out.push_back(it->first);
      it = refs_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

std::uint32_t reference_index::references(std::uint64_t id) const {
  const auto it = refs_.find(id);
  return it == refs_.end() ? 0 : it->second;
}

}  // namespace gridmq::store
