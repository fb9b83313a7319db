// Beast's HTTP and WebSocket, for the transport files that speak them.
// Compiled once (beast_impl.cpp); include only from .cpp files of transport/.
#pragma once

#include "transport/asio.hpp"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/beast/websocket/stream.hpp>

namespace gridmq::transport {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;

using http_request_message = http::request<http::string_body>;
using http_response_message = http::response<http::string_body>;

}  // namespace gridmq::transport
