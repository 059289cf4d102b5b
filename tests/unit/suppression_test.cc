#include <gtest/gtest.h>

#include "server/admin_service.h"

namespace fedreg::server {
namespace {

v1::GetStatsResponse Cells(std::vector<std::tuple<std::string, std::string, int64_t>> cells) {
  v1::GetStatsResponse r;
  for (auto& [dim, value, count] : cells) {
    auto* c = r.add_counts();
    c->set_dimension(dim);
    c->set_value(value);
    c->set_count(count);
  }
  return r;
}

TEST(SuppressSmallCells, HidesCellsBelowKAndOneMoreWhenOnlyOneIsHidden) {
  auto r = Cells({{"class", "solid", 500}, {"class", "hematologic", 40}, {"oncotree", "LMS", 30},
                  {"oncotree", "ASPS", 3}, {"oncotree", "GIST", 12}, {"gene", "BRAF", 4}, {"gene", "ALK", 2},
                  {"gene", "TP53", 90}});
  SuppressSmallCells(10, &r);
  std::map<std::string, const v1::Count*> by;
  for (const auto& c : r.counts()) by[c.value()] = &c;
  EXPECT_FALSE(by["solid"]->suppressed());
  EXPECT_FALSE(by["hematologic"]->suppressed());
  EXPECT_TRUE(by["ASPS"]->suppressed());
  // ASPS alone would be revealed by the total: the next smallest (GIST) goes too.
  EXPECT_TRUE(by["GIST"]->suppressed());
  EXPECT_FALSE(by["LMS"]->suppressed());
  // Two hidden already: no complementary cell needed.
  EXPECT_TRUE(by["BRAF"]->suppressed());
  EXPECT_TRUE(by["ALK"]->suppressed());
  EXPECT_FALSE(by["TP53"]->suppressed());
  for (const auto& c : r.counts()) {
    if (c.suppressed()) {
      EXPECT_EQ(c.count(), 0) << "a suppressed cell must not carry its count";
    }
  }
  EXPECT_EQ(r.suppression_k(), 10);
}

TEST(SuppressSmallCells, HiddenCellsThatAddUpToASmallCountTakeAVisibleOneWithThem) {
  // 42 cases: by site 40 / 1 / 1, the two hidden cells add up to 2 and each
  // would be known to be 1; genes overlap (a case has several), so the same
  // shape there needs nothing more.
  auto r = Cells({{"site", "ncch", 40}, {"site", "kyoto", 1}, {"site", "osaka", 1}, {"gene", "TP53", 40},
                  {"gene", "BRAF", 1}, {"gene", "ALK", 1}});
  r.set_cases(42);
  SuppressSmallCells(10, &r);
  for (const auto& c : r.counts()) {
    if (c.dimension() == "site") {
      EXPECT_TRUE(c.suppressed()) << c.value();
    }
    if (c.value() == "TP53") {
      EXPECT_FALSE(c.suppressed());
    }
  }
}

}  // namespace
}  // namespace fedreg::server
