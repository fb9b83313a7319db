// The one way transport/ and app/ include Asio.
//
// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>,
// which breaks in C++20 mode unless <utility> comes first. Asio is compiled
// once (BOOST_ASIO_SEPARATE_COMPILATION, see asio_impl.cpp); this header only
// declares. Never include it from a header that modules other than transport/
// and app/ see.
#pragma once

#include <utility>

#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/basic_waitable_timer.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

namespace gridmq::transport {

namespace asio = boost::asio;
using error_code = boost::system::error_code;

// Objects bound to one worker use its io_context executor directly: each
// io_context is run by one thread, so it is an implicit strand, and the
// concrete executor avoids any_io_executor's type erasure on every operation.
using executor = asio::io_context::executor_type;
using tcp_socket = asio::basic_stream_socket<asio::ip::tcp, executor>;
using tcp_acceptor = asio::basic_socket_acceptor<asio::ip::tcp, executor>;
using steady_timer = asio::basic_waitable_timer<std::chrono::steady_clock,
                                                asio::wait_traits<std::chrono::steady_clock>, executor>;

}  // namespace gridmq::transport
