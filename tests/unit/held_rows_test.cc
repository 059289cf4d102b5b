// agent/held_rows.h: the rows of repeated record numbers wait on disk and
// come back grouped, in order, byte for byte, leaving nothing behind.
#include "agent/held_rows.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace fedreg::agent {
namespace {

namespace fs = std::filesystem;

class HeldRowsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("fedreg-held-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  size_t FilesIn() const { return static_cast<size_t>(std::distance(fs::directory_iterator(dir_), {})); }
  fs::path dir_;
};

TEST_F(HeldRowsTest, GroupsComeBackInRecordNumberOrderWithTheirRowsAsHeld) {
  HeldRows held(dir_.string());
  // A row spanning lines (a quoted newline), non-ASCII text, an empty row text.
  ASSERT_TRUE(held.Hold("K-2", 7, "K-2,大野,\"two\nlines\"").ok());
  ASSERT_TRUE(held.Hold("K-1", 3, "K-1,中村,first").ok());
  ASSERT_TRUE(held.Hold("K-2", 4, "K-2,小川,earlier line, later held").ok());
  ASSERT_TRUE(held.Hold("K-1", 9, "").ok());
  ASSERT_TRUE(held.Hold("K-10", 5, std::string(100000, 'x')).ok());
  EXPECT_EQ(held.size(), 5u);
  EXPECT_EQ(FilesIn(), 0u) << "the spill has no name in the directory";

  std::vector<std::string> order;
  std::map<std::string, std::vector<HeldRows::Row>> got;
  auto s = held.ForEachGroup([&](const std::string& rn, std::vector<HeldRows::Row>& rows) {
    order.push_back(rn);
    got[rn] = rows;
    return absl::OkStatus();
  });
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(order, (std::vector<std::string>{"K-1", "K-10", "K-2"})) << "byte order, as a std::map gave";
  ASSERT_EQ(got["K-1"].size(), 2u);
  EXPECT_EQ(got["K-1"][0].line, 3);
  EXPECT_EQ(got["K-1"][0].raw, "K-1,中村,first");
  EXPECT_EQ(got["K-1"][1].line, 9);
  EXPECT_EQ(got["K-1"][1].raw, "");
  ASSERT_EQ(got["K-2"].size(), 2u);
  EXPECT_EQ(got["K-2"][0].line, 7) << "a number's rows stay in the order they were held";
  EXPECT_EQ(got["K-2"][0].raw, "K-2,大野,\"two\nlines\"");
  EXPECT_EQ(got["K-2"][1].raw, "K-2,小川,earlier line, later held");
  ASSERT_EQ(got["K-10"].size(), 1u);
  EXPECT_EQ(got["K-10"][0].raw, std::string(100000, 'x'));
}

TEST_F(HeldRowsTest, AGroupsErrorStopsTheWalk) {
  HeldRows held(dir_.string());
  ASSERT_TRUE(held.Hold("A", 2, "a").ok());
  ASSERT_TRUE(held.Hold("B", 3, "b").ok());
  int calls = 0;
  auto s = held.ForEachGroup([&](const std::string&, std::vector<HeldRows::Row>&) {
    ++calls;
    return absl::UnavailableError("store gone");
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(calls, 1);
}

TEST_F(HeldRowsTest, APathThatIsNoDirectoryIsNamedInTheError) {
  const fs::path file = dir_ / "not-a-directory";
  { std::ofstream(file) << "x"; }
  HeldRows held(file.string());
  auto s = held.Hold("A", 2, "a");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(std::string(s.message()).find(file.string()), std::string::npos) << s;
  EXPECT_NE(std::string(s.message()).find("free space"), std::string::npos) << s;
}

TEST_F(HeldRowsTest, AMissingDirectoryIsAnErrorNotACrash) {
  HeldRows held((dir_ / "gone").string());
  auto s = held.Hold("A", 2, "a");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(std::string(s.message()).find("gone"), std::string::npos) << s;
}

TEST_F(HeldRowsTest, NothingHeldMeansNoGroupAndNoFile) {
  HeldRows held(dir_.string());
  int calls = 0;
  EXPECT_TRUE(held.ForEachGroup([&](const std::string&, std::vector<HeldRows::Row>&) {
                    ++calls;
                    return absl::OkStatus();
                  }).ok());
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(FilesIn(), 0u);
}

}  // namespace
}  // namespace fedreg::agent
