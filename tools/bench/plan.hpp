// A scenario turned into clients: who connects, in which order, with which
// topic, and how many deliveries one published message should make.
#pragma once

#include <cstdint>
#include <vector>

#include "mqtt_client.hpp"
#include "options.hpp"

namespace gridmq::bench {

struct run_plan {
  std::vector<client_spec> clients;  // in connect order
  std::uint64_t fanout = 0;          // deliveries per published message; 0 = unknown (pub, sub modes)
};

run_plan make_plan(const bench_options& o);

// `text` with every %i replaced by `index`.
std::string expand_template(const std::string& text, std::size_t index);

}  // namespace gridmq::bench
