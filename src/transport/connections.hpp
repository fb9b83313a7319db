// The instantiated stream_connection types, one per stream layering, and the
// WebSocket/HTTP stage shared by ws, wss, http and https listeners.
// Include only from transport/ .cpp files.
#pragma once

#include <memory>
#include <span>

#include "broker/client_port.hpp"
#include "transport/beast.hpp"
#include "transport/listener_context.hpp"
#include "transport/stream_connection.hpp"
#include "transport/streams.hpp"

namespace gridmq::transport {

extern template class stream_connection<plain_stream>;
extern template class stream_connection<tls_adaptor>;
extern template class stream_connection<ws_stream>;
extern template class stream_connection<wss_stream>;

// Serves HTTP on an established stream (plain TCP or TLS): WebSocket
// upgrades on the listener's path become MQTT connections, other requests
// go to the listener's http_service. `buffer` holds bytes already read.
void start_http(tcp_socket stream, broker::client_info info, std::shared_ptr<const listener_context> listener,
                beast::flat_buffer buffer);
void start_http(tls_stream stream, broker::client_info info, std::shared_ptr<const listener_context> listener,
                beast::flat_buffer buffer);

}  // namespace gridmq::transport
