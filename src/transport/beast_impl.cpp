// Beast's implementation, compiled once (BOOST_BEAST_SEPARATE_COMPILATION is
// set on gridmq_asio, so every user only declares).
#include <utility>

#include <boost/beast/src.hpp>
