// Asio's implementation, compiled once for the whole program
// (BOOST_ASIO_SEPARATE_COMPILATION is set on gridmq_asio), with its SSL part.
#include <utility>

#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
