// From what the user gave (config file, command line) to what the modules
// take: the final `config`, then each module's options struct.
//
// resolve_config() throws config::config_error (start-up only); the mapping
// functions are total because config/ already checked every range.
#pragma once

#include "app/cli.hpp"
#include "broker/broker_options.hpp"
#include "config/config.hpp"
#include "store/store.hpp"

namespace gridmq::app {

// The file (or the embedded defaults), with command-line overrides applied.
config::config resolve_config(const cli_options& cli);

broker::broker_options make_broker_options(const config::config& c);

store::store_options make_store_options(const config::config& c);

}  // namespace gridmq::app
