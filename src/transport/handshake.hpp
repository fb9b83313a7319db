// Everything between accept() and an MQTT byte stream: the optional PROXY
// protocol header, the TLS handshake (after checking that the client speaks
// TLS at all), and for web listeners the HTTP request that either upgrades to
// WebSocket or is served by the listener's http_service.
//
// One deadline (listener_options::handshake_timeout) covers all of it. A
// failure is logged once with the peer address and closes only that
// connection. Threads: called on the socket's worker; the connection stays
// there.
#pragma once

#include <memory>

#include "transport/asio.hpp"

namespace gridmq::transport {

struct listener_context;

void start_handshake(tcp_socket socket, std::string peer, std::shared_ptr<const listener_context> listener);

}  // namespace gridmq::transport
