// The memory an idle plain-TCP connection costs the transport: the
// connection object and its poller table entry, and nothing
// of Asio's (the socket is a raw fd in the worker's fd_poller). Issue 6's
// row "bytes of RSS per idle connection <= Mosquitto's" depends on it.
#include <gtest/gtest.h>

#include <memory>

#include "transport/connections.hpp"

namespace gridmq::transport {
namespace {

TEST(connection_size, idle_plain_connection_fits_the_transport_budget) {
  // The transport's budget per idle plain connection is 176 B: this object
  // (counted intrusively: no control block) plus the fd_poller's table
  // entry. 128 B is a size class of mimalloc's: one more byte costs 32.
  constexpr std::size_t poller_entry = sizeof(fd_watcher*);
  EXPECT_LE(sizeof(stream_connection<plain_stream>), 128u)
      << "sizeof(stream_connection<plain_stream>) = " << sizeof(stream_connection<plain_stream>);
  EXPECT_LE(sizeof(stream_connection<plain_stream>) + poller_entry, 176u);
  EXPECT_EQ(sizeof(plain_stream), sizeof(int));
}

}  // namespace
}  // namespace gridmq::transport
