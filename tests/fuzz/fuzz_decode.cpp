// libFuzzer target for the codec: cuts the input into frames with
// next_frame() and decodes each frame as every protocol version. Whatever
// decodes must re-encode, decode again to an equal packet, and re-encode to
// the same bytes. Any difference, and any sanitizer report, is a finding
// (abort); decode errors are expected and fine.
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>

#include "protocol/codec.hpp"
#include "protocol/packet_equal.hpp"

namespace {

using namespace gridmq::protocol;

constexpr std::uint32_t max_packet_size = 1u << 20;

[[noreturn]] void finding(const char* what, std::span<const std::uint8_t> input, protocol_version v) {
  std::fprintf(stderr, "fuzz_decode finding: %s (version %d, %zu bytes):", what, static_cast<int>(v), input.size());
  for (std::uint8_t b : input) std::fprintf(stderr, " %02X", b);
  std::fprintf(stderr, "\n");
  std::abort();
}

std::span<const std::uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// The broker's in-place PUBLISH decoder must accept exactly what decode()
// accepts, with the same fields, and fail with the same reason code.
void check_in_place(std::span<const std::uint8_t> whole, protocol_version v,
                    const gridmq::result<packet, decode_error>& first) {
  if (whole.empty() || (whole[0] >> 4) != static_cast<std::uint8_t>(packet_type::publish)) return;
  publish_in in;
  decode_error error;
  const bool ok = decode_publish(whole, v, in, error);
  const auto* p = first ? std::get_if<publish>(&*first) : nullptr;
  if (ok != (p != nullptr)) finding("decode_publish in place disagrees with decode", whole, v);
  if (!ok) {
    if (error.code != first.error().code) finding("decode_publish in place fails with another code", whole, v);
    return;
  }
  if (in.topic != p->topic || in.payload != *p->payload || in.packet_id != p->packet_id ||
      in.qos_level != p->qos_level || in.dup != p->dup || in.retain != p->retain || !(in.props == p->props)) {
    finding("decode_publish in place gives other fields", whole, v);
  }
}

void check_round_trip(std::span<const std::uint8_t> whole, protocol_version v) {
  const auto first = decode(whole, v);
  check_in_place(whole, v, first);
  if (!first) {
    if (first.error().what.empty()) finding("decode error without a rule", whole, v);
    return;
  }
  // A CONNECT carries its own version; everything else uses the connection's.
  const auto* c = std::get_if<connect>(&*first);
  const protocol_version ev = c != nullptr ? c->version : v;
  std::string wire;
  encode(*first, ev, wire);
  const auto f = next_frame(bytes_of(wire), max_packet_size * 2);
  if (f.status != frame_status::complete || f.f.total() != wire.size()) finding("bad frame from encoder", whole, v);
  const auto second = decode(bytes_of(wire), ev);
  if (!second) finding("re-encoded packet does not decode", whole, v);
  if (!equal_content(*first, *second)) finding("decode(encode(p)) != p", whole, v);
  std::string again;
  encode(*second, ev, again);
  if (again != wire) finding("encoding is not stable", whole, v);
  if (const auto* p = std::get_if<publish>(&*first)) {
    std::string header;
    encode_publish_header(*p, ev, header);
    if (header.size() != publish_header_size(*p, ev)) finding("publish_header_size is wrong", whole, v);
    header += *p->payload;
    if (header != wire) finding("encode_publish_header + payload != encode", whole, v);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::uint8_t> rest(data, size);
  constexpr protocol_version versions[] = {protocol_version::v31, protocol_version::v311, protocol_version::v5};
  // The whole input as one packet: exercises length mismatches.
  for (protocol_version v : versions) check_round_trip(rest, v);
  while (!rest.empty()) {
    const frame_result r = next_frame(rest, max_packet_size);
    if (r.status == frame_status::error && r.error.what.empty()) finding("frame error without a rule", rest, versions[0]);
    if (r.status != frame_status::complete) break;
    const auto whole = rest.first(r.f.total());
    for (protocol_version v : versions) check_round_trip(whole, v);
    rest = rest.subspan(r.f.total());
  }
  return 0;
}
