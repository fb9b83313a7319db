// The memory an idle plain-TCP connection costs the transport: the
// connection object (make_shared adds a 16-byte control block) and nothing
// of Asio's (the socket is a raw fd in the worker's fd_poller). Issue 6's
// row "bytes of RSS per idle connection <= Mosquitto's" depends on it.
#include <gtest/gtest.h>

#include <memory>

#include "transport/connections.hpp"

namespace gridmq::transport {
namespace {

TEST(connection_size, idle_plain_connection_fits_the_transport_budget) {
  // The transport's budget per idle plain connection is 176 B: this object
  // with make_shared's control block (16 B), plus the fd_poller's table
  // entry (16 B).
  constexpr std::size_t control_block = 16;
  constexpr std::size_t poller_entry = sizeof(std::shared_ptr<fd_watcher>);
  EXPECT_LE(sizeof(stream_connection<plain_stream>) + control_block + poller_entry, 176u)
      << "sizeof(stream_connection<plain_stream>) = " << sizeof(stream_connection<plain_stream>);
  EXPECT_EQ(sizeof(plain_stream), sizeof(int));
}

}  // namespace
}  // namespace gridmq::transport
