#include "auth/scram_exchange.hpp"

#include <charconv>

namespace gridmq::auth {

namespace {

// The value of attribute `name` ("n", "r", ...) in a comma-separated SCRAM
// message, or nullopt.
std::optional<std::string_view> attribute(std::string_view msg, char name) {
  while (!msg.empty()) {
    auto comma = msg.find(',');
    auto part = msg.substr(0, comma);
    if (part.size() >= 2 && part[0] == name && part[1] == '=') return part.substr(2);
    if (comma == std::string_view::npos) break;
    msg.remove_prefix(comma + 1);
  }
  return std::nullopt;
}

// RFC 5802 saslname: "=2C" is ',' and "=3D" is '='; any other '=' is invalid.
std::optional<std::string> decode_saslname(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '=') {
      out.push_back(s[i]);
      continue;
    }
    auto esc = s.substr(i + 1, 2);
    if (esc == "2C") {
      out.push_back(',');
    } else if (esc == "3D") {
      out.push_back('=');
    } else {
      return std::nullopt;
    }
    i += 2;
  }
  return out;
}

step_result failure(std::string why) { return {step_status::failure, {}, std::move(why)}; }

std::string xor_bytes(std::string_view a, std::string_view b) {
  std::string out(a);
  for (std::size_t i = 0; i < out.size() && i < b.size(); ++i) out[i] = static_cast<char>(out[i] ^ b[i]);
  return out;
}

}  // namespace

step_result scram_exchange::step(std::string_view client_data) {
  switch (state_) {
    case state::initial: return on_client_first(client_data);
    case state::sent_server_first: return on_client_final(client_data);
    case state::done: break;
  }
  return failure("SCRAM exchange already finished");
}

step_result scram_exchange::on_client_first(std::string_view msg) {
  // gs2-header is "n,," or "y,," (no channel binding; authzid not supported).
  if (msg.size() < 3 || (msg.substr(0, 3) != "n,," && msg.substr(0, 3) != "y,,")) {
    return failure("SCRAM: unsupported gs2 header");
  }
  gs2_header_ = std::string(msg.substr(0, 3));
  client_first_bare_ = std::string(msg.substr(3));
  auto name = attribute(client_first_bare_, 'n');
  auto client_nonce = attribute(client_first_bare_, 'r');
  if (!name || !client_nonce || client_nonce->empty()) return failure("SCRAM: malformed client-first message");
  auto user = decode_saslname(*name);
  if (!user) return failure("SCRAM: malformed username");
  keys_ = users_.find(*user);
  known_user_ = keys_ != nullptr;
  if (!known_user_) {
    // Go on with keys no proof matches: the client learns only at the end,
    // as with a wrong password, and cannot probe for usernames.
    decoy_ = users_.decoy_keys(*user);
    keys_ = &decoy_;
  }
  username_ = std::move(*user);
  nonce_ = std::string(*client_nonce) + (server_nonce_.empty() ? base64_encode(random_bytes(18)) : server_nonce_);
  server_first_ = "r=" + nonce_ + ",s=" + base64_encode(keys_->salt) + ",i=" + std::to_string(keys_->iterations);
  state_ = state::sent_server_first;
  return {step_status::continue_auth, server_first_, {}};
}

step_result scram_exchange::on_client_final(std::string_view msg) {
  state_ = state::done;
  auto proof_pos = msg.rfind(",p=");
  if (proof_pos == std::string_view::npos) return failure("SCRAM: client-final without proof");
  auto without_proof = msg.substr(0, proof_pos);
  auto channel = attribute(without_proof, 'c');
  auto nonce = attribute(without_proof, 'r');
  auto proof = base64_decode(msg.substr(proof_pos + 3));
  if (!channel || !nonce || !proof) return failure("SCRAM: malformed client-final message");
  if (*channel != base64_encode(gs2_header_)) return failure("SCRAM: channel binding mismatch");
  if (*nonce != nonce_) return failure("SCRAM: nonce mismatch");
  std::string auth_message = client_first_bare_ + "," + server_first_ + "," + std::string(without_proof);
  auto client_signature = hmac_sha256(keys_->stored_key, auth_message);
  auto client_key = xor_bytes(*proof, client_signature);
  bool proven = proof->size() == client_signature.size() && constant_time_equal(sha256(client_key), keys_->stored_key);
  if (!proven || !known_user_) return failure("SCRAM: unknown user or wrong password");
  auto server_signature = hmac_sha256(keys_->server_key, auth_message);
  return {step_status::success, "v=" + base64_encode(server_signature), {}};
}

}  // namespace gridmq::auth
