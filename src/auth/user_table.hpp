// Username/password credentials, held as salted PBKDF2-SHA-256 keys so that
// neither CONNECT passwords nor SCRAM ever need the clear password after
// start-up. The same derived keys serve both: a plain CONNECT password is
// checked by deriving it again; SCRAM-SHA-256 (RFC 5802/7677) uses the
// stored and server keys directly.
//
// Threads: filled once at start-up, then read-only (any worker).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace gridmq::auth {

struct scram_keys {
  std::string salt;        // raw bytes
  std::uint32_t iterations = 4096;
  std::string stored_key;  // H(ClientKey), 32 bytes
  std::string server_key;  // HMAC(SaltedPassword, "Server Key"), 32 bytes
};

class user_table {
 public:
  user_table();
  // Derives the keys of `password` with a fresh random salt.
  void add(std::string username, std::string_view password, std::uint32_t iterations = 4096);
  // The same with a given salt (known-answer tests, keys imported from elsewhere).
  void add_with_salt(std::string username, std::string_view password, std::string salt, std::uint32_t iterations);
  bool empty() const noexcept { return users_.empty(); }
  const scram_keys* find(std::string_view username) const;
  // Keys for a user that does not exist: a salt that is the same on every
  // attempt for that name and keys no password matches. Serving them makes
  // an unknown user look like a wrong password (RFC 5802 section 5.1), so
  // SCRAM does not tell who has an account.
  scram_keys decoy_keys(std::string_view username) const;
  // Comparison of the derived key in constant time; false for unknown users,
  // after the same key derivation (with decoy keys) as for a known one.
  bool check_password(std::string_view username, std::string_view password) const;

 private:
  std::unordered_map<std::string, scram_keys> users_;
  std::string secret_;  // random per process: decoy salts cannot be predicted
};

// Primitives shared with the SCRAM exchange (OpenSSL underneath).
std::string hmac_sha256(std::string_view key, std::string_view data);
std::string sha256(std::string_view data);
std::string pbkdf2_sha256(std::string_view password, std::string_view salt, std::uint32_t iterations);
std::string random_bytes(std::size_t n);
bool constant_time_equal(std::string_view a, std::string_view b) noexcept;
std::string base64_encode(std::string_view raw);
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace gridmq::auth
