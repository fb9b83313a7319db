#include "store_test_support.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <sstream>

#include "store/record_keys.hpp"

namespace gridmq::store::test {

session_record make_session(std::string client_id, std::uint32_t expiry) {
  session_record s;
  s.client_id = std::move(client_id);
  s.version = protocol::protocol_version::v5;
  s.expiry_interval = expiry;
  return s;
}

message_record make_message(std::uint64_t id, std::string topic, std::string payload) {
  message_record m;
  m.id = id;
  m.topic = std::move(topic);
  m.payload = bytes(std::move(payload));
  m.qos_level = protocol::qos::at_least_once;
  return m;
}

queue_entry make_entry(std::string client_id, std::uint64_t sequence, std::uint64_t message_id) {
  queue_entry e;
  e.client_id = std::move(client_id);
  e.sequence = sequence;
  e.message_id = message_id;
  e.qos_level = protocol::qos::at_least_once;
  return e;
}

subscription_record make_subscription(std::string client_id, std::string filter, std::uint32_t identifier) {
  subscription_record s;
  s.client_id = std::move(client_id);
  s.filter = std::move(filter);
  s.options.max_qos = protocol::qos::exactly_once;
  s.identifier = identifier;
  return s;
}

protocol::properties full_properties() {
  protocol::properties p;
  p.payload_format_indicator = 1;
  p.message_expiry_interval = 3600;
  p.content_type = "text/plain";
  p.response_topic = "reply/here";
  p.correlation_data = std::string("\x00\x01\xff", 3);
  p.subscription_identifiers = {7, 268435455};
  p.session_expiry_interval = 60;
  p.assigned_client_identifier = "assigned";
  p.server_keep_alive = 30;
  p.authentication_method = "SCRAM";
  p.authentication_data = std::string("\x00z", 2);
  p.request_problem_information = 0;
  p.will_delay_interval = 10;
  p.request_response_information = 1;
  p.response_information = "info";
  p.server_reference = "other:1883";
  p.reason_string = "why";
  p.receive_maximum = 100;
  p.topic_alias_maximum = 10;
  p.topic_alias = 3;
  p.maximum_qos = 1;
  p.retain_available = 1;
  p.user_properties = {{"k", "v"}, {"k", "v2"}, {"", ""}};
  p.maximum_packet_size = 1 << 20;
  p.wildcard_subscription_available = 1;
  p.subscription_identifier_available = 0;
  p.shared_subscription_available = 1;
  return p;
}

namespace {

std::string q(const std::string& s) { return "'" + describe_key(s) + "'"; }

std::string dump(const protocol::properties& p) {
  std::ostringstream o;
  const auto opt = [&](const char* name, const auto& v) {
    if (v) o << ' ' << name << '=' << q(std::to_string(*v));
  };
  const auto str = [&](const char* name, const std::optional<std::string>& v) {
    if (v) o << ' ' << name << '=' << q(*v);
  };
  opt("pfi", p.payload_format_indicator);
  opt("mei", p.message_expiry_interval);
  str("ct", p.content_type);
  str("rt", p.response_topic);
  str("cd", p.correlation_data);
  for (auto s : p.subscription_identifiers) o << " sid=" << s;
  opt("sei", p.session_expiry_interval);
  str("aci", p.assigned_client_identifier);
  opt("ska", p.server_keep_alive);
  str("am", p.authentication_method);
  str("ad", p.authentication_data);
  opt("rpi", p.request_problem_information);
  opt("wdi", p.will_delay_interval);
  opt("rri", p.request_response_information);
  str("ri", p.response_information);
  str("sr", p.server_reference);
  str("rs", p.reason_string);
  opt("rm", p.receive_maximum);
  opt("tam", p.topic_alias_maximum);
  opt("ta", p.topic_alias);
  opt("mq", p.maximum_qos);
  opt("ra", p.retain_available);
  for (const auto& u : p.user_properties) o << " up=" << q(u.key) << ':' << q(u.value);
  opt("mps", p.maximum_packet_size);
  opt("wsa", p.wildcard_subscription_available);
  opt("sia", p.subscription_identifier_available);
  opt("ssa", p.shared_subscription_available);
  return o.str();
}

std::string dump(const std::optional<wall_time>& t) {
  return t ? std::to_string(t->time_since_epoch().count()) : std::string("-");
}

std::string dump_payload(const protocol::payload_ptr& p) { return p ? q(*p) : std::string("null"); }

}  // namespace

std::string dump(const session_record& s) {
  std::ostringstream o;
  o << "session " << q(s.client_id) << " v" << int(s.version) << " exp=" << s.expiry_interval
    << " disc=" << dump(s.disconnected_at) << " will_at=" << dump(s.will_at) << " sent=" << s.sent_through;
  if (s.will) {
    o << " will{" << q(s.will->topic) << ' ' << dump_payload(s.will->payload) << " q" << int(s.will->qos_level)
      << " r" << s.will->retain << dump(s.will->props) << '}';
  }
  if (!s.authentication_name.empty()) o << " owner=" << q(s.authentication_name);
  return o.str();
}

std::string dump(const message_record& m) {
  std::ostringstream o;
  o << "message " << m.id << ' ' << q(m.topic) << ' ' << dump_payload(m.payload) << " q" << int(m.qos_level) << " r"
    << m.retain << " exp=" << dump(m.expires_at) << dump(m.props);
  return o.str();
}

std::string dump(const queue_entry& e) {
  std::ostringstream o;
  o << "entry " << q(e.client_id) << ' ' << e.sequence << " msg=" << e.message_id << " st=" << int(e.state)
    << " pid=" << e.packet_id << " q" << int(e.qos_level) << " r" << e.retain << " sids=";
  for (auto s : e.subscription_ids) o << s << ',';
  if (!e.share_group.empty()) o << " share=" << q(e.share_group) << '/' << q(e.share_filter);
  return o.str();
}

std::string dump(const subscription_record& s) {
  std::ostringstream o;
  o << "sub " << q(s.client_id) << ' ' << q(s.filter) << " q" << int(s.options.max_qos) << " nl" << s.options.no_local
    << " rap" << s.options.retain_as_published << " rh" << int(s.options.handling) << " id=" << s.identifier;
  return o.str();
}

std::string dump(const recovered_state& s) {
  std::ostringstream o;
  for (const auto& c : s.sessions) {
    o << dump(c.session) << '\n';
    for (const auto& sub : c.subscriptions) o << "  " << dump(sub) << '\n';
    for (const auto& e : c.queue) o << "  " << dump(e) << '\n';
    for (auto pid : c.inbound_qos2) o << "  inbound " << pid << '\n';
  }
  const std::map<std::uint64_t, message_record> sorted(s.messages.begin(), s.messages.end());
  for (const auto& [id, m] : sorted) o << dump(m) << '\n';
  for (const auto& m : s.retained) o << "retained " << dump(m) << '\n';
  return o.str();
}

std::optional<store_error> commit_wait(store& st, write_batch&& b) {
  std::promise<std::optional<store_error>> done;
  auto f = done.get_future();
  st.commit(std::move(b), [&](const std::optional<store_error>& e) { done.set_value(e); });
  return f.get();
}

recovered_state load_ok(store& st) {
  auto r = st.load();
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
  return r ? std::move(*r) : recovered_state{};
}

temp_dir::temp_dir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "gridmq-store-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
  path_ = tmpl;
}

temp_dir::~temp_dir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace gridmq::store::test
