// Reading a gridmq TOML file into a `config`.
//
// Every key is optional; a missing key keeps its embedded default. A key or
// section the schema does not know is an error, as is a value of the wrong
// type or out of range: the error names file, line and key. Throws
// config_error; call at start-up only.
#pragma once

#include <string>
#include <string_view>

#include "config/config.hpp"
#include "config/config_error.hpp"

namespace gridmq::config {

// Reads and parses the file at `path`; errors name `path`.
config load_file(const std::string& path);

// Parses `text`; errors name `source_name` as the file.
config load_string(std::string_view text, std::string_view source_name);

}  // namespace gridmq::config
