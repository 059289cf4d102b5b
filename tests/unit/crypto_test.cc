// common/crypto.h: the MACs and seals behind link tokens, reid keys and the
// reid table, through the fetched-once OpenSSL paths (design-notes.md).
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>

#include "common/crypto.h"

namespace fedreg::crypto {
namespace {

std::string OneShotHmac(const std::string& key, const std::string& data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), mac, &len);
  return std::string(reinterpret_cast<char*>(mac), len);
}

// FIPS 180-2, appendix B.1 ("abc"), and the empty message: the fetched-once
// digest behind the reconciliation digest (common/digest.h).
TEST(Crypto, Sha256GivesTheFipsAnswers) {
  EXPECT_EQ(ToHex(Sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(ToHex(Sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

// RFC 4231, test case 2.
TEST(Crypto, HmacSha256GivesTheRfc4231Answer) {
  EXPECT_EQ(ToHex(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

// More keys than the per-thread cache holds, interleaved: every MAC is the
// one-shot MAC of its own key (no state of another key is reused).
TEST(Crypto, HmacSha256KeepsManyKeysApart) {
  std::vector<std::string> keys;
  for (int i = 0; i < 7; ++i) keys.push_back(std::string(32, static_cast<char>('a' + i)));
  for (int round = 0; round < 3; ++round) {
    for (const auto& k : keys) {
      const std::string data = "record_number:" + std::to_string(round) + k.substr(0, 1);
      EXPECT_EQ(HmacSha256(k, data), OneShotHmac(k, data)) << "key " << k[0] << " round " << round;
    }
  }
}

TEST(Crypto, RandomBytesAreFreshOnEveryCallAndAnyLength) {
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) {
    auto r = RandomBytes(12);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->size(), 12u);
    EXPECT_TRUE(seen.insert(*r).second) << "a 12-byte value repeated";
  }
  auto big = RandomBytes(100000);
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->size(), 100000u);
  EXPECT_NE(big->substr(0, 32), big->substr(50000, 32));
}

// A forked child must not serve the bytes its parent will serve next (a
// repeated AES-GCM nonce would reveal both plaintexts' XOR).
TEST(Crypto, AForkedChildDrawsOtherRandomBytesThanItsParent) {
  ASSERT_TRUE(RandomBytes(12).ok());  // the parent's block is filled
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto r = RandomBytes(16);
    ssize_t n = r.ok() ? write(fds[1], r->data(), r->size()) : -1;
    _exit(n == 16 ? 0 : 1);
  }
  close(fds[1]);
  std::string child(16, '\0');
  ASSERT_EQ(read(fds[0], child.data(), child.size()), 16);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  auto parent = RandomBytes(16);
  ASSERT_TRUE(parent.ok());
  EXPECT_NE(*parent, child);
}

TEST(Crypto, AesGcmOpensWhatItSealedOnlyWithTheSameKeyAndContext) {
  const std::string key(32, 'k');
  auto sealed = AesGcmSeal(key, "case ncch-1 / record H-12", "rkey-1");
  ASSERT_TRUE(sealed.ok());
  auto again = AesGcmSeal(key, "case ncch-1 / record H-12", "rkey-1");
  ASSERT_TRUE(again.ok());
  EXPECT_NE(*sealed, *again) << "a fresh nonce every time";
  auto opened = AesGcmOpen(key, *sealed, "rkey-1");
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, "case ncch-1 / record H-12");
  EXPECT_EQ(AesGcmOpen(key, *sealed, "rkey-2").status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(AesGcmOpen(std::string(32, 'x'), *sealed, "rkey-1").status().code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace fedreg::crypto
