#include "latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace gridmq::bench {

latency_histogram::latency_histogram() : buckets_(bucket_count, 0) {}

std::size_t latency_histogram::index_of(std::uint64_t ns) noexcept {
  if (ns < sub_count) return static_cast<std::size_t>(ns);
  const unsigned msb = static_cast<unsigned>(std::bit_width(ns)) - 1;  // >= sub_bits
  const unsigned group = msb - sub_bits + 1;
  const std::uint64_t top = ns >> (msb - sub_bits);  // in [sub_count, 2 * sub_count)
  return group * sub_count + static_cast<std::size_t>(top - sub_count);
}

std::uint64_t latency_histogram::value_of(std::size_t index) noexcept {
  if (index < sub_count) return index;
  const std::size_t group = index / sub_count;
  const std::uint64_t top = index % sub_count + sub_count;
  const std::uint64_t low = top << (group - 1);
  // The middle of the bucket: half its width above the lower bound.
  return low + ((std::uint64_t{1} << (group - 1)) >> 1);
}

void latency_histogram::record(std::uint64_t ns) noexcept {
  ++buckets_[index_of(ns)];
  ++count_;
  sum_ += ns;
  max_ = std::max(max_, ns);
}

void latency_histogram::merge(const latency_histogram& other) noexcept {
  for (std::size_t i = 0; i < bucket_count; ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  max_ = std::max(max_, other.max_);
}

void latency_histogram::reset() noexcept {
  std::fill(buckets_.begin(), buckets_.end(), 0);
  count_ = sum_ = max_ = 0;
}

std::uint64_t latency_histogram::quantile(double q) const noexcept {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  // The rank of the sample at q, counted from 1 (nearest-rank method).
  const auto rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_))));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < bucket_count; ++i) {
    seen += buckets_[i];
    if (seen >= rank) return std::min(value_of(i), max_);
  }
  return max_;
}

}  // namespace gridmq::bench
