// stream_connection over WebSocket and WebSocket over TLS, compiled once.
#include "transport/stream_connection_impl.hpp"

namespace gridmq::transport {
template class stream_connection<ws_stream>;
template class stream_connection<wss_stream>;
}  // namespace gridmq::transport
