// SCRAM-SHA-256 server side: the RFC 7677 known-answer exchange, and the
// ways an exchange must fail.
#include "auth/scram_exchange.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace gridmq::auth {
namespace {

// RFC 7677 section 3: user "user", password "pencil".
constexpr std::string_view client_first = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
constexpr std::string_view server_nonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
constexpr std::string_view server_first =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
constexpr std::string_view client_final =
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
constexpr std::string_view server_final = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

user_table rfc_users() {
  user_table t;
  t.add_with_salt("user", "pencil", *base64_decode("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096);
  return t;
}

TEST(scram, rfc7677_known_answer) {
  auto users = rfc_users();
  scram_exchange ex(users, std::string(server_nonce));
  auto first = ex.step(client_first);
  ASSERT_EQ(first.status, step_status::continue_auth);
  EXPECT_EQ(first.data, server_first);
  auto last = ex.step(client_final);
  ASSERT_EQ(last.status, step_status::success) << last.why;
  EXPECT_EQ(last.data, server_final);
  EXPECT_EQ(ex.username(), "user");
}

TEST(scram, wrong_proof_fails) {
  auto users = rfc_users();
  scram_exchange ex(users, std::string(server_nonce));
  ex.step(client_first);
  std::string bad(client_final);
  bad[bad.size() - 3] = bad[bad.size() - 3] == 'A' ? 'B' : 'A';
  EXPECT_EQ(ex.step(bad).status, step_status::failure);
}

TEST(scram, unknown_user_gets_a_decoy_exchange_that_fails_at_the_proof) {
  auto users = rfc_users();
  scram_exchange a(users), b(users), other(users);
  auto first_a = a.step("n,,n=nobody,r=abc");
  auto first_b = b.step("n,,n=nobody,r=abc");
  auto first_other = other.step("n,,n=somebody,r=abc");
  // Indistinguishable from a real user's server-first: a salt and a count,
  // the same salt for the same name on every attempt, another for another name.
  ASSERT_EQ(first_a.status, step_status::continue_auth);
  auto salt_of = [](const std::string& m) { return m.substr(m.find(",s="), m.find(",i=") - m.find(",s=")); };
  EXPECT_EQ(salt_of(first_a.data), salt_of(first_b.data));
  EXPECT_NE(salt_of(first_a.data), salt_of(first_other.data));
  EXPECT_NE(first_a.data.find(",i=4096"), std::string::npos);
  auto nonce = first_a.data.substr(2, first_a.data.find(",s=") - 2);
  auto final_result = a.step("c=biws,r=" + nonce + ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
  EXPECT_EQ(final_result.status, step_status::failure);
  EXPECT_EQ(final_result.why, "SCRAM: unknown user or wrong password");
}

TEST(scram, malformed_messages_fail) {
  auto users = rfc_users();
  EXPECT_EQ(scram_exchange(users).step("p=tls-unique,,n=user,r=abc").status, step_status::failure);
  EXPECT_EQ(scram_exchange(users).step("n,,n=user").status, step_status::failure);
  EXPECT_EQ(scram_exchange(users).step("").status, step_status::failure);
  EXPECT_EQ(scram_exchange(users).step("n,,n=us=ZZer,r=abc").status, step_status::failure);
}

TEST(scram, nonce_mismatch_fails) {
  auto users = rfc_users();
  scram_exchange ex(users, std::string(server_nonce));
  ex.step(client_first);
  EXPECT_EQ(ex.step("c=biws,r=other,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=").status, step_status::failure);
}

TEST(scram, exchange_cannot_be_replayed) {
  auto users = rfc_users();
  scram_exchange ex(users, std::string(server_nonce));
  ex.step(client_first);
  ASSERT_EQ(ex.step(client_final).status, step_status::success);
  EXPECT_EQ(ex.step(client_final).status, step_status::failure);
}

TEST(user_table, unknown_user_password_check_fails) {
  user_table t;
  t.add("alice", "secret", 1000);
  EXPECT_FALSE(t.check_password("bob", "secret"));
  EXPECT_FALSE(t.check_password("", ""));
}

TEST(user_table, password_check) {
  user_table t;
  t.add("alice", "secret", 1000);
  EXPECT_TRUE(t.check_password("alice", "secret"));
  EXPECT_FALSE(t.check_password("alice", "Secret"));
  EXPECT_FALSE(t.check_password("bob", "secret"));
}

TEST(base64, round_trip_and_rejects) {
  for (std::string s : std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0\xff", 2)}) {
    EXPECT_EQ(*base64_decode(base64_encode(s)), s);
  }
  EXPECT_FALSE(base64_decode("abc").has_value());
  EXPECT_FALSE(base64_decode("a!c=").has_value());
}

}  // namespace
}  // namespace gridmq::auth
