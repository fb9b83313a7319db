// The process logger: one spdlog logger writing to stderr.
//
// main() owns it and passes it by reference; it is also made spdlog's default
// logger so modules that log through spdlog's free functions write to the same
// place at the same level.
#pragma once

#include <memory>

#include "config/config.hpp"

namespace spdlog {
class logger;
}

namespace gridmq::app {

std::shared_ptr<spdlog::logger> make_logger(config::log_level level);

}  // namespace gridmq::app
