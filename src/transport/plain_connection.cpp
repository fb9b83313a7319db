// stream_connection over plain TCP, compiled once.
#include "transport/stream_connection_impl.hpp"

namespace gridmq::transport {
template class stream_connection<plain_stream>;
}  // namespace gridmq::transport
