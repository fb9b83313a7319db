// Counters of what the broker did, readable from any thread. Relaxed atomics:
// they are for operators and tests, not for synchronisation.
#pragma once

#include <atomic>
#include <cstdint>

namespace gridmq::broker {

struct broker_stats {
  std::atomic<std::uint64_t> messages_received{0};     // PUBLISH accepted from clients (and wills)
  std::atomic<std::uint64_t> deliveries{0};            // PUBLISH sent or queued to sessions
  std::atomic<std::uint64_t> dropped_queue_full{0};    // session_overflow drops
  std::atomic<std::uint64_t> dropped_too_large{0};     // over a client's Maximum Packet Size
  std::atomic<std::uint64_t> dropped_slow_qos0{0};     // QoS 0 to a connection with a full outbox
  std::atomic<std::uint64_t> dropped_expired{0};       // Message Expiry Interval elapsed
  std::atomic<std::uint64_t> sessions_terminated_overflow{0};
  std::atomic<std::uint64_t> client_puback_failures{0};  // PUBACK/PUBREC with a reason >= 0x80 from clients
  std::atomic<std::uint64_t> shared_redelivered{0};    // moved to another $share member
  std::atomic<std::uint64_t> publishes_denied{0};      // PUBLISH outside the client's topic spaces

  static void add(std::atomic<std::uint64_t>& c, std::uint64_t n = 1) noexcept {
    c.fetch_add(n, std::memory_order_relaxed);
  }
};

}  // namespace gridmq::broker
