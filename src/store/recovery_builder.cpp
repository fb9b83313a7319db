#include "store/recovery_builder.hpp"

#include <algorithm>

#include "store/record_codec.hpp"
#include "store/record_keys.hpp"

namespace gridmq::store {

namespace {
template <class T>
std::optional<std::string> take(decoded<T>&& d, T& out) {
  if (!d) return d.error();
  out = std::move(*d);
  return std::nullopt;
}
}  // namespace

std::optional<std::string> recovery_builder::add(std::string_view key, std::string_view value) {
  ++records_;
  auto parsed = parse_key(key);
  std::optional<std::string> why;
  if (!parsed) {
    why = "unreadable key: " + parsed.error();
  } else {
    const parsed_key& k = *parsed;
    switch (k.kind) {
      case key_kind::meta:
        break;  // checked when the store was opened
      case key_kind::session: {
        recovered_session& c = clients_[k.client_id];
        why = take(decode_session(k.client_id, value), c.session);
        has_session_[k.client_id] = true;
        break;
      }
      case key_kind::subscription: {
        subscription_record s;
        why = take(decode_subscription(k.client_id, k.name, value), s);
        clients_[k.client_id].subscriptions.push_back(std::move(s));
        break;
      }
      case key_kind::queue_entry: {
        queue_entry e;
        why = take(decode_queue_entry(k.client_id, k.number, value), e);
        clients_[k.client_id].queue.push_back(std::move(e));
        break;
      }
      case key_kind::inbound_qos2: {
        inbound_qos2 i;
        why = take(decode_inbound_qos2(k.client_id, static_cast<std::uint16_t>(k.number), value), i);
        clients_[k.client_id].inbound_qos2.push_back(i.packet_id);
        break;
      }
      case key_kind::message: {
        message_record m;
        why = take(decode_message(k.number, value), m);
        messages_.emplace(m.id, std::move(m));
        break;
      }
      case key_kind::retained: {
        message_record m;
        why = take(decode_retained(k.name, value), m);
        retained_.push_back(std::move(m));
        break;
      }
    }
  }
  if (why) return "record '" + describe_key(key) + "': " + *why;
  return std::nullopt;
}

result<recovered_state, std::string> recovery_builder::finish(reference_index& index,
                                                              std::vector<std::uint64_t>& unreferenced) {
  index.clear();
  recovered_state state;
  for (const auto& [id, m] : messages_) {
    index.add_message(id);
    state.max_message_id = std::max(state.max_message_id, id);
  }
  for (auto& [client_id, c] : clients_) {
    if (!has_session_.contains(client_id)) {
      return unexpected("records of client id '" + describe_key(client_id) + "' without its session record");
    }
    index.add_session(client_id);
    for (const queue_entry& e : c.queue) {
      if (!index.add_entry(client_id, e.sequence, e.message_id)) {
        return unexpected("queue entry " + std::to_string(e.sequence) + " of client id '" + describe_key(client_id) +
                          "' refers to message " + std::to_string(e.message_id) + ", which is not stored");
      }
    }
    state.sessions.push_back(std::move(c));
  }
  unreferenced = index.take_unreferenced();
  state.unreferenced_messages = unreferenced.size();
  for (const std::uint64_t id : unreferenced) messages_.erase(id);
  state.messages = std::move(messages_);
  for (const message_record& m : retained_) state.max_message_id = std::max(state.max_message_id, m.id);
  state.retained = std::move(retained_);
  clients_.clear();
  return state;
}

}  // namespace gridmq::store
