// The contract of store.hpp and write_batch.hpp, run against both
// implementations (typed tests). reopen() closes and reopens a RocksDB store,
// so everything checked after it was read back from disk; for the memory
// store it keeps the same object.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "store/memory_store.hpp"
#include "store/rocksdb_store.hpp"
#include "store_test_support.hpp"

namespace gridmq::store::test {
namespace {

struct memory_kind {
  static std::unique_ptr<store> open(const std::filesystem::path&, const store_options& o) {
    return std::make_unique<memory_store>(o);
  }
  static constexpr bool persistent = false;
};

struct rocksdb_kind {
  static std::unique_ptr<store> open(const std::filesystem::path& dir, const store_options& o) {
    auto s = open_rocksdb_store(dir / "db", o);
    EXPECT_TRUE(s) << (s ? "" : s.error().message);
    return s ? std::move(*s) : nullptr;
  }
  static constexpr bool persistent = true;
};

template <class Kind>
class store_contract : public ::testing::Test {
 protected:
  void SetUp() override {
    st_ = Kind::open(dir_.path(), options_);
    ASSERT_NE(st_, nullptr);
    load_ok(*st_);
  }

  recovered_state reopen() {
    if (Kind::persistent) {
      st_.reset();
      st_ = Kind::open(dir_.path(), options_);
    }
    return load_ok(*st_);
  }

  void commit_ok(write_batch&& b) {
    auto e = commit_wait(*st_, std::move(b));
    ASSERT_FALSE(e) << e->message;
  }

  // A batch that creates the session of `client`.
  static write_batch session_with(const std::string& client) {
    write_batch b;
    b.put_session(make_session(client));
    return b;
  }

  temp_dir dir_;
  store_options options_;
  std::unique_ptr<store> st_;
};

using kinds = ::testing::Types<memory_kind, rocksdb_kind>;
class kind_names {
 public:
  template <class T>
  static std::string GetName(int) {
    return std::is_same_v<T, memory_kind> ? "memory" : "rocksdb";
  }
};
TYPED_TEST_SUITE(store_contract, kinds, kind_names);

TYPED_TEST(store_contract, empty_store_loads_empty) {
  const recovered_state s = this->reopen();
  EXPECT_TRUE(s.sessions.empty());
  EXPECT_TRUE(s.messages.empty());
  EXPECT_TRUE(s.retained.empty());
  EXPECT_EQ(s.max_message_id, 0u);
}

TYPED_TEST(store_contract, commit_before_load_fails) {
  this->st_.reset();
  this->st_ = TypeParam::open(this->dir_.path(), this->options_);
  auto e = commit_wait(*this->st_, this->session_with("c"));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, store_error_code::not_loaded);
}

TYPED_TEST(store_contract, sessions_subscriptions_inbound_round_trip) {
  write_batch b;
  session_record s = make_session("c1", never_expires);
  s.disconnected_at = wall_time(std::chrono::milliseconds(1000));
  protocol::will w;
  w.topic = "will/t";
  w.payload = bytes("gone");
  w.props = full_properties();
  s.will = w;
  s.will_at = wall_time(std::chrono::milliseconds(5000));
  b.put_session(s);
  b.put_subscription(make_subscription("c1", "a/#", 4));
  b.put_subscription(make_subscription("c1", "$share/g/b"));
  b.put_inbound_qos2("c1", 9);
  b.put_inbound_qos2("c1", 3);
  this->commit_ok(std::move(b));
  const recovered_state st = this->reopen();
  ASSERT_EQ(st.sessions.size(), 1u);
  const recovered_session& r = st.sessions[0];
  EXPECT_EQ(dump(r.session), dump(s));
  ASSERT_EQ(r.subscriptions.size(), 2u);
  EXPECT_EQ(dump(r.subscriptions[0]), dump(make_subscription("c1", "$share/g/b")));
  EXPECT_EQ(dump(r.subscriptions[1]), dump(make_subscription("c1", "a/#", 4)));
  EXPECT_EQ(r.inbound_qos2, (std::vector<std::uint16_t>{3, 9}));

  write_batch d;
  d.delete_subscription("c1", "a/#");
  d.delete_inbound_qos2("c1", 3);
  d.delete_inbound_qos2("c1", 1000);  // absent: a no-op
  this->commit_ok(std::move(d));
  const recovered_state after = this->reopen();
  ASSERT_EQ(after.sessions.size(), 1u);
  EXPECT_EQ(after.sessions[0].subscriptions.size(), 1u);
  EXPECT_EQ(after.sessions[0].inbound_qos2, (std::vector<std::uint16_t>{9}));
}

TYPED_TEST(store_contract, queue_in_sequence_order_with_states) {
  write_batch b = this->session_with("c");
  b.put_message(make_message(1, "t", "one"));
  for (std::uint64_t seq : {300, 2, 70000}) b.put_queue_entry(make_entry("c", seq, 1));
  this->commit_ok(std::move(b));

  write_batch u;  // the first entry is sent, then PUBREC'd
  queue_entry e = make_entry("c", 2, 1);
  e.state = entry_state::inflight_pubrel;
  e.packet_id = 17;
  e.qos_level = protocol::qos::exactly_once;
  e.subscription_ids = {5};
  u.put_queue_entry(e);
  this->commit_ok(std::move(u));

  const recovered_state st = this->reopen();
  ASSERT_EQ(st.sessions.size(), 1u);
  const auto& q = st.sessions[0].queue;
  ASSERT_EQ(q.size(), 3u);
  EXPECT_EQ(q[0].sequence, 2u);
  EXPECT_EQ(q[1].sequence, 300u);
  EXPECT_EQ(q[2].sequence, 70000u);
  EXPECT_EQ(dump(q[0]), dump(e));
  ASSERT_EQ(st.messages.size(), 1u);
  EXPECT_EQ(dump(st.messages.at(1)), dump(make_message(1, "t", "one")));
  EXPECT_EQ(st.max_message_id, 1u);
}

TYPED_TEST(store_contract, message_is_stored_once_and_goes_with_its_last_reference) {
  write_batch b;
  for (const char* c : {"a", "b", "c"}) b.put_session(make_session(c));
  b.put_message(make_message(7, "fan/out", "shared"));
  for (const char* c : {"a", "b", "c"}) b.put_queue_entry(make_entry(c, 1, 7));
  this->commit_ok(std::move(b));
  EXPECT_EQ(this->reopen().messages.size(), 1u);

  write_batch d1;
  d1.delete_queue_entry("a", 1);
  this->commit_ok(std::move(d1));
  EXPECT_EQ(this->reopen().messages.count(7), 1u);

  write_batch d2;
  d2.delete_session("b");  // drops its reference too
  this->commit_ok(std::move(d2));
  EXPECT_EQ(this->reopen().messages.count(7), 1u);

  write_batch d3;
  d3.delete_queue_entry("c", 1);
  this->commit_ok(std::move(d3));
  const recovered_state st = this->reopen();
  EXPECT_TRUE(st.messages.empty());
  EXPECT_EQ(st.sessions.size(), 2u);
}

TYPED_TEST(store_contract, replacing_an_entry_moves_its_reference) {
  write_batch b = this->session_with("c");
  b.put_message(make_message(1, "t", "old"));
  b.put_message(make_message(2, "t", "new"));
  b.put_queue_entry(make_entry("c", 1, 1));
  b.put_queue_entry(make_entry("c", 1, 2));  // same slot, other message: 1 is now unreferenced
  this->commit_ok(std::move(b));
  const recovered_state st = this->reopen();
  EXPECT_EQ(st.messages.count(1), 0u);
  EXPECT_EQ(st.messages.count(2), 1u);
}

TYPED_TEST(store_contract, unreferenced_message_is_not_stored) {
  write_batch b = this->session_with("c");
  b.put_message(make_message(1, "t", "nobody"));
  this->commit_ok(std::move(b));
  EXPECT_TRUE(this->reopen().messages.empty());
}

TYPED_TEST(store_contract, a_message_can_be_reused_within_a_batch) {
  write_batch b = this->session_with("c");
  b.put_message(make_message(1, "t", "m"));
  b.put_queue_entry(make_entry("c", 1, 1));
  this->commit_ok(std::move(b));
  write_batch m;  // moving the only reference from entry 1 to entry 2
  m.delete_queue_entry("c", 1);
  m.put_queue_entry(make_entry("c", 2, 1));
  this->commit_ok(std::move(m));
  const recovered_state st = this->reopen();
  EXPECT_EQ(st.messages.count(1), 1u);
  ASSERT_EQ(st.sessions.size(), 1u);
  ASSERT_EQ(st.sessions[0].queue.size(), 1u);
  EXPECT_EQ(st.sessions[0].queue[0].sequence, 2u);
}

TYPED_TEST(store_contract, delete_session_removes_exactly_that_client) {
  const std::vector<std::string> ids = {"a", "ab", std::string("a\xff", 2), std::string("\x00", 1)};
  write_batch b;
  b.put_message(make_message(1, "t", "m"));
  for (const auto& c : ids) {
    b.put_session(make_session(c));
    b.put_subscription(make_subscription(c, "x/y"));
    b.put_queue_entry(make_entry(c, 1, 1));
    b.put_inbound_qos2(c, 1);
  }
  this->commit_ok(std::move(b));
  for (const auto& gone : ids) {
    write_batch d;
    d.delete_session(gone);
    this->commit_ok(std::move(d));
    const recovered_state st = this->reopen();
    for (const auto& c : st.sessions) {
      EXPECT_NE(c.session.client_id, gone);
      EXPECT_EQ(c.subscriptions.size(), 1u);
      EXPECT_EQ(c.queue.size(), 1u);
      EXPECT_EQ(c.inbound_qos2.size(), 1u);
    }
  }
  EXPECT_TRUE(this->reopen().messages.empty());
}

TYPED_TEST(store_contract, clean_start_is_delete_then_put_in_one_batch) {
  write_batch b = this->session_with("c");
  b.put_subscription(make_subscription("c", "old"));
  this->commit_ok(std::move(b));
  write_batch c;
  c.delete_session("c");
  c.put_session(make_session("c", 10));
  c.put_subscription(make_subscription("c", "new"));
  this->commit_ok(std::move(c));
  const recovered_state st = this->reopen();
  ASSERT_EQ(st.sessions.size(), 1u);
  EXPECT_EQ(st.sessions[0].session.expiry_interval, 10u);
  ASSERT_EQ(st.sessions[0].subscriptions.size(), 1u);
  EXPECT_EQ(st.sessions[0].subscriptions[0].filter, "new");
}

TYPED_TEST(store_contract, invalid_batch_applies_nothing) {
  write_batch ok = this->session_with("c");
  this->commit_ok(std::move(ok));
  const std::string before = dump(this->reopen());

  write_batch no_message;
  no_message.put_subscription(make_subscription("c", "f"));
  no_message.put_queue_entry(make_entry("c", 1, 99));
  auto e = commit_wait(*this->st_, std::move(no_message));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, store_error_code::invalid_batch);

  write_batch no_session;
  no_session.put_retained(make_message(1, "r", "x"));
  no_session.put_subscription(make_subscription("nobody", "f"));
  e = commit_wait(*this->st_, std::move(no_session));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, store_error_code::invalid_batch);

  write_batch deleted_first;
  deleted_first.delete_session("c");
  deleted_first.put_inbound_qos2("c", 1);
  e = commit_wait(*this->st_, std::move(deleted_first));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, store_error_code::invalid_batch);

  EXPECT_EQ(dump(this->reopen()), before);
  write_batch later = this->session_with("d");  // the store still works
  this->commit_ok(std::move(later));
}

TYPED_TEST(store_contract, retained_put_replace_delete) {
  write_batch b;
  message_record m = make_message(5, "r/1", "first");
  m.retain = true;
  m.props = full_properties();
  b.put_retained(m);
  b.put_retained(make_message(6, "r/2", "x"));
  this->commit_ok(std::move(b));
  write_batch r;
  r.put_retained(make_message(8, "r/1", "second"));
  r.delete_retained("r/2");
  this->commit_ok(std::move(r));
  const recovered_state st = this->reopen();
  ASSERT_EQ(st.retained.size(), 1u);
  EXPECT_EQ(dump(st.retained[0]), dump(make_message(8, "r/1", "second")));
  EXPECT_EQ(st.max_message_id, 8u);
}

TYPED_TEST(store_contract, concurrent_commits_all_complete_off_the_caller_thread) {
  constexpr int threads = 4;
  constexpr int per_thread = 200;
  write_batch b;
  for (int t = 0; t < threads; ++t) b.put_session(make_session("c" + std::to_string(t)));
  this->commit_ok(std::move(b));
  std::atomic<int> done{0};
  std::atomic<int> on_caller{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      const std::string c = "c" + std::to_string(t);
      const auto me = std::this_thread::get_id();
      for (int i = 0; i < per_thread; ++i) {
        write_batch w;
        const std::uint64_t id = static_cast<std::uint64_t>(t) * 1000 + static_cast<std::uint64_t>(i) + 1;
        w.put_message(make_message(id, "t", "p"));
        w.put_queue_entry(make_entry(c, static_cast<std::uint64_t>(i), id));
        this->st_->commit(std::move(w), [&, me](const std::optional<store_error>& e) {
          EXPECT_FALSE(e);
          if (std::this_thread::get_id() == me) ++on_caller;
          ++done;
        });
      }
    });
  }
  for (auto& w : workers) w.join();
  EXPECT_FALSE(this->st_->flush());
  EXPECT_EQ(done.load(), threads * per_thread);
  EXPECT_EQ(on_caller.load(), 0);
  const recovered_state st = this->reopen();
  ASSERT_EQ(st.sessions.size(), static_cast<std::size_t>(threads));
  for (const auto& s : st.sessions) {
    ASSERT_EQ(s.queue.size(), static_cast<std::size_t>(per_thread));
    // One thread's commits keep their order: sequence i holds message i+1.
    for (std::size_t i = 0; i < s.queue.size(); ++i) EXPECT_EQ(s.queue[i].message_id % 1000, i + 1);
  }
  EXPECT_EQ(st.messages.size(), static_cast<std::size_t>(threads * per_thread));
}

TYPED_TEST(store_contract, every_durability_level_commits) {
  for (durability level : {durability::sync, durability::batched, durability::none}) {
    this->st_.reset();
    this->options_.level = level;
    this->options_.flush_interval = std::chrono::milliseconds(5);
    this->st_ = TypeParam::open(this->dir_.path(), this->options_);
    load_ok(*this->st_);
    write_batch b;
    b.put_session(make_session("level" + std::to_string(int(level))));
    this->commit_ok(std::move(b));
  }
  const recovered_state st = this->reopen();
  EXPECT_EQ(st.sessions.size(), TypeParam::persistent ? 3u : 1u);
}

TYPED_TEST(store_contract, commit_after_close_fails_with_closed) {
  this->st_->close();
  bool called = false;
  write_batch b = this->session_with("c");
  this->st_->commit(std::move(b), [&](const std::optional<store_error>& e) {
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code, store_error_code::closed);
    called = true;
  });
  EXPECT_TRUE(called);
}

TYPED_TEST(store_contract, stats_count_batches_groups_and_failures) {
  const store_stats before = this->st_->stats();
  for (int i = 0; i < 5; ++i) this->commit_ok(this->session_with("c" + std::to_string(i)));
  write_batch bad;
  bad.put_inbound_qos2("nobody", 1);
  EXPECT_TRUE(commit_wait(*this->st_, std::move(bad)));
  ASSERT_FALSE(this->st_->flush());
  const store_stats after = this->st_->stats();
  EXPECT_EQ(after.batches - before.batches, 5u);
  EXPECT_EQ(after.failed - before.failed, 1u);
  EXPECT_GE(after.groups - before.groups, 1u);
  EXPECT_GE(after.syncs - before.syncs, 1u);
  EXPECT_EQ(after.queued, 0u);
}

TYPED_TEST(store_contract, load_after_close_does_not_crash) {
  this->st_->close();
  auto r = this->st_->load();
  if (TypeParam::persistent) {
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, store_error_code::closed);
  }
  (void)this->st_->flush();
}

}  // namespace
}  // namespace gridmq::store::test
