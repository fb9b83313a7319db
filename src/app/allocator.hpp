// Which malloc the process runs on, for the startup log: the broker is
// built to use mimalloc, and a link that silently fell back to glibc's
// would cost a third of the throughput without any other sign.
#pragma once

#include <string>

namespace gridmq::app {

// "mimalloc 2.0.9", "mimalloc 2.0.9 (NOT in use: malloc is glibc's)" or
// "glibc malloc".
std::string allocator_description();

}  // namespace gridmq::app
