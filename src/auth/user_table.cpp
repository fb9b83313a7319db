#include "auth/user_table.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <stdexcept>

namespace gridmq::auth {

namespace {

std::string_view as_chars(const unsigned char* p, std::size_t n) { return {reinterpret_cast<const char*>(p), n}; }
const unsigned char* as_bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

}  // namespace

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), as_bytes(data), data.size(), out, &len);
  return std::string(as_chars(out, len));
}

std::string sha256(std::string_view data) {
  unsigned char out[SHA256_DIGEST_LENGTH];
  SHA256(as_bytes(data), data.size(), out);
  return std::string(as_chars(out, sizeof out));
}

std::string pbkdf2_sha256(std::string_view password, std::string_view salt, std::uint32_t iterations) {
  unsigned char out[32];
  PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), as_bytes(salt), static_cast<int>(salt.size()),
                    static_cast<int>(iterations), EVP_sha256(), sizeof out, out);
  return std::string(as_chars(out, sizeof out));
}

std::string random_bytes(std::size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    throw std::runtime_error("OpenSSL RAND_bytes failed");  // start-up or a broken RNG: nothing to do but stop
  }
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string base64_encode(std::string_view raw) {
  std::string out(4 * ((raw.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), as_bytes(raw), static_cast<int>(raw.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out(3 * text.size() / 4 + 1, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), as_bytes(text), static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  // EVP_DecodeBlock counts padding as zero bytes; drop them.
  std::size_t pad = 0;
  if (!text.empty() && text.back() == '=') ++pad;
  if (text.size() > 1 && text[text.size() - 2] == '=') ++pad;
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

user_table::user_table() : secret_(random_bytes(32)) {}

void user_table::add(std::string username, std::string_view password, std::uint32_t iterations) {
  add_with_salt(std::move(username), password, random_bytes(16), iterations);
}

void user_table::add_with_salt(std::string username, std::string_view password, std::string salt,
                               std::uint32_t iterations) {
  scram_keys k;
  k.salt = std::move(salt);
  k.iterations = iterations;
  auto salted = pbkdf2_sha256(password, k.salt, iterations);
  k.stored_key = sha256(hmac_sha256(salted, "Client Key"));
  k.server_key = hmac_sha256(salted, "Server Key");
  users_[std::move(username)] = std::move(k);
}

const scram_keys* user_table::find(std::string_view username) const {
  auto it = users_.find(std::string(username));
  return it == users_.end() ? nullptr : &it->second;
}

scram_keys user_table::decoy_keys(std::string_view username) const {
  scram_keys k;
  std::string name(username);
  k.salt = hmac_sha256(secret_, "salt:" + name).substr(0, 16);
  k.stored_key = hmac_sha256(secret_, "stored:" + name);
  k.server_key = hmac_sha256(secret_, "server:" + name);
  return k;
}

bool user_table::check_password(std::string_view username, std::string_view password) const {
  const auto* k = find(username);
  // Derive for unknown users too, so the time taken does not tell.
  const scram_keys decoy = k == nullptr ? decoy_keys(username) : scram_keys{};
  const scram_keys& keys = k == nullptr ? decoy : *k;
  auto salted = pbkdf2_sha256(password, keys.salt, keys.iterations);
  bool match = constant_time_equal(sha256(hmac_sha256(salted, "Client Key")), keys.stored_key);
  return match && k != nullptr;
}

}  // namespace gridmq::auth
