#include "store/rocksdb_store.hpp"

#include <rocksdb/db.h>
#include <rocksdb/iterator.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <type_traits>
#include <utility>

#include "store/commit_pipeline.hpp"
#include "store/record_codec.hpp"
#include "store/record_keys.hpp"
#include "store/recovery_builder.hpp"
#include "store/reference_index.hpp"
#include "store/rocksdb_open.hpp"

namespace gridmq::store {

namespace {

// Everything of one client lives under these prefixes (besides its session key).
constexpr key_kind client_kinds[] = {key_kind::subscription, key_kind::queue_entry, key_kind::inbound_qos2};

class rocksdb_store final : public store, private commit_pipeline::backend {
 public:
  rocksdb_store(std::unique_ptr<rocksdb::DB> db, std::string path, const store_options& options)
      : options_(options), path_(std::move(path)), db_(std::move(db)), pipeline_(*this, options_) {}
  ~rocksdb_store() override { close(); }

  result<recovered_state, store_error> load(const load_progress_fn& progress) override {
    std::optional<result<recovered_state, store_error>> out;
    pipeline_.run([&] { out.emplace(read_all(progress)); });
    return std::move(*out);
  }
  void commit(write_batch&& batch, commit_callback done) override { pipeline_.submit(std::move(batch), std::move(done)); }
  std::optional<store_error> flush() override { return pipeline_.flush(); }
  void close() override {
    pipeline_.stop();
    if (db_) {
      db_->Close();
      db_.reset();
    }
  }
  const store_options& options() const noexcept override { return options_; }
  store_stats stats() const noexcept override { return pipeline_.stats(); }

 private:
  std::optional<store_error> write_group(std::vector<commit_pipeline::pending>& group,
                                         std::vector<std::optional<store_error>>& results, bool sync) override;
  std::optional<store_error> sync() override;
  void translate(const write_batch& batch, reference_index::message_changes& changes, rocksdb::WriteBatch& out);
  result<recovered_state, store_error> read_all(const load_progress_fn& progress);
  store_error io_error(const char* what, const rocksdb::Status& s) const {
    return store_error{store_error_code::io, "store at " + path_ + ": " + what + ": " + s.ToString()};
  }

  const store_options options_;
  const std::string path_;
  std::unique_ptr<rocksdb::DB> db_;
  // Writer thread only.
  bool loaded_ = false;
  reference_index index_;
  std::vector<std::uint64_t> unreferenced_;  // found by load, deleted by the next write
  commit_pipeline pipeline_;  // last: its thread uses the members above
};

std::optional<store_error> rocksdb_store::write_group(std::vector<commit_pipeline::pending>& group,
                                                      std::vector<std::optional<store_error>>& results, bool sync) {
  rocksdb::WriteBatch wb;
  for (std::size_t i = 0; i < group.size(); ++i) {
    if (!loaded_) {
      results[i] = store_error{store_error_code::not_loaded, "commit before load()"};
    } else if (auto why = index_.check(group[i].batch)) {
      results[i] = store_error{store_error_code::invalid_batch, std::move(*why)};
    } else {
      reference_index::message_changes changes = index_.apply(group[i].batch);
      translate(group[i].batch, changes, wb);
    }
  }
  for (const std::uint64_t id : unreferenced_) wb.Delete(message_key(id));
  unreferenced_.clear();
  if (wb.Count() == 0) return std::nullopt;
  rocksdb::WriteOptions wo;
  wo.sync = sync;
  // One Write of the whole group: RocksDB applies a WriteBatch atomically,
  // also across a crash (the WAL record of a torn write fails its checksum
  // and recovery stops before it).
  const rocksdb::Status s = db_->Write(wo, &wb);
  if (!s.ok()) return io_error("write failed", s);
  return std::nullopt;
}

std::optional<store_error> rocksdb_store::sync() {
  if (!db_) return std::nullopt;
  const rocksdb::Status s = db_->SyncWAL();
  if (!s.ok()) return io_error("fsync of the write-ahead log failed", s);
  return std::nullopt;
}

// The length of the run of delete_queue_entry ops at ops[i] for one client
// with consecutive sequences (a drain acknowledges in order).
std::size_t delete_run(const std::vector<operation>& ops, std::size_t i) {
  const auto* first = std::get_if<op::delete_queue_entry>(&ops[i]);
  if (first == nullptr) return 0;
  std::size_t n = 1;
  while (i + n < ops.size()) {
    const auto* d = std::get_if<op::delete_queue_entry>(&ops[i + n]);
    if (d == nullptr || d->client_id != first->client_id || d->sequence != first->sequence + n) break;
    ++n;
  }
  return n;
}

// Runs at least this long become one range deletion: one memtable insert
// instead of one per key (each insert was most of the writer's time in a
// drain). Every key in such a range is being deleted, so the range removes
// exactly those; it covers only writes made before it.
constexpr std::size_t min_range = 4;

// The start of a range deletion that begins right after `key_before`: the
// key plus one zero byte. No record key lies between the two (keys of a
// kind have a fixed shape), and the odd length keeps range deletions out of
// the memtable insert hint (rocksdb_open.cpp), which RocksDB 7.8 would
// otherwise share between point and range-deletion memtables.
std::string range_begin(std::string key_before) {
  key_before.push_back('\0');
  return key_before;
}

void delete_messages(std::vector<std::uint64_t>& ids, rocksdb::WriteBatch& out) {
  std::sort(ids.begin(), ids.end());
  for (std::size_t i = 0; i < ids.size();) {
    std::size_t n = 1;
    while (i + n < ids.size() && ids[i + n] == ids[i] + n) ++n;
    if (n >= min_range && ids[i] != 0 && ids[i] + n != 0) {
      out.DeleteRange(range_begin(message_key(ids[i] - 1)), message_key(ids[i] + n));
    } else {
      for (std::size_t k = 0; k < n; ++k) out.Delete(message_key(ids[i + k]));
    }
    i += n;
  }
}

void rocksdb_store::translate(const write_batch& batch, reference_index::message_changes& changes,
                              rocksdb::WriteBatch& out) {
  const std::vector<operation>& ops = batch.operations();
  for (std::size_t i = 0; i < ops.size(); ++i) {
    if (const std::size_t run = delete_run(ops, i); run >= min_range && std::get<op::delete_queue_entry>(ops[i]).sequence != 0) {
      const auto& first = std::get<op::delete_queue_entry>(ops[i]);
      out.DeleteRange(range_begin(queue_key(first.client_id, first.sequence - 1)),
                      queue_key(first.client_id, first.sequence + run));
      i += run - 1;
      continue;
    }
    const operation& o = ops[i];
    std::visit(
        [&](const auto& x) {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, op::put_session>) {
            out.Put(session_key(x.record.client_id), encode_session(x.record));
          } else if constexpr (std::is_same_v<T, op::delete_session>) {
            out.Delete(session_key(x.client_id));
            // Range deletes: the writer cannot list the client's keys, since
            // earlier batches of this group are not in the database yet.
            for (const key_kind k : client_kinds) {
              const std::string begin = client_prefix(k, x.client_id);
              out.DeleteRange(begin, prefix_end(begin));
            }
          } else if constexpr (std::is_same_v<T, op::put_subscription>) {
            out.Put(subscription_key(x.record.client_id, x.record.filter), encode_subscription(x.record));
          } else if constexpr (std::is_same_v<T, op::delete_subscription>) {
            out.Delete(subscription_key(x.client_id, x.filter));
          } else if constexpr (std::is_same_v<T, op::put_message>) {
            if (changes.to_write.erase(x.record.id)) out.Put(message_key(x.record.id), encode_message(x.record));
          } else if constexpr (std::is_same_v<T, op::put_queue_entry>) {
            out.Put(queue_key(x.entry.client_id, x.entry.sequence), encode_queue_entry(x.entry));
          } else if constexpr (std::is_same_v<T, op::delete_queue_entry>) {
            out.Delete(queue_key(x.client_id, x.sequence));
          } else if constexpr (std::is_same_v<T, op::put_inbound_qos2>) {
            out.Put(inbound_qos2_key(x.record.client_id, x.record.packet_id), encode_inbound_qos2());
          } else if constexpr (std::is_same_v<T, op::delete_inbound_qos2>) {
            out.Delete(inbound_qos2_key(x.client_id, x.packet_id));
          } else if constexpr (std::is_same_v<T, op::put_retained>) {
            out.Put(retained_key(x.record.message.topic), encode_retained(x.record.message));
          } else if constexpr (std::is_same_v<T, op::delete_retained>) {
            out.Delete(retained_key(x.topic));
          }
        },
        o);
  }
  delete_messages(changes.to_erase, out);
}

result<recovered_state, store_error> rocksdb_store::read_all(const load_progress_fn& progress) {
  if (!db_) return unexpected(store_error{store_error_code::closed, "store at " + path_ + " is closed"});
  const auto start = std::chrono::steady_clock::now();
  auto next_report = start + std::chrono::seconds(1);
  load_progress p;
  recovery_builder builder;
  rocksdb::ReadOptions ro;
  ro.verify_checksums = true;
  ro.fill_cache = false;
  ro.readahead_size = 2 * 1024 * 1024;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
  const auto corrupt = [&](const std::string& why) {
    return store_error{store_error_code::corrupt, "store at " + path_ + ": " + why +
                                                      "; nothing was changed (restore a backup, or move the "
                                                      "directory away to start empty)"};
  };
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const rocksdb::Slice k = it->key();
    const rocksdb::Slice v = it->value();
    if (auto why = builder.add(std::string_view(k.data(), k.size()), std::string_view(v.data(), v.size()))) {
      return unexpected(corrupt(*why));
    }
    ++p.records;
    p.bytes += k.size() + v.size();
    if (progress && (p.records & 0x3FF) == 0 && std::chrono::steady_clock::now() >= next_report) {
      p.elapsed = std::chrono::steady_clock::now() - start;
      progress(p);
      next_report += std::chrono::seconds(1);
    }
  }
  if (!it->status().ok()) {
    if (it->status().IsCorruption()) return unexpected(corrupt(it->status().ToString()));
    return unexpected(io_error("read failed", it->status()));
  }
  it.reset();
  auto state = builder.finish(index_, unreferenced_);
  if (!state) return unexpected(corrupt(state.error()));
  loaded_ = true;
  if (progress) {
    p.elapsed = std::chrono::steady_clock::now() - start;
    p.done = true;
    progress(p);
  }
  return std::move(*state);
}

}  // namespace

result<std::unique_ptr<store>, store_error> open_rocksdb_store(const std::filesystem::path& dir,
                                                               const store_options& options) {
  auto db = open_rocksdb(dir);
  if (!db) return unexpected(db.error());
  return std::unique_ptr<store>(std::make_unique<rocksdb_store>(std::move(*db), dir.string(), options));
}

}  // namespace gridmq::store
