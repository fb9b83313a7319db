// TLS streams over OpenSSL, for the transport files that handle TLS.
// Heavier than asio.hpp: include only from .cpp files of transport/ (and
// tls_context.hpp, which only transport/ and app/ include).
//
// beast::ssl_stream is Asio's ssl::stream behind Beast's flat_stream: Asio's
// SSL write encrypts one buffer of a gather sequence per call, flat_stream
// joins the buffers first, so a batch of MQTT packets is one TLS record.
#pragma once

#include "transport/asio.hpp"

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace gridmq::transport {

using tls_stream = boost::beast::ssl_stream<tcp_socket>;

}  // namespace gridmq::transport
