// Matching at the centre (docs/trials.md, "Matches and notices"): the trial
// index (server/match_index.h), matches and notices built with the cases'
// own write (server/match_writer.h through CentreStore), each end reason,
// referral statuses, the background pass, notices served only once durable,
// and the funnel with its suppression (server/trial_funnel.h).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/trial_definition.h"
#include "server/centre_store.h"
#include "server/match_index.h"
#include "server/trial_funnel.h"
#include "tests/unit/temp_dir.h"
#include "tests/unit/test_case.h"

namespace fedreg::server {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const char kStore[] = "0123456789abcdef0123456789abcdef";

v1::Trial Parse(const std::string& yaml) {
  auto t = ParseTrialDefinition(yaml, "t.yaml");
  EXPECT_TRUE(t.ok()) << t.status();
  return t.ok() ? *t : v1::Trial();
}

v1::StoredTrial Stored(const std::string& yaml) {
  v1::StoredTrial s;
  *s.mutable_trial() = Parse(yaml);
  s.set_version(1);
  return s;
}

const char kBraf[] =
    "trial_id: BRAF\ntitle: t\nsponsor: novartis\nstatus: open\n"
    "match: {genomic: {gene: BRAF, codon: V600}}\n"
    "arms: [{arm_id: A, name: a}, {arm_id: B, name: b, match: {clinical: {oncotree: [MEL]}}}]\n";
const char kAlkOrRos[] =
    "trial_id: FUSION\ntitle: t\nsponsor: chugai\nstatus: open\n"
    "arms: [{arm_id: A, name: a, match: {or: [{genomic: {gene: ALK, fusion: any}}, {genomic: {gene: ROS1, fusion: any}}]}}]\n";
const char kBowel[] =
    "trial_id: BOWEL\ntitle: t\nsponsor: chugai\nstatus: open\n"
    "arms: [{arm_id: A, name: a, match: {and: [{clinical: {oncotree: [BOWEL], age: {max: 70}}}, {not: {genomic: {gene: KRAS}}}]}}]\n";
const char kMsi[] =
    "trial_id: MSI\ntitle: t\nsponsor: chugai\nstatus: open\n"
    "arms: [{arm_id: A, name: a, match: {biomarker: {msi: high}}}]\n";

TEST(MatchIndex, ListsATrialUnderTheGenesOrCodesItCannotMatchWithout) {
  MatchIndex index;
  index.Rebuild({Stored(kBraf), Stored(kAlkOrRos), Stored(kBowel), Stored(kMsi)});
  EXPECT_EQ(index.IndexedBy("BRAF"), "genes BRAF");
  EXPECT_EQ(index.IndexedBy("FUSION"), "genes ALK, ROS1");
  EXPECT_EQ(index.IndexedBy("BOWEL"), "OncoTree codes BOWEL") << "a gene under `not` is no requirement";
  EXPECT_EQ(index.IndexedBy("MSI"), "every case");
  EXPECT_TRUE(MatchIndex::HasAgeLimit(index.Find("BOWEL")->trial()));
  EXPECT_FALSE(MatchIndex::HasAgeLimit(index.Find("BRAF")->trial()));

  v1::Case c = testing::ValidCase();  // LMS, BRAF p.V600E
  EXPECT_THAT(index.Candidates(c), ElementsAre("BRAF", "MSI"));
  // A fusion is found under either partner; a code under each ancestor.
  c.mutable_tests(0)->mutable_alterations(0)->set_gene("EML4");
  c.mutable_tests(0)->mutable_alterations(0)->set_kind(v1::ALTERATION_KIND_FUSION);
  c.mutable_tests(0)->mutable_alterations(0)->set_fusion("EML4::ALK");
  c.set_oncotree_code("COADREAD");  // under BOWEL
  EXPECT_THAT(index.Candidates(c), ElementsAre("BOWEL", "FUSION", "MSI"));
  // Suspended and closed trials make no new matches.
  v1::StoredTrial suspended = Stored(kBraf);
  suspended.mutable_trial()->set_status(v1::TRIAL_STATUS_SUSPENDED);
  index.Rebuild({suspended});
  EXPECT_TRUE(index.Candidates(testing::ValidCase()).empty());
  EXPECT_NE(index.Find("BRAF"), nullptr) << "kept: its open matches need its status";
}

class CentreMatching : public ::testing::Test {
 protected:
  void SetUp() override {
    CentreStoreOptions o;
    o.path = dir_ / "c";
    auto s = CentreStore::Open(o);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
    ASSERT_TRUE(store_->RegisterStore("ncch", kStore).ok());
  }
  void Apply(std::vector<v1::ChangeEvent> events) {
    v1::Batch b;
    b.set_first_seq(seq_);
    for (auto& ev : events) {
      ev.set_seq(seq_++);
      *b.add_events() = ev;
    }
    b.set_last_seq(seq_ - 1);
    auto r = store_->ApplyBatch("ncch", kStore, b);
    ASSERT_TRUE(r.ok()) << r.status();
    rejections_ = r->rejections;
  }
  static v1::ChangeEvent Upsert(const v1::Case& c) {
    v1::ChangeEvent ev;
    ev.set_kind(v1::CHANGE_KIND_UPSERT);
    ev.set_case_id(c.case_id());
    *ev.mutable_case_() = c;
    return ev;
  }
  static v1::ChangeEvent Tombstone(const std::string& case_id) {
    v1::ChangeEvent ev;
    ev.set_kind(v1::CHANGE_KIND_TOMBSTONE);
    ev.set_case_id(case_id);
    ev.set_record_version(9);
    return ev;
  }
  static v1::ChangeEvent Referral(const std::string& trial, const std::string& case_id, v1::NoticeStatus s,
                                  int64_t at) {
    v1::ChangeEvent ev;
    ev.set_kind(v1::CHANGE_KIND_REFERRAL);
    ev.set_case_id(case_id);
    ev.mutable_referral()->set_trial_id(trial);
    ev.mutable_referral()->set_case_id(case_id);
    ev.mutable_referral()->set_status(s);
    ev.mutable_referral()->set_at_unix(at);
    return ev;
  }
  void Add(const std::string& yaml) {
    ASSERT_TRUE(store_->PutTrial(Parse(yaml), CentreStore::TrialWrite::kAdd, "operator/t").ok());
    ASSERT_TRUE(store_->RunRematchNow().ok());
  }
  // Every notice of the site, as a stream would read them: each call
  // returns what is durable after the cursor (the group commit may sync
  // the batches' notices one sync at a time).
  std::vector<v1::Notice> AllNotices(size_t want) {
    std::vector<v1::Notice> out;
    for (int i = 0; i < 50 && out.size() < want; ++i) {
      auto n = store_->WaitNotices("ncch", out.empty() ? 0 : out.back().seq(), 1000, std::chrono::milliseconds(100));
      EXPECT_TRUE(n.ok());
      if (n.ok()) out.insert(out.end(), n->begin(), n->end());
    }
    return out;
  }
  v1::TrialMatch Match(const std::string& trial, const std::string& case_id) {
    int64_t total = 0;
    auto all = store_->ListMatches(trial, "ncch", true, 1000, &total);
    EXPECT_TRUE(all.ok());
    for (const auto& m : *all)
      if (m.case_id() == case_id) return m;
    return v1::TrialMatch();
  }

  testing::TempDir dir_;
  std::unique_ptr<CentreStore> store_;
  uint64_t seq_ = 1;
  std::vector<v1::Rejection> rejections_;
};

TEST_F(CentreMatching, ACaseIsMatchedInItsOwnWriteAndEachEndSaysWhy) {
  Add(kBraf);
  v1::Case c = testing::ValidCase();  // BRAF p.V600E, LMS
  Apply({Upsert(c)});
  v1::TrialMatch m = Match("BRAF", c.case_id());
  ASSERT_EQ(m.state(), v1::MATCH_STATE_OPEN);
  ASSERT_EQ(m.arms_size(), 1) << "arm B wants melanoma";
  EXPECT_EQ(m.arms(0).arm_id(), "A");
  EXPECT_THAT(m.arms(0).why(0), HasSubstr("BRAF p.V600E"));
  EXPECT_EQ(store_->OpenMatches(), 1);

  // The variant corrected to a non-V600 change: the match ends with the reason.
  c.set_record_version(2);
  c.mutable_tests(0)->mutable_alterations(0)->set_protein_change("p.G469A");
  Apply({Upsert(c)});
  m = Match("BRAF", c.case_id());
  EXPECT_EQ(m.state(), v1::MATCH_STATE_ENDED);
  EXPECT_EQ(m.end_reason(), "case version 2: no longer meets the criteria");
  EXPECT_EQ(store_->OpenMatches(), 0);

  // Back to V600K: reopened; then the patient dies.
  c.set_record_version(3);
  c.mutable_tests(0)->mutable_alterations(0)->set_protein_change("p.V600K");
  Apply({Upsert(c)});
  EXPECT_EQ(Match("BRAF", c.case_id()).state(), v1::MATCH_STATE_OPEN);
  c.set_record_version(4);
  c.set_vital_status(v1::VITAL_STATUS_DEAD);
  c.mutable_tests(0)->mutable_alterations(0)->set_protein_change("p.V600_K601delinsE");
  Apply({Upsert(c)});
  EXPECT_EQ(Match("BRAF", c.case_id()).end_reason(), "the patient died");

  // Notices: dense, in order, one per opening and ending.
  auto notices = AllNotices(4);
  ASSERT_EQ(notices.size(), 4u);
  for (size_t i = 0; i < notices.size(); ++i) EXPECT_EQ(notices[i].seq(), i + 1);
  EXPECT_EQ(notices[0].kind(), v1::NOTICE_KIND_NEW);
  EXPECT_EQ(notices[1].kind(), v1::NOTICE_KIND_ENDED);
  EXPECT_EQ(notices[2].kind(), v1::NOTICE_KIND_NEW);
  EXPECT_EQ(notices[3].reason(), "the patient died");
}

TEST_F(CentreMatching, ArmSuspensionTrialClosureAndWithdrawalEndOpenMatches) {
  v1::Case a = testing::ValidCase("ncch", "0000000001");
  v1::Case b = testing::ValidCase("ncch", "0000000002");
  v1::Case w = testing::ValidCase("ncch", "0000000003");
  a.set_oncotree_code("MEL");  // arms A and B
  a.set_tissue("Skin");
  Apply({Upsert(a), Upsert(b), Upsert(w)});
  ASSERT_TRUE(rejections_.empty()) << rejections_[0].reason();
  Add(kBraf);  // after the cases: the background pass matches them
  EXPECT_EQ(Match("BRAF", a.case_id()).arms_size(), 2);
  EXPECT_EQ(Match("BRAF", b.case_id()).state(), v1::MATCH_STATE_OPEN);

  Apply({Tombstone(w.case_id())});
  EXPECT_EQ(Match("BRAF", w.case_id()).state(), v1::MATCH_STATE_CANCELLED);
  EXPECT_THAT(Match("BRAF", w.case_id()).end_reason(), HasSubstr("withdrawn"));

  ASSERT_TRUE(store_->SetTrialStatus("BRAF", "A", v1::TRIAL_STATUS_SUSPENDED, "operator/t").ok());
  ASSERT_TRUE(store_->RunRematchNow().ok());
  EXPECT_EQ(Match("BRAF", a.case_id()).state(), v1::MATCH_STATE_OPEN) << "arm B still holds";
  EXPECT_EQ(Match("BRAF", a.case_id()).arms_size(), 1);
  EXPECT_EQ(Match("BRAF", b.case_id()).end_reason(), "arm A suspended");

  // A suspended trial keeps its open matches and opens none.
  ASSERT_TRUE(store_->SetTrialStatus("BRAF", "", v1::TRIAL_STATUS_SUSPENDED, "operator/t").ok());
  ASSERT_TRUE(store_->RunRematchNow().ok());
  v1::Case late = testing::ValidCase("ncch", "0000000004");
  late.set_oncotree_code("MEL");
  late.set_tissue("Skin");
  Apply({Upsert(late)});
  EXPECT_EQ(Match("BRAF", a.case_id()).state(), v1::MATCH_STATE_OPEN);
  EXPECT_EQ(Match("BRAF", late.case_id()).state(), v1::MATCH_STATE_UNSPECIFIED) << "no match made";

  ASSERT_TRUE(store_->SetTrialStatus("BRAF", "", v1::TRIAL_STATUS_CLOSED, "operator/t").ok());
  ASSERT_TRUE(store_->RunRematchNow().ok());
  EXPECT_EQ(Match("BRAF", a.case_id()).end_reason(), "trial BRAF closed");
  EXPECT_EQ(store_->OpenMatches(), 0);
}

TEST_F(CentreMatching, ReferralStatusesReachTheMatchAndUnknownOnesAreRejected) {
  Add(kBraf);
  v1::Case c = testing::ValidCase();
  Apply({Upsert(c)});
  const int64_t matched = Match("BRAF", c.case_id()).matched_unix();
  Apply({Referral("BRAF", c.case_id(), v1::NOTICE_STATUS_ENROLLED, matched + 86400 * 10)});
  EXPECT_TRUE(rejections_.empty());
  v1::TrialMatch m = Match("BRAF", c.case_id());
  EXPECT_EQ(m.status(), v1::NOTICE_STATUS_ENROLLED);
  EXPECT_GT(m.contacted_unix(), 0) << "enrolled reached every stage before it";
  EXPECT_GT(m.referred_unix(), 0);
  EXPECT_GT(m.screening_unix(), 0);
  EXPECT_EQ(m.enrolled_unix(), matched + 86400 * 10);

  Apply({Referral("NOPE", c.case_id(), v1::NOTICE_STATUS_CONTACTED, 0)});
  ASSERT_EQ(rejections_.size(), 1u);
  EXPECT_THAT(rejections_[0].reason(), HasSubstr("no match of case"));

  int64_t total = 0;
  auto all = store_->ListMatches("BRAF", "", true, 100, &total);
  ASSERT_TRUE(all.ok());
  v1::TrialFunnel f = BuildFunnel(*all);
  ASSERT_EQ(f.sites_size(), 1);
  EXPECT_EQ(f.total().enrolled(), 1);
  EXPECT_EQ(f.total().referred(), 1);
  EXPECT_DOUBLE_EQ(f.total().median_days_to_enrolment(), 10.0);
}

TEST_F(CentreMatching, NoticesSurviveAReopenAndTheCounterContinues) {
  Add(kBraf);
  Apply({Upsert(testing::ValidCase("ncch", "0000000001"))});
  store_.reset();
  CentreStoreOptions o;
  o.path = dir_ / "c";
  auto s = CentreStore::Open(o);
  ASSERT_TRUE(s.ok());
  store_ = std::move(*s);
  EXPECT_EQ(store_->OpenMatches(), 1);
  Apply({Upsert(testing::ValidCase("ncch", "0000000002"))});
  auto notices = AllNotices(2);
  ASSERT_EQ(notices.size(), 2u);
  EXPECT_EQ(notices[1].seq(), 2u);
  // After the cursor: only the new one; nothing more within the wait.
  auto after = store_->WaitNotices("ncch", 2, 10, std::chrono::milliseconds(50));
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->empty());
  EXPECT_TRUE(store_->AckNotices("ncch", 2).ok());
  EXPECT_TRUE(absl::IsInvalidArgument(store_->AckNotices("ncch", 3))) << "never made";
  auto backlog = store_->NoticeBacklogs();
  ASSERT_TRUE(backlog.ok());
  ASSERT_EQ(backlog->size(), 1u);
  EXPECT_EQ((*backlog)[0].made, 2u);
  EXPECT_EQ((*backlog)[0].stored, 2u);
}

v1::TrialMatch FunnelMatch(const std::string& site, v1::NoticeStatus status) {
  v1::TrialMatch m;
  m.set_site_id(site);
  m.set_state(v1::MATCH_STATE_OPEN);
  m.set_status(status);
  m.set_matched_unix(1000);
  if (status != v1::NOTICE_STATUS_UNSPECIFIED) m.set_contacted_unix(2000);
  if (status == v1::NOTICE_STATUS_REFERRED) m.set_referred_unix(1000 + 86400 * 4);
  return m;
}

TEST(TrialFunnel, SponsorsSeeSmallCellsHiddenWithTheirComplements) {
  std::vector<v1::TrialMatch> matches;
  for (int i = 0; i < 30; ++i) matches.push_back(FunnelMatch("ncch", v1::NOTICE_STATUS_UNSPECIFIED));
  for (int i = 0; i < 12; ++i) matches.push_back(FunnelMatch("kyoto", v1::NOTICE_STATUS_REFERRED));
  for (int i = 0; i < 3; ++i) matches.push_back(FunnelMatch("hokkaido", v1::NOTICE_STATUS_REFERRED));
  v1::TrialFunnel f = BuildFunnel(matches);
  ASSERT_EQ(f.sites_size(), 3);
  EXPECT_EQ(f.total().matched(), 45);
  EXPECT_EQ(f.total().referred(), 15);
  EXPECT_DOUBLE_EQ(f.total().median_days_to_referral(), 4.0);

  SuppressFunnel(10, &f);
  auto row = [&](const std::string& site) {
    for (const auto& r : f.sites())
      if (r.site_id() == site) return r;
    return v1::FunnelRow();
  };
  EXPECT_EQ(row("hokkaido").referred(), 0);
  EXPECT_THAT(row("hokkaido").suppressed(), ::testing::Contains("referred"));
  // The one small cell of the column would be the total minus the others: the next smallest goes too.
  EXPECT_THAT(row("kyoto").suppressed(), ::testing::Contains("referred"));
  EXPECT_EQ(row("kyoto").referred(), 0);
  EXPECT_EQ(row("kyoto").median_days_to_referral(), -1);
  EXPECT_EQ(row("ncch").matched(), 30) << "large cells stay";
  EXPECT_EQ(f.total().referred(), 15);
}

}  // namespace
}  // namespace fedreg::server
