// The Push stream's packed batches (common/batch_codec.h): the bytes built
// from stored events are the Batch protobuf would serialize, the stamp
// appended replaces the stored one, and the centre's unpacking refuses every
// malformed input before taking memory for it.
#include "common/batch_codec.h"

#include <gtest/gtest.h>
#include <google/protobuf/util/message_differencer.h>
#include <zstd.h>

#include "tests/unit/test_case.h"

namespace fedreg {
namespace {

using google::protobuf::util::MessageDifferencer;

v1::ChangeEvent EventOf(uint64_t seq, const std::string& suffix, int64_t stamp) {
  v1::ChangeEvent ev;
  ev.set_seq(seq);
  ev.set_kind(v1::CHANGE_KIND_UPSERT);
  *ev.mutable_case_() = testing::ValidCase("ncch", suffix);
  ev.set_case_id(ev.case_().case_id());
  ev.set_committed_unix_us(stamp);
  return ev;
}

// Three stored events; the second gets a commit time, the others keep theirs.
struct Built {
  v1::Batch expected;
  std::string bytes;
};
Built ThreeEvents() {
  Built b;
  b.expected.set_first_seq(7);
  b.expected.set_last_seq(9);
  const int64_t stamps[] = {1'700'000'000'000'001, 1'700'000'000'000'002, 0};
  const int64_t done[] = {0, 1'800'000'000'000'000, 0};
  for (int i = 0; i < 3; ++i) {
    v1::ChangeEvent stored = EventOf(7 + i, "000000000" + std::to_string(i + 1), stamps[i]);
    AppendBatchEvent(stored.SerializeAsString(), done[i], &b.bytes);
    if (done[i] > 0) stored.set_committed_unix_us(done[i]);
    *b.expected.add_events() = stored;
  }
  AppendBatchRange(7, 9, &b.bytes);
  return b;
}

TEST(BatchCodec, BytesBuiltFromStoredEventsParseAsTheBatchWithTheCommitTimeReplacingTheStoredStamp) {
  Built b = ThreeEvents();
  v1::Batch parsed;
  ASSERT_TRUE(parsed.ParseFromString(b.bytes));
  std::string diff;
  MessageDifferencer d;
  d.ReportDifferencesToString(&diff);
  EXPECT_TRUE(d.Compare(b.expected, parsed)) << diff;
  EXPECT_EQ(parsed.events(0).committed_unix_us(), 1'700'000'000'000'001) << "no commit time: the stored stamp stays";
  EXPECT_EQ(parsed.events(1).committed_unix_us(), 1'800'000'000'000'000);
  EXPECT_EQ(parsed.events(2).committed_unix_us(), 0);
}

TEST(BatchCodec, APackedBatchUnpacksToTheSameBatchAndItsSize) {
  Built b = ThreeEvents();
  BatchPacker packer;
  std::string packed;
  ASSERT_TRUE(packer.Pack(b.bytes, &packed).ok());
  EXPECT_LT(packed.size(), b.bytes.size());
  v1::Batch out;
  size_t n = 0;
  ASSERT_TRUE(UnpackBatch(v1::BATCH_CODEC_ZSTD, packed, 1 << 20, &out, &n).ok());
  EXPECT_TRUE(MessageDifferencer::Equals(b.expected, out));
  EXPECT_EQ(n, b.bytes.size());
  // The packer is reused batch after batch.
  ASSERT_TRUE(packer.Pack(b.bytes, &packed).ok());
  ASSERT_TRUE(UnpackBatch(v1::BATCH_CODEC_ZSTD, packed, b.bytes.size(), &out, &n).ok()) << "a limit equal to the size";
}

TEST(BatchCodec, UnpackingRefusesEachMalformedInputWithItsReason) {
  Built b = ThreeEvents();
  BatchPacker packer;
  std::string packed;
  ASSERT_TRUE(packer.Pack(b.bytes, &packed).ok());
  // A frame that does not record its content size.
  std::string unsized(ZSTD_compressBound(b.bytes.size()) + 64, '\0');
  {
    ZSTD_CCtx* c = ZSTD_createCCtx();
    ASSERT_EQ(ZSTD_CCtx_setParameter(c, ZSTD_c_contentSizeFlag, 0), 0u);
    ZSTD_outBuffer out{unsized.data(), unsized.size(), 0};
    ZSTD_inBuffer in{b.bytes.data(), b.bytes.size(), 0};
    ASSERT_EQ(ZSTD_compressStream2(c, &out, &in, ZSTD_e_end), 0u);
    unsized.resize(out.pos);
    ZSTD_freeCCtx(c);
  }
  std::string not_a_batch;
  ASSERT_TRUE(packer.Pack(std::string("\xff\xff\xff", 3), &not_a_batch).ok());
  std::string truncated = packed.substr(0, packed.size() - 3);
  struct Row {
    const char* what;
    v1::BatchCodec codec;
    std::string bytes;
    size_t limit;
    absl::StatusCode code;
    const char* says;
  } rows[] = {
      {"unknown codec", v1::BATCH_CODEC_UNSPECIFIED, packed, 1 << 20, absl::StatusCode::kInvalidArgument,
       "does not know"},
      {"not zstd", v1::BATCH_CODEC_ZSTD, b.bytes, 1 << 20, absl::StatusCode::kInvalidArgument, "not a zstd frame"},
      {"no content size", v1::BATCH_CODEC_ZSTD, unsized, 1 << 20, absl::StatusCode::kInvalidArgument,
       "content size"},
      {"above the limit", v1::BATCH_CODEC_ZSTD, packed, b.bytes.size() - 1, absl::StatusCode::kResourceExhausted,
       "above the limit"},
      {"truncated", v1::BATCH_CODEC_ZSTD, truncated, 1 << 20, absl::StatusCode::kInvalidArgument,
       "does not decompress"},
      {"not a Batch", v1::BATCH_CODEC_ZSTD, not_a_batch, 1 << 20, absl::StatusCode::kInvalidArgument,
       "not a Batch"},
  };
  for (const Row& row : rows) {
    v1::Batch out;
    *out.add_events() = EventOf(1, "0000000001", 0);  // cleared on every path
    size_t n = 123;
    absl::Status s = UnpackBatch(row.codec, row.bytes, row.limit, &out, &n);
    EXPECT_EQ(s.code(), row.code) << row.what << ": " << s;
    EXPECT_NE(s.message().find(row.says), std::string::npos) << row.what << ": " << s;
    EXPECT_EQ(out.events_size(), 0) << row.what;
    EXPECT_EQ(n, 0u) << row.what;
  }
}

}  // namespace
}  // namespace fedreg
