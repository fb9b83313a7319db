// The server side of SCRAM-SHA-256 (RFC 5802, RFC 7677) for MQTT 5 enhanced
// authentication (Authentication Method "SCRAM-SHA-256"): CONNECT carries
// the client-first message, AUTH 0x18 the server-first and client-final
// messages, and CONNACK (or AUTH 0x00 on re-authentication) the server-final.
//
// Lifecycle: one exchange per authentication of one connection; not
// thread-safe (used on the connection's worker). Channel binding is not
// offered ("n,," or "y,," only).
#pragma once

#include <string>
#include <string_view>

#include "auth/user_table.hpp"

namespace gridmq::auth {

enum class step_status { success, continue_auth, failure };

struct step_result {
  step_status status = step_status::failure;
  std::string data;  // Authentication Data to send back (may be empty)
  std::string why;   // for logs and Reason Strings on failure
};

class scram_exchange {
 public:
  // `server_nonce` is the server's part of the nonce; empty: 18 random bytes
  // (a fixed one is for known-answer tests only).
  explicit scram_exchange(const user_table& users, std::string server_nonce = {})
      : users_(users), server_nonce_(std::move(server_nonce)) {}
  static constexpr std::string_view method_name = "SCRAM-SHA-256";

  // Feeds the client's next message (CONNECT's or AUTH's Authentication Data).
  step_result step(std::string_view client_data);
  // The user proven by a successful exchange.
  const std::string& username() const noexcept { return username_; }

 private:
  step_result on_client_first(std::string_view msg);
  step_result on_client_final(std::string_view msg);

  const user_table& users_;
  enum class state { initial, sent_server_first, done } state_ = state::initial;
  const scram_keys* keys_ = nullptr;
  scram_keys decoy_;       // keys_ points here for an unknown user
  bool known_user_ = false;
  std::string username_;
  std::string gs2_header_;
  std::string client_first_bare_;
  std::string server_first_;
  std::string nonce_;
  std::string server_nonce_;
};

}  // namespace gridmq::auth
