#include "random_ops.hpp"

#include <algorithm>
#include <iterator>
#include <type_traits>

#include "store_test_support.hpp"

namespace gridmq::store::test {

void model::apply(const write_batch& b) {
  for (const operation& o : b.operations()) {
    std::visit(
        [&](const auto& x) {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, op::put_session>) {
            clients_[x.record.client_id].session = x.record;
          } else if constexpr (std::is_same_v<T, op::delete_session>) {
            clients_.erase(x.client_id);
          } else if constexpr (std::is_same_v<T, op::put_subscription>) {
            clients_.at(x.record.client_id).subscriptions[x.record.filter] = x.record;
          } else if constexpr (std::is_same_v<T, op::delete_subscription>) {
            if (clients_.contains(x.client_id)) clients_[x.client_id].subscriptions.erase(x.filter);
          } else if constexpr (std::is_same_v<T, op::put_message>) {
            messages_.try_emplace(x.record.id, x.record);
          } else if constexpr (std::is_same_v<T, op::put_queue_entry>) {
            clients_.at(x.entry.client_id).queue[x.entry.sequence] = x.entry;
          } else if constexpr (std::is_same_v<T, op::delete_queue_entry>) {
            if (clients_.contains(x.client_id)) clients_[x.client_id].queue.erase(x.sequence);
          } else if constexpr (std::is_same_v<T, op::put_inbound_qos2>) {
            clients_.at(x.record.client_id).inbound.insert(x.record.packet_id);
          } else if constexpr (std::is_same_v<T, op::delete_inbound_qos2>) {
            if (clients_.contains(x.client_id)) clients_[x.client_id].inbound.erase(x.packet_id);
          } else if constexpr (std::is_same_v<T, op::put_retained>) {
            retained_[x.record.message.topic] = x.record.message;
          } else if constexpr (std::is_same_v<T, op::delete_retained>) {
            retained_.erase(x.topic);
          }
        },
        o);
  }
  // End of batch: a message lives while some entry mentions it.
  std::set<std::uint64_t> used;
  for (const auto& [id, c] : clients_) {
    for (const auto& [seq, e] : c.queue) used.insert(e.message_id);
  }
  std::erase_if(messages_, [&](const auto& kv) { return !used.contains(kv.first); });
}

recovered_state model::state() const {
  recovered_state s;
  for (const auto& [id, c] : clients_) {
    recovered_session r;
    r.session = c.session;
    for (const auto& [f, sub] : c.subscriptions) r.subscriptions.push_back(sub);
    for (const auto& [seq, e] : c.queue) r.queue.push_back(e);
    r.inbound_qos2.assign(c.inbound.begin(), c.inbound.end());
    s.sessions.push_back(std::move(r));
  }
  s.messages.insert(messages_.begin(), messages_.end());
  for (const auto& [t, m] : retained_) s.retained.push_back(m);
  return s;
}

std::string model::dump() const { return test::dump(state()); }

model model::from(const recovered_state& s) {
  model m;
  for (const auto& r : s.sessions) {
    client& c = m.clients_[r.session.client_id];
    c.session = r.session;
    for (const auto& sub : r.subscriptions) c.subscriptions[sub.filter] = sub;
    for (const auto& e : r.queue) c.queue[e.sequence] = e;
    c.inbound.insert(r.inbound_qos2.begin(), r.inbound_qos2.end());
  }
  m.messages_.insert(s.messages.begin(), s.messages.end());
  for (const auto& r : s.retained) m.retained_[r.topic] = r;
  return m;
}

namespace {

// Client ids that stress the key layout: prefixes of each other, 0xFF, NUL.
const std::string client_pool[] = {"a", "ab", std::string("a\xff", 2), "b", std::string("\0z", 2), "client-6"};
const std::string topic_pool[] = {"t/1", "t/2", "t", "$SYS/x", "a/b/c"};

template <class Map>
auto nth(const Map& m, std::uint64_t i) {
  return std::next(m.begin(), static_cast<std::ptrdiff_t>(i));
}

}  // namespace

std::string op_generator::pick_client() { return client_pool[pick(std::size(client_pool))]; }

write_batch op_generator::next(model& m) {
  write_batch whole;
  const std::uint64_t n = 1 + pick(6);
  for (std::uint64_t i = 0; i < n; ++i) {
    write_batch part;
    add_op(m, part);
    m.apply(part);
    whole.append(std::move(part));
  }
  return whole;
}

void op_generator::add_op(model& m, write_batch& b) {
  auto& clients = m.clients_;
  const auto random_session = [&](const std::string& id) {
    session_record s = make_session(id, static_cast<std::uint32_t>(pick(3) == 0 ? never_expires : pick(100000)));
    if (pick(2)) s.disconnected_at = wall_time(std::chrono::milliseconds(pick(1ULL << 42)));
    if (pick(3) == 0) {
      protocol::will w;
      w.topic = topic_pool[pick(std::size(topic_pool))];
      w.payload = bytes(std::string(pick(40), 'w'));
      w.qos_level = static_cast<protocol::qos>(pick(3));
      if (pick(2)) w.props.will_delay_interval = static_cast<std::uint32_t>(pick(100));
      s.will = w;
      s.will_at = wall_time(std::chrono::milliseconds(pick(1ULL << 42)));
    }
    if (pick(2)) s.sent_through = pick(1ULL << 40) + 1;
    return s;
  };
  const std::uint64_t kind = pick(13);
  if (clients.empty() || kind == 0) {
    b.put_session(random_session(pick_client()));
    return;
  }
  const auto& [cid, c] = *nth(clients, pick(clients.size()));
  switch (kind) {
    case 1:
      b.delete_session(cid);
      return;
    case 2:
      b.delete_session(cid);
      b.put_session(random_session(cid));
      return;
    case 3: {
      subscription_record s = make_subscription(cid, topic_pool[pick(std::size(topic_pool))],
                                                static_cast<std::uint32_t>(pick(5)));
      s.options.no_local = pick(2) == 1;
      s.options.handling = static_cast<protocol::retain_handling>(pick(3));
      b.put_subscription(s);
      return;
    }
    case 4:
      if (!c.subscriptions.empty()) b.delete_subscription(cid, nth(c.subscriptions, pick(c.subscriptions.size()))->first);
      return;
    case 5: {  // fan-out of a new message to 1..3 sessions
      const std::uint64_t id = ++next_;
      message_record msg = make_message(id, topic_pool[pick(std::size(topic_pool))],
                                        std::string(pick(8) == 0 ? 2000 : pick(64), static_cast<char>('a' + pick(26))));
      if (pick(4) == 0) msg.props.user_properties.push_back({"k", std::to_string(id)});
      b.put_message(msg);
      const std::uint64_t targets = 1 + pick(3);
      for (std::uint64_t t = 0; t < targets; ++t) {
        const std::string& target = nth(clients, pick(clients.size()))->first;
        b.put_queue_entry(make_entry(target, ++next_, id));
      }
      return;
    }
    case 6:
      if (!c.queue.empty()) {
        queue_entry e = nth(c.queue, pick(c.queue.size()))->second;
        e.state = static_cast<entry_state>(pick(3));
        e.packet_id = static_cast<std::uint16_t>(1 + pick(65535));
        b.put_queue_entry(e);
      }
      return;
    case 7:
      if (!c.queue.empty()) b.delete_queue_entry(cid, nth(c.queue, pick(c.queue.size()))->first);
      return;
    case 8:
      b.put_inbound_qos2(cid, static_cast<std::uint16_t>(1 + pick(20)));
      return;
    case 9:
      if (!c.inbound.empty()) b.delete_inbound_qos2(cid, *nth(c.inbound, pick(c.inbound.size())));
      return;
    case 10:
      b.put_retained(make_message(++next_, topic_pool[pick(std::size(topic_pool))], std::string(pick(30), 'r')));
      return;
    case 11:
      if (!m.retained_.empty()) b.delete_retained(nth(m.retained_, pick(m.retained_.size()))->first);
      return;
    default:  // another reference to a message that is already stored
      if (!m.messages_.empty()) b.put_queue_entry(make_entry(cid, ++next_, nth(m.messages_, pick(m.messages_.size()))->first));
      return;
  }
}

}  // namespace gridmq::store::test
