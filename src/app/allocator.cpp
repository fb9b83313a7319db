#include "app/allocator.hpp"

#include <cstdlib>

#include <fmt/format.h>

#if GRIDMQ_MIMALLOC
#include <mimalloc.h>
#endif

namespace gridmq::app {

std::string allocator_description() {
#if GRIDMQ_MIMALLOC
  const int v = mi_version();
  const std::string name = fmt::format("mimalloc {}.{}.{}", v / 100, v / 10 % 10, v % 10);
  // A block from plain malloc() lies in mimalloc's heap only if the
  // override took effect (the link order put mimalloc before libc).
  void* probe = std::malloc(16);
  const bool overridden = mi_is_in_heap_region(probe);
  std::free(probe);
  return overridden ? name : name + " (NOT in use: malloc is glibc's)";
#else
  return "glibc malloc";
#endif
}

}  // namespace gridmq::app
