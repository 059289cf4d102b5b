// Cohort queries (docs/cohorts.md, server/cohort_query.h): the criteria
// reader, counts equal to the trial matcher's over the same cases, groups,
// the sites filter, sponsors' suppression, and the persons registered at
// more than one hospital.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "common/trial_definition.h"
#include "server/centre_store.h"
#include "server/cohort_query.h"
#include "tests/unit/temp_dir.h"
#include "tests/unit/test_case.h"

namespace fedreg::server {
namespace {

using ::testing::HasSubstr;

const absl::CivilDay kDay(2026, 11, 30);

v1::MatchNode Criteria(const std::string& yaml) {
  auto n = ParseCriteria(yaml, "c.yaml");
  EXPECT_TRUE(n.ok()) << n.status();
  return n.ok() ? *n : v1::MatchNode();
}

TEST(CohortCriteria, AreReadAsATrialsTreeAtTheTopOrUnderMatch) {
  auto top = ParseCriteria("and: [{genomic: {gene: HER2, codon: V777}}, {clinical: {oncotree: [SOFT_TISSUE]}}]\n", "c");
  ASSERT_TRUE(top.ok()) << top.status();
  EXPECT_EQ(top->all_of().nodes(0).genomic().gene(), "ERBB2") << "aliases mapped as in a trial file";
  auto under = ParseCriteria("match:\n  biomarker: {msi: high}\n", "c");
  ASSERT_TRUE(under.ok()) << under.status();
  EXPECT_TRUE(under->biomarker().msi_high());
  std::vector<TrialDefinitionError> errors;
  auto bad = ParseCriteria("and:\n  - genomic: {gene: BRAF, variant: V600Q7}\n  - clinical: {oncotree: [NOPE]}\n",
                           "mine.yaml", &errors);
  ASSERT_FALSE(bad.ok());
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].line, 2);
  EXPECT_EQ(errors[0].key, "and[1].genomic.variant");
  EXPECT_EQ(errors[1].key, "and[2].clinical.oncotree");
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("mine.yaml:3: and[2].clinical.oncotree"));
}

class Cohorts : public ::testing::Test {
 protected:
  void SetUp() override {
    CentreStoreOptions o;
    o.path = dir_ / "c";
    auto s = CentreStore::Open(o);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
  }
  // Applies `cases` as the site's next batch (registering the site first).
  void Put(const std::string& site, const std::vector<v1::Case>& cases) {
    const std::string store(32, static_cast<char>('a' + site.size() % 6));
    if (seq_.count(site) == 0) {
      ASSERT_TRUE(store_->RegisterStore(site, store).ok());
      seq_[site] = 1;
    }
    v1::Batch b;
    b.set_first_seq(seq_[site]);
    for (const auto& c : cases) {
      auto* ev = b.add_events();
      ev->set_seq(seq_[site]++);
      ev->set_kind(v1::CHANGE_KIND_UPSERT);
      ev->set_case_id(c.case_id());
      *ev->mutable_case_() = c;
    }
    b.set_last_seq(seq_[site] - 1);
    auto r = store_->ApplyBatch(site, store, b);
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_TRUE(r->rejections.empty()) << r->rejections[0].reason();
  }
  // A mix: per site, cases with BRAF V600E / V600K / KRAS G12C, LMS / MEL /
  // COADREAD, alive or dead, registered in three months.
  void Mix() {
    const char* sites[] = {"ncch", "kyoto", "osaka"};
    int n = 0;
    for (const char* site : sites) {
      std::vector<v1::Case> cases;
      for (int i = 0; i < 24; ++i, ++n) {
        char suffix[16];
        std::snprintf(suffix, sizeof suffix, "%010d", i + 1);
        v1::Case c = testing::ValidCase(site, suffix);
        c.clear_link_tokens();
        c.add_link_tokens("T1:" + std::string(60, 'c') + std::to_string(1000 + n));
        c.set_oncotree_code(i % 3 == 0 ? "LMS" : i % 3 == 1 ? "MEL" : "COADREAD");
        c.set_tissue(i % 3 == 0 ? "Soft Tissue" : i % 3 == 1 ? "Skin" : "Bowel");
        c.set_registration_month(i % 4 == 0 ? "2024-01" : i % 4 == 1 ? "2024-02" : "2024-05");
        auto* a = c.mutable_tests(0)->mutable_alterations(0);
        if (i % 5 == 1) a->set_protein_change("p.V600K");
        if (i % 5 == 2) a->set_gene("KRAS"), a->set_protein_change("p.G12C");
        if (i % 7 == 3) c.set_vital_status(v1::VITAL_STATUS_DEAD), c.set_has_death_day(true), c.set_death_day(300);
        if (i % 6 == 5) c.mutable_tests(0)->set_msi(v1::MSI_HIGH), c.mutable_tests(0)->set_tmb(22);
        cases.push_back(c);
      }
      Put(site, cases);
    }
  }
  v1::CohortResponse Run(const v1::CohortRequest& req, bool ids = true) {
    auto r = RunCohort(*store_, req, kDay, ids);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : v1::CohortResponse();
  }

  testing::TempDir dir_;
  std::unique_ptr<CentreStore> store_;
  std::map<std::string, uint64_t> seq_;
};

TEST_F(Cohorts, CountTheSameCasesAsTheTrialMatcherWithTheSameTree) {
  Mix();
  const std::string both = "[{genomic: {gene: BRAF, codon: V600}}, {clinical: {oncotree: [SOFT_TISSUE, SKIN], alive: true}}]";
  const std::string tree = "and: " + both;
  auto trial = ParseTrialDefinition(
      "trial_id: T\ntitle: t\nsponsor: chugai\nstatus: open\narms: [{arm_id: A, match: {and: " + both + "}}]\n", "t.yaml");
  ASSERT_TRUE(trial.ok()) << trial.status();
  ASSERT_TRUE(store_->PutTrial(*trial, CentreStore::TrialWrite::kAdd, "operator/t").ok());
  ASSERT_TRUE(store_->RunRematchNow().ok());
  int64_t matched = 0;
  ASSERT_TRUE(store_->ListMatches("T", "", false, 1000, &matched).ok());
  v1::CohortRequest req;
  *req.mutable_criteria() = Criteria(tree);
  req.set_list_cases(true);
  auto resp = Run(req);
  EXPECT_GT(matched, 0);
  EXPECT_EQ(resp.cases(), matched);
  EXPECT_EQ(resp.case_ids_size(), matched);
  EXPECT_EQ(resp.scanned(), 72);
  // Independently: BRAF V600 (E or K, not KRAS), LMS or MEL, alive.
  int64_t expected = 0;
  const auto all = store_->Cases("");
  ASSERT_TRUE(all.ok()) << all.status();
  for (const auto& c : *all) {
    const auto& a = c.tests(0).alterations(0);
    expected += a.gene() == "BRAF" && c.oncotree_code() != "COADREAD" && c.vital_status() == v1::VITAL_STATUS_ALIVE;
  }
  EXPECT_EQ(resp.cases(), expected);
}

TEST_F(Cohorts, GroupBySiteMonthGeneAndClassAndFilterBySite) {
  Mix();
  v1::CohortRequest req;
  *req.mutable_criteria() = Criteria("genomic: {gene: BRAF}");
  std::map<std::string, int64_t> by_site, by_month, by_gene;
  const auto all = store_->Cases("");
  ASSERT_TRUE(all.ok()) << all.status();
  for (const auto& c : *all) {
    if (c.tests(0).alterations(0).gene() != "BRAF") continue;
    ++by_site[c.site_id()];
    ++by_month[c.registration_month()];
    ++by_gene["BRAF"];
  }
  auto groups = [](const v1::CohortResponse& r) {
    std::map<std::string, int64_t> m;
    for (const auto& g : r.groups()) m[g.value()] = g.cases();
    return m;
  };
  req.set_by("site");
  EXPECT_EQ(groups(Run(req)), by_site);
  req.set_by("month");
  EXPECT_EQ(groups(Run(req)), by_month);
  req.set_by("gene");
  EXPECT_EQ(groups(Run(req)), by_gene);
  req.set_by("class");
  EXPECT_EQ(groups(Run(req)).at("solid"), by_gene["BRAF"]);
  req.set_by("site");
  req.add_sites("kyoto");
  auto kyoto = Run(req);
  EXPECT_EQ(kyoto.scanned(), 24) << "only kyoto's key range is read";
  EXPECT_EQ(groups(kyoto), (std::map<std::string, int64_t>{{"kyoto", by_site["kyoto"]}}));
  req.set_by("hospital");
  EXPECT_TRUE(absl::IsInvalidArgument(RunCohort(*store_, req, kDay, false).status()));
  req.set_by("");
  req.add_sites("Kyoto!");
  EXPECT_TRUE(absl::IsInvalidArgument(RunCohort(*store_, req, kDay, false).status()));
}

TEST_F(Cohorts, CaseIdsStopAtTheLimitAndAreNeverListedWithoutAskingTheRole) {
  Mix();
  v1::CohortRequest req;
  req.set_list_cases(true);
  req.set_limit(5);
  auto resp = Run(req);
  EXPECT_EQ(resp.cases(), 72);
  EXPECT_EQ(resp.case_ids_size(), 5);
  EXPECT_EQ(Run(req, /*ids=*/false).case_ids_size(), 0);
}

TEST(CohortSuppression, HidesSmallCellsTheirComplementAndEveryIdForSponsors) {
  v1::CohortResponse r;
  r.set_cases(60);
  r.set_persons(58);
  for (auto [v, n] : std::vector<std::pair<std::string, int64_t>>{{"a", 30}, {"b", 3}, {"c", 12}, {"d", 15}}) {
    auto* g = r.add_groups();
    g->set_value(v);
    g->set_cases(n);
  }
  r.add_case_ids()->set_case_id("ncch-0000000001");
  r.set_scanned(200);
  SuppressCohort(10, "gene", &r);
  EXPECT_EQ(r.case_ids_size(), 0);
  EXPECT_EQ(r.persons(), 0) << "cases less persons would count the people registered twice";
  EXPECT_EQ(r.scanned(), 0) << "cases read, with --site, would be a site's exact count";
  EXPECT_EQ(r.cases(), 60);
  EXPECT_EQ(r.suppression_k(), 10);
  EXPECT_TRUE(r.groups(1).suppressed());
  EXPECT_EQ(r.groups(1).cases(), 0);
  EXPECT_TRUE(r.groups(2).suppressed()) << "the smallest visible cell hides the lone small one";
  EXPECT_EQ(r.groups(2).cases(), 0);
  EXPECT_FALSE(r.groups(0).suppressed());
  EXPECT_EQ(r.groups(3).cases(), 15);

  v1::CohortResponse small;
  small.set_cases(4);
  small.set_persons(4);
  small.add_groups()->set_cases(4);
  SuppressCohort(10, "site", &small);
  EXPECT_TRUE(small.cases_suppressed());
  EXPECT_EQ(small.cases(), 0);
  EXPECT_EQ(small.persons(), 0);
  EXPECT_TRUE(small.groups(0).suppressed());

  v1::CohortResponse none;  // zero is no small cell: nobody to re-identify
  SuppressCohort(10, "site", &none);
  EXPECT_FALSE(none.cases_suppressed());
}

TEST(CohortSuppression, HiddenGroupsThatAddUpToASmallCountTakeAVisibleOneWithThem) {
  // By site 40 / 1 / 1 of 42: the two hidden cells add up to 2, and with
  // empty groups unlisted each would be known to be 1.
  v1::CohortResponse r;
  r.set_cases(42);
  for (auto [v, n] : std::vector<std::pair<std::string, int64_t>>{{"ncch", 40}, {"kyoto", 1}, {"osaka", 1}}) {
    auto* g = r.add_groups();
    g->set_value(v);
    g->set_cases(n);
  }
  v1::CohortResponse by_gene = r;
  SuppressCohort(10, "site", &r);
  for (const auto& g : r.groups()) EXPECT_TRUE(g.suppressed()) << g.value();
  EXPECT_EQ(r.cases(), 42);
  // Groups that overlap (a case under each of its genes) do not add up to
  // the total, so only the small ones are hidden.
  SuppressCohort(10, "gene", &by_gene);
  EXPECT_FALSE(by_gene.groups(0).suppressed());
  EXPECT_EQ(by_gene.groups(0).cases(), 40);
  // Hidden groups that already add up to k or more need nothing more.
  v1::CohortResponse big;
  big.set_cases(60);
  for (int64_t n : {40, 6, 5, 9}) big.add_groups()->set_cases(n);
  SuppressCohort(10, "site", &big);
  EXPECT_FALSE(big.groups(0).suppressed());
  EXPECT_EQ(big.groups(0).cases(), 40);
}

TEST_F(Cohorts, MultiSitePersonsAreTheSameLinkTokenAtTwoHospitals) {
  v1::Case a = testing::ValidCase("ncch", "0000000001");
  v1::Case b = testing::ValidCase("kyoto", "0000000001");  // same T1 token as `a`
  v1::Case c = testing::ValidCase("kyoto", "0000000002");
  c.clear_link_tokens();
  c.add_link_tokens("T1:" + std::string(64, 'e'));
  Put("ncch", {a});
  Put("kyoto", {b, c});
  auto resp = ListMultiSitePersons(*store_, 0, true);
  ASSERT_TRUE(resp.ok()) << resp.status();
  EXPECT_EQ(resp->persons(), 1);
  ASSERT_EQ(resp->list_size(), 1);
  ASSERT_EQ(resp->list(0).cases_size(), 2);
  EXPECT_EQ(resp->list(0).cases(0).site_id(), "kyoto");
  EXPECT_EQ(resp->list(0).cases(0).case_id(), "kyoto-0000000001");
  EXPECT_EQ(resp->list(0).cases(1).case_id(), "ncch-0000000001");
  EXPECT_EQ(resp->by_site_count().at(2), 1);
  SuppressMultiSitePersons(10, &*resp);
  EXPECT_TRUE(resp->persons_suppressed());
  EXPECT_EQ(resp->persons(), 0);
  EXPECT_EQ(resp->list_size(), 0);
  EXPECT_TRUE(resp->by_site_count().empty());
}

TEST(CohortKinds, FollowMafClassesElseTheProteinChangesShape) {
  v1::Alteration a;
  a.set_gene("TP53");
  a.set_kind(v1::ALTERATION_KIND_SNV);
  auto kind = [&](const std::string& vc, const std::string& p) {
    a.set_variant_class(vc);
    a.set_protein_change(p);
    return AlterationKindOf(a);
  };
  EXPECT_EQ(kind("Missense_Mutation", "p.R273H"), "missense");
  EXPECT_EQ(kind("Nonsense_Mutation", "p.R213*"), "truncating");
  EXPECT_EQ(kind("Frame_Shift_Del", "p.P72fs"), "truncating");
  EXPECT_EQ(kind("In_Frame_Del", "p.E746_A750del"), "inframe");
  EXPECT_EQ(kind("Splice_Site", ""), "splice");
  EXPECT_EQ(kind("Frame_Shift", "p.P72fs"), "truncating") << "the registry's class when the direction is unknown";
  EXPECT_EQ(kind("In_Frame_Delins", "p.E746_A750delinsQ"), "inframe");
  EXPECT_EQ(kind("Exon_Skipping", ""), "splice") << "MET exon 14 skipping";
  EXPECT_EQ(kind("Exon_Deletion", ""), "inframe") << "EGFR exon 19 deletion";
  EXPECT_EQ(kind("5'Flank", ""), "other_mutation") << "TERT promoter";
  EXPECT_EQ(kind("", "p.R273H"), "missense");
  EXPECT_EQ(kind("", "p.R213*"), "truncating");
  EXPECT_EQ(kind("", "p.E746_A750del"), "inframe");
  EXPECT_EQ(kind("", "p.?"), "other_mutation");
  a.set_kind(v1::ALTERATION_KIND_FUSION);
  EXPECT_EQ(AlterationKindOf(a), "fusion");
  a.set_kind(v1::ALTERATION_KIND_AMP);
  EXPECT_EQ(AlterationKindOf(a), "amplification");
  a.set_kind(v1::ALTERATION_KIND_DEL);
  EXPECT_EQ(AlterationKindOf(a), "deletion");
  v1::Case c = testing::ValidCase();
  EXPECT_EQ(CohortValues(c, "gene_kind"), std::vector<std::string>{"BRAF missense"});
}

}  // namespace
}  // namespace fedreg::server
