#include "common/batch_codec.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

namespace fedreg {
namespace {

using google::protobuf::io::CodedOutputStream;
using google::protobuf::internal::WireFormatLite;

void AppendVarint(uint64_t v, std::string* out) {
  uint8_t buf[10];
  uint8_t* end = CodedOutputStream::WriteVarint64ToArray(v, buf);
  out->append(reinterpret_cast<const char*>(buf), static_cast<size_t>(end - buf));
}

// Field numbers of sync.proto, checked against the generated code at compile time.
constexpr int kBatchFirstSeq = 1, kBatchLastSeq = 2, kBatchEvents = 3, kEventCommittedUs = 7;
static_assert(v1::Batch::kFirstSeqFieldNumber == kBatchFirstSeq);
static_assert(v1::Batch::kLastSeqFieldNumber == kBatchLastSeq);
static_assert(v1::Batch::kEventsFieldNumber == kBatchEvents);
static_assert(v1::ChangeEvent::kCommittedUnixUsFieldNumber == kEventCommittedUs);

}  // namespace

void AppendBatchEvent(std::string_view event_bytes, int64_t committed_unix_us, std::string* batch_bytes) {
  std::string stamp;
  if (committed_unix_us > 0) {
    AppendVarint(WireFormatLite::MakeTag(kEventCommittedUs, WireFormatLite::WIRETYPE_VARINT), &stamp);
    AppendVarint(static_cast<uint64_t>(committed_unix_us), &stamp);
  }
  AppendVarint(WireFormatLite::MakeTag(kBatchEvents, WireFormatLite::WIRETYPE_LENGTH_DELIMITED), batch_bytes);
  AppendVarint(event_bytes.size() + stamp.size(), batch_bytes);
  batch_bytes->append(event_bytes);
  batch_bytes->append(stamp);
}

void AppendBatchRange(uint64_t first_seq, uint64_t last_seq, std::string* batch_bytes) {
  AppendVarint(WireFormatLite::MakeTag(kBatchFirstSeq, WireFormatLite::WIRETYPE_VARINT), batch_bytes);
  AppendVarint(first_seq, batch_bytes);
  AppendVarint(WireFormatLite::MakeTag(kBatchLastSeq, WireFormatLite::WIRETYPE_VARINT), batch_bytes);
  AppendVarint(last_seq, batch_bytes);
}

BatchPacker::BatchPacker(int level) : cctx_(ZSTD_createCCtx()), level_(level) {}

absl::Status BatchPacker::Pack(std::string_view batch_bytes, std::string* packed) {
  if (!cctx_) return absl::InternalError("zstd: no compression context (out of memory)");
  packed->resize(ZSTD_compressBound(batch_bytes.size()));
  const size_t n =
      ZSTD_compressCCtx(cctx_.get(), packed->data(), packed->size(), batch_bytes.data(), batch_bytes.size(), level_);
  if (ZSTD_isError(n)) return absl::InternalError(std::string("zstd: ") + ZSTD_getErrorName(n));
  packed->resize(n);
  return absl::OkStatus();
}

absl::Status UnpackBatch(v1::BatchCodec codec, std::string_view packed, size_t max_bytes, v1::Batch* batch,
                         size_t* unpacked_bytes, std::string* scratch) {
  batch->Clear();
  *unpacked_bytes = 0;
  if (codec != v1::BATCH_CODEC_ZSTD)
    return absl::InvalidArgumentError("packed batch in codec " + std::to_string(static_cast<int>(codec)) +
                                      ", which this centre does not know (it offers zstd at Hello)");
  const unsigned long long size = ZSTD_getFrameContentSize(packed.data(), packed.size());
  if (size == ZSTD_CONTENTSIZE_ERROR)
    return absl::InvalidArgumentError("packed batch is not a zstd frame");
  if (size == ZSTD_CONTENTSIZE_UNKNOWN)
    return absl::InvalidArgumentError("packed batch's zstd frame does not record its content size");
  if (size > max_bytes)
    return absl::ResourceExhaustedError("packed batch unpacks to " + std::to_string(size) +
                                        " bytes, above the limit of " + std::to_string(max_bytes) +
                                        " given at Hello");
  struct FreeDctx {
    void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
  };
  thread_local std::unique_ptr<ZSTD_DCtx, FreeDctx> dctx(ZSTD_createDCtx());
  if (!dctx) return absl::InternalError("zstd: no decompression context (out of memory)");
  std::string own;
  std::string& bytes = scratch ? *scratch : own;
  bytes.resize(static_cast<size_t>(size));
  const size_t n = ZSTD_decompressDCtx(dctx.get(), bytes.data(), bytes.size(), packed.data(), packed.size());
  if (ZSTD_isError(n))
    return absl::InvalidArgumentError(std::string("packed batch does not decompress: ") + ZSTD_getErrorName(n));
  if (n != bytes.size())
    return absl::InvalidArgumentError("packed batch decompresses to " + std::to_string(n) +
                                      " bytes, not the " + std::to_string(bytes.size()) + " its frame records");
  if (!batch->ParseFromString(bytes)) return absl::InvalidArgumentError("packed batch's content is not a Batch");
  *unpacked_bytes = bytes.size();
  return absl::OkStatus();
}

}  // namespace fedreg
