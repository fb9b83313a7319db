// What one connected client may do: the topic filters its Publisher and
// Subscriber bindings give it, with its own values substituted. Built once
// at CONNECT (namespace_model::grants_for) and kept by the connection, so a
// PUBLISH check is a scan of a few filters with no allocation.
//
// Threads: immutable after construction; used on the connection's worker.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace gridmq::ns {

// True if every topic that `filter` can match is matched by `granted`
// (both valid MQTT filters). Level by level: '#' in `granted` covers the
// rest; '+' in `granted` covers one level of anything but '#'; a '#' or '+'
// in `filter` needs the same wildcard in `granted`. [MQTT-4.7.2-1]: a
// `granted` starting with a wildcard covers no filter starting with '$'.
bool covers(std::string_view granted, std::string_view filter) noexcept;

class client_grants {
 public:
  client_grants() = default;
  client_grants(std::vector<std::string> publish, std::vector<std::string> subscribe)
      : publish_(std::move(publish)), subscribe_(std::move(subscribe)) {}

  // A Publisher template matches `topic` (a topic name).
  bool may_publish(std::string_view topic) const noexcept;
  // A Subscriber template covers `filter`. A shared subscription
  // "$share/g/F" is judged on F (eventgrid.md 7.2: presumably on F).
  bool may_subscribe(std::string_view filter) const noexcept;

  const std::vector<std::string>& publish_filters() const noexcept { return publish_; }
  const std::vector<std::string>& subscribe_filters() const noexcept { return subscribe_; }

 private:
  std::vector<std::string> publish_;
  std::vector<std::string> subscribe_;
};

}  // namespace gridmq::ns
