// The Push stream's packed batches (proto/fedreg/v1/sync.proto, BatchCodec):
// the agent builds a Batch's bytes from its outbox entries' stored bytes,
// without parsing them, and compresses them as one Zstandard frame (RFC 8878);
// the centre unpacks them into a Batch. Used by fedreg-agent's sender and the
// centre's Push handler; tests use both ends.
#pragma once

#include <zstd.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "fedreg/v1/sync.pb.h"

namespace fedreg {

// Appends one element of Batch.events (field 3) to `batch_bytes`: a
// ChangeEvent's serialized bytes as stored in the outbox. When
// committed_unix_us > 0 it is appended to the event as its field 7: a parser
// keeps the last value of a singular scalar field it meets twice (protobuf
// encoding guide, "Last One Wins"), so it replaces the stamp stored with the
// event.
void AppendBatchEvent(std::string_view event_bytes, int64_t committed_unix_us, std::string* batch_bytes);

// Appends Batch.first_seq and Batch.last_seq (fields 1 and 2; a message's
// fields may come in any order on the wire).
void AppendBatchRange(uint64_t first_seq, uint64_t last_seq, std::string* batch_bytes);

// The most bytes the Batch's framing adds: around each event (its tag, a
// length of up to 5 bytes and a commit time of up to 11) and once for the
// range (two tags and 10-byte varints). The outbox reader counts them, so a
// batch it fills up to the centre's max_batch_bytes is within it as sent,
// packed or parsed (a parsed event's stamp is replaced in place: no larger).
inline constexpr size_t kBatchEventFramingBytes = 1 + 5 + 1 + 10;
inline constexpr size_t kBatchRangeFramingBytes = 2 * (1 + 10);

// Compresses Batch bytes for PushRequest.packed_batch. One per sending
// thread (it keeps its compression context); not thread-safe.
class BatchPacker {
 public:
  // Zstandard level 1 by default: on the outbox's serialized cases it
  // compresses 2.87:1 at about 350 MB/s on the bench machine, where gzip
  // (gRPC's, zlib level 6) gives 2.75:1 at 41 MB/s (bench/README.md).
  explicit BatchPacker(int level = 1);
  // Replaces *packed with `batch_bytes` compressed (the frame records its
  // content size). INTERNAL if zstd fails (out of memory).
  absl::Status Pack(std::string_view batch_bytes, std::string* packed);

 private:
  struct FreeCctx {
    void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
  };
  std::unique_ptr<ZSTD_CCtx, FreeCctx> cctx_;
  int level_;
};

// Unpacks PushRequest.packed_batch into *batch (cleared first) and sets
// *unpacked_bytes to the Batch's serialized size. INVALID_ARGUMENT when the
// codec is not one this build knows, the bytes are not one zstd frame that
// records its content size and decompresses to exactly it, or the content is
// not a Batch; RESOURCE_EXHAUSTED when the content size is above `max_bytes`
// (checked from the frame header, before any memory is taken). Thread-safe
// (a decompression context per thread). `scratch`, when given, holds the
// unpacked bytes: a caller unpacking many batches (a Push stream) passes the
// same one, so its memory is reused, not reallocated. *batch may be on an arena.
absl::Status UnpackBatch(v1::BatchCodec codec, std::string_view packed, size_t max_bytes, v1::Batch* batch,
                         size_t* unpacked_bytes, std::string* scratch = nullptr);

}  // namespace fedreg
