// stream_connection over TLS, compiled once.
#include "transport/stream_connection_impl.hpp"

namespace gridmq::transport {
template class stream_connection<tls_adaptor>;
}  // namespace gridmq::transport
