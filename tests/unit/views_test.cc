// server/views.h and server/view_document.h: which counters a case moves, and
// how one build's deltas become a merge operand (the national view's document).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "server/view_document.h"
#include "server/views.h"
#include "tests/unit/test_case.h"

namespace fedreg::server {
namespace {

std::string K(const std::string& dim, const std::string& value) { return dim + kViewSep + value; }

TEST(Views, EachGeneAndAlterationCountsOnceHoweverManyTestsRepeatIt) {
  v1::Case c = testing::ValidCase();
  // A second test finds BRAF p.V600E again, and adds KRAS p.G12D.
  v1::GenomicTest* again = c.add_tests();
  *again = c.tests(0);
  v1::Alteration* kras = again->add_alterations();
  kras->set_gene("KRAS");
  kras->set_kind(v1::ALTERATION_KIND_SNV);
  kras->set_protein_change("p.G12D");

  const std::vector<std::string> keys = ViewKeys(c);
  const std::set<std::string> unique(keys.begin(), keys.end());
  EXPECT_EQ(unique.size(), keys.size()) << "a key listed twice would count the case twice";
  for (const std::string& want :
       {K("cases", ""), K("site", "ncch"), K("class", "solid"), K("oncotree", "LMS"), K("tissue", "Soft Tissue"),
        K("month", "2023-04 solid"), K("vital", "alive"), K("gene", "BRAF"), K("gene", "KRAS"),
        K("alteration", "BRAF p.V600E"), K("alteration", "KRAS p.G12D"), K("msi", "MSS"), K("tmb", "low (<10)")})
    EXPECT_EQ(unique.count(want), 1U) << "missing " << want;
  EXPECT_EQ(keys.size(), 13U);
}

TEST(Views, DeltasEncodeSortedWithoutZerosAndSumBackUnderTheMergeOperatorsReader) {
  ViewDeltas forward, backward;
  const std::vector<std::pair<std::string, int64_t>> changes = {
      {K("gene", "BRAF"), 2}, {K("cases", ""), 3}, {K("site", "ncch"), -1}, {K("tmb", "low (<10)"), 0}};
  for (const auto& [k, d] : changes) forward[k] += d;
  for (auto it = changes.rbegin(); it != changes.rend(); ++it) backward[it->first] += it->second;

  const std::string encoded = EncodeDeltas(forward);
  EXPECT_EQ(encoded, EncodeDeltas(backward)) << "the same deltas must give the same bytes";

  std::map<std::string, int64_t> sum;
  AddCounters(encoded, &sum);
  const std::map<std::string, int64_t> want = {{K("cases", ""), 3}, {K("gene", "BRAF"), 2}, {K("site", "ncch"), -1}};
  EXPECT_EQ(sum, want);
  // The ordered encoder writes the same document for the same counters.
  EXPECT_EQ(encoded, EncodeCounters(want));
}

}  // namespace
}  // namespace fedreg::server
