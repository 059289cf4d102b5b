// The synthetic exports (common/synth.h) meet the importer the way real ones
// do: a cohort of 5,000 generated cases is imported through the agent's
// importer (parse, normalise, build, validate) and read back from the store,
// and its genomics, follow-up and tests are checked there. The spectrum
// tables (common/synth_spectrum.h) are checked against the project's own
// HGVS and fusion canonicalisers.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "agent/agent_store.h"
#include "agent/importer.h"
#include "common/fusion.h"
#include "common/hgvs.h"
#include "common/synth.h"
#include "common/synth_random.h"
#include "common/synth_spectrum.h"
#include "common/validate.h"
#include "tests/unit/temp_dir.h"

namespace fedreg::synth {
namespace {

// The gene of a spectrum: its name up to a "-<part>" suffix (FLT3-TKD).
std::string GeneOf(std::string_view name) { return std::string(name.substr(0, name.find('-'))); }

// Empty when `change` of `gene` is canonical HGVS, else why not.
std::string NotCanonical(std::string_view gene, std::string_view change) {
  auto v = CanonicalizeVariant(change, gene);
  if (!v.ok()) return std::string(v.status().message());
  if (v->rewritten || v->text != change) return "rewritten to " + v->text;
  return "";
}

TEST(SynthSpectrum, EveryListedChangeIsCanonicalHgvs) {
  int checked = 0;
  for (const GeneSpectrum& s : Spectra()) {
    for (const SpectrumEntry& e : s.entries) {
      EXPECT_EQ(NotCanonical(GeneOf(s.name), e.change), "") << s.name << " " << e.change;
      EXPECT_TRUE(e.kind == "SNV" || e.kind == "INDEL") << s.name << " " << e.change;
      ++checked;
    }
  }
  for (const AcquiredChange& c : AcquiredChanges()) {
    EXPECT_EQ(NotCanonical(c.gene, c.change), "") << c.gene << " " << c.change;
  }
  for (const MsiFrameshift& f : MsiFrameshifts()) {
    EXPECT_EQ(NotCanonical(f.gene, f.change), "") << f.gene << " " << f.change;
  }
  EXPECT_GT(checked, 150);
}

TEST(SynthSpectrum, Tp53HotspotsNameTheReferenceResidueAndTheTailIsCanonical) {
  const GeneSpectrum* tp53 = FindSpectrum("TP53");
  ASSERT_NE(tp53, nullptr);
  const std::string_view protein = tp53->tail.sequence;
  ASSERT_EQ(protein.size(), 393u) << "UniProt P04637";
  for (const SpectrumEntry& e : tp53->entries) {
    auto v = CanonicalizeVariant(e.change, "TP53");
    ASSERT_TRUE(v.ok()) << e.change;
    if (v->ref_aa == 0 || v->ref_aa == '*' || v->cls == VariantClass::kSplice) continue;
    ASSERT_GE(v->codon, 1);
    ASSERT_LE(v->codon, 393);
    EXPECT_EQ(v->ref_aa, protein[v->codon - 1]) << e.change;
  }
  // The tail: generated changes are canonical and name the true residue.
  Rng rng(7);
  std::set<std::string> distinct;
  for (int i = 0; i < 3000; ++i) {
    DrawnChange c = DrawChange(*tp53, "LMS", rng);
    ASSERT_EQ(NotCanonical("TP53", c.change), "") << c.change;
    auto v = CanonicalizeVariant(c.change, "TP53");
    if (v->ref_aa != 0 && v->cls != VariantClass::kSplice) {
      EXPECT_EQ(v->ref_aa, protein[v->codon - 1]) << c.change;
    }
    EXPECT_EQ(c.kind, v->cls == VariantClass::kFrameshift ? "INDEL" : "SNV") << c.change;
    distinct.insert(c.change);
  }
  EXPECT_GT(distinct.size(), 500u) << "a long tail";
}

TEST(SynthSpectrum, EveryFusionIsCanonicalAndFiledUnderAPartner) {
  for (const FusionSpectrum& f : FusionSpectra()) {
    std::set<std::string_view> partners;
    for (const FusionOption& o : f.options) {
      auto parsed = ParseFusion(o.fusion);
      ASSERT_TRUE(parsed.ok()) << o.fusion << ": " << parsed.status();
      EXPECT_EQ(parsed->canonical, o.fusion);
      EXPECT_TRUE(o.gene == parsed->gene_5p || o.gene == parsed->gene_3p) << o.gene << " " << o.fusion;
      EXPECT_TRUE(IsApprovedGene(o.gene)) << o.gene;
      partners.insert(o.fusion);
    }
    const bool defining = f.driver == "WT1" || f.driver == "TFE3";  // one fusion by definition
    if (!defining) {
      EXPECT_GE(partners.size(), 2u) << f.driver;
    }
  }
}

// One stored alteration, as the registry counts it.
std::string Key(const v1::Alteration& a) {
  if (a.kind() == v1::ALTERATION_KIND_FUSION) return a.fusion();
  if (!a.protein_change().empty()) return a.protein_change();
  if (!a.hgvs_c().empty()) return a.hgvs_c();
  return v1::AlterationKind_Name(a.kind());
}

// 5,000 cases over the 11 sites, generated once and imported through the
// agent's importer into one store per site.
class SynthCohortTest : public ::testing::Test {
 protected:
  struct Cohort {
    testing::TempDir dir;
    SynthResult written;
    std::vector<agent::ImportSummary> imports;
    std::vector<v1::Case> cases;
  };

  static void SetUpTestSuite() {
    cohort_ = new Cohort;
    SynthOptions o;
    o.seed = 20261130;
    o.total_cases = 5000;
    o.malformed_rate = 0;
    o.out_dir = cohort_->dir / "exports";
    auto written = WriteExports(o);
    ASSERT_TRUE(written.ok()) << written.status();
    cohort_->written = *written;
    for (const std::string& file : written->files) {
      const std::string site = std::filesystem::path(file).stem().string();
      agent::AgentStoreOptions so;
      so.path = cohort_->dir / ("store-" + site);
      so.min_free_bytes = 0;
      auto store = agent::AgentStore::Open(so);
      ASSERT_TRUE(store.ok()) << store.status();
      agent::Importer importer(**store, site, agent::SiteKeys{std::string(32, 'L'), std::string(32, 'R')});
      auto sum = importer.ImportFile(file);
      ASSERT_TRUE(sum.ok()) << sum.status();
      cohort_->imports.push_back(*sum);
      auto all = (*store)->AllCases();
      ASSERT_TRUE(all.ok()) << all.status();
      cohort_->cases.insert(cohort_->cases.end(), all->begin(), all->end());
    }
  }
  static void TearDownTestSuite() {
    delete cohort_;
    cohort_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(cohort_, nullptr);
    ASSERT_EQ(cohort_->cases.size(), 5000u) << "every generated case is stored";
  }

  // Each case's distinct changes of `gene` (over all its tests), counted.
  static std::map<std::string, int> ChangesOf(const std::string& gene) {
    std::map<std::string, int> counts;
    for (const v1::Case& c : cohort_->cases) {
      std::set<std::string> mine;
      for (const auto& t : c.tests())
        for (const auto& a : t.alterations())
          if (a.gene() == gene) mine.insert(Key(a));
      for (const auto& k : mine) ++counts[k];
    }
    return counts;
  }
  static std::vector<std::pair<int, std::string>> ByCount(const std::map<std::string, int>& counts) {
    std::vector<std::pair<int, std::string>> out;
    for (const auto& [k, n] : counts) out.push_back({n, k});
    std::sort(out.rbegin(), out.rend());
    return out;
  }

  static Cohort* cohort_;
};

SynthCohortTest::Cohort* SynthCohortTest::cohort_ = nullptr;

TEST_F(SynthCohortTest, EveryRowIsAcceptedByTheImporterAndTheCentresValidation) {
  int64_t rows = 0, merged = 0;
  for (const agent::ImportSummary& s : cohort_->imports) {
    std::string errors;
    for (const auto& e : s.errors) errors += e + "\n";
    EXPECT_EQ(s.quarantined, 0) << s.path << "\n" << errors;
    EXPECT_EQ(s.alterations_quarantined, 0) << s.path << "\n" << errors;
    rows += s.rows;
    merged += s.merged_tests;
  }
  EXPECT_EQ(rows, cohort_->written.rows);
  EXPECT_EQ(merged, cohort_->written.later_tests) << "each later test joins its case";
  EXPECT_EQ(rows, 5000 + cohort_->written.later_tests);
  for (const v1::Case& c : cohort_->cases) {
    const auto errs = ValidateCase(c);
    EXPECT_TRUE(errs.empty()) << c.case_id() << ": " << FormatErrors(errs);
  }
}

TEST_F(SynthCohortTest, Tp53HasManyDistinctChangesWithTheHotspotsMostFrequent) {
  const auto counts = ChangesOf("TP53");
  EXPECT_GT(counts.size(), 20u);
  const std::set<std::string> hotspots = {"p.R175H", "p.R273H", "p.R248Q", "p.R273C", "p.R248W",
                                          "p.R282W", "p.Y220C", "p.G245S", "p.R213*"};
  const auto ranked = ByCount(counts);
  ASSERT_GE(ranked.size(), 5u);
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(hotspots.count(ranked[i].second), 1u) << "#" << i + 1 << " is " << ranked[i].second;
  }
  // Truncating and splice changes are there too.
  int truncating = 0, splice = 0;
  for (const auto& [k, n] : counts) {
    if (k.back() == '*' || (k.size() > 2 && k.compare(k.size() - 2, 2, "fs") == 0)) truncating += n;
    if (k.find("_splice") != std::string::npos) splice += n;
  }
  EXPECT_GT(truncating, 0);
  EXPECT_GT(splice, 0);
}

TEST_F(SynthCohortTest, KrasCodon12Dominates) {
  const auto counts = ChangesOf("KRAS");
  int total = 0, g12 = 0;
  for (const auto& [k, n] : counts) {
    total += n;
    if (k.rfind("p.G12", 0) == 0) g12 += n;
  }
  ASSERT_GT(total, 100);
  EXPECT_GT(g12, total * 6 / 10) << g12 << " of " << total;
  EXPECT_LT(g12, total) << "and G13, Q61, A146 too";
  EXPECT_EQ(ByCount(counts).front().second, "p.G12D");
}

TEST_F(SynthCohortTest, DriverFusionsHaveSeveralPartners) {
  std::map<std::string, std::set<std::string>> partners;
  for (const v1::Case& c : cohort_->cases)
    for (const auto& t : c.tests())
      for (const auto& a : t.alterations())
        if (a.kind() == v1::ALTERATION_KIND_FUSION) partners[a.gene()].insert(a.fusion());
  EXPECT_GE(partners["ALK"].size(), 3u);
  EXPECT_GE(partners["EWSR1"].size(), 2u);
  EXPECT_GE(partners["SS18"].size(), 2u);
  EXPECT_GE(partners["FGFR2"].size(), 2u);
}

TEST_F(SynthCohortTest, AmplificationsAndDeletionsFollowTheCancerType) {
  int ddls = 0, ddls_mdm2 = 0;
  for (const v1::Case& c : cohort_->cases) {
    if (c.oncotree_code() != "DDLS" || c.tests_size() == 0) continue;
    ++ddls;
    for (const auto& a : c.tests(0).alterations())
      if (a.gene() == "MDM2" && a.kind() == v1::ALTERATION_KIND_AMP) ++ddls_mdm2;
  }
  ASSERT_GT(ddls, 50);
  EXPECT_GT(ddls_mdm2, ddls * 2 / 3) << "MDM2 amplification defines dedifferentiated liposarcoma";
}

TEST_F(SynthCohortTest, SomeCasesHaveLaterTestsThatShareAndAddAlterations) {
  int several = 0, shared = 0, added = 0;
  for (const v1::Case& c : cohort_->cases) {
    if (c.tests_size() < 2) continue;
    ++several;
    std::set<std::string> first;
    for (const auto& a : c.tests(0).alterations()) first.insert(a.gene() + " " + Key(a));
    for (int i = 1; i < c.tests_size(); ++i) {
      EXPECT_GT(c.tests(i).report_day(), c.tests(i - 1).report_day()) << c.case_id();
      EXPECT_LE(c.tests(i).report_day(), c.last_contact_day()) << c.case_id();
      for (const auto& a : c.tests(i).alterations()) {
        (first.count(a.gene() + " " + Key(a)) ? shared : added) += 1;
      }
    }
  }
  EXPECT_GT(several, 5000 * 5 / 100);
  EXPECT_LT(several, 5000 * 20 / 100);
  EXPECT_GT(shared, several) << "most alterations are found again";
  EXPECT_GT(added, 0) << "some are new";
}

TEST_F(SynthCohortTest, MsiHighTumoursHaveHighTmbAndAreRareOutsideTheirTypes) {
  int msi_high = 0, measured = 0;
  std::map<bool, std::pair<int, int>> by_group;  // small bowel / ampullary or not: {MSI-H, tested}
  for (const v1::Case& c : cohort_->cases) {
    bool high = false, tested = false;
    for (const auto& t : c.tests()) {
      if (t.msi() == v1::MSI_HIGH) {
        high = true;
        if (t.tmb() >= 0) {
          ++measured;
          EXPECT_GE(t.tmb(), 10.0) << c.case_id();
        }
      }
      tested = tested || t.msi() == v1::MSI_HIGH || t.msi() == v1::MSI_STABLE;
    }
    msi_high += high;
    auto& g = by_group[c.oncotree_code() == "SBC" || c.oncotree_code() == "AMPCA"];
    g.first += high;
    g.second += tested;
  }
  EXPECT_GT(measured, 0);
  EXPECT_LT(msi_high, 5000 * 2 / 100) << "rare in rare cancers";
  const double intestinal = 1.0 * by_group[true].first / std::max(1, by_group[true].second);
  const double others = 1.0 * by_group[false].first / std::max(1, by_group[false].second);
  EXPECT_GT(intestinal, 3 * others);
}

TEST_F(SynthCohortTest, DeathsComeAfterRegistrationAndTheLivingHaveALastContact) {
  int dead = 0;
  for (const v1::Case& c : cohort_->cases) {
    EXPECT_GE(c.last_contact_day(), 0) << c.case_id();
    if (c.vital_status() == v1::VITAL_STATUS_DEAD) {
      ++dead;
      EXPECT_TRUE(c.has_death_day()) << c.case_id();
      EXPECT_GT(c.death_day(), 0) << c.case_id() << ": death after registration";
      EXPECT_GE(c.death_day(), c.last_contact_day()) << c.case_id();
      for (const auto& t : c.tests()) EXPECT_LE(t.report_day(), c.death_day()) << c.case_id();
    } else {
      EXPECT_FALSE(c.has_death_day()) << c.case_id();
    }
  }
  EXPECT_GT(dead, 5000 / 10);
  EXPECT_LT(dead, 5000 * 9 / 10);
}

std::map<std::string, std::string> ReadAll(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (const auto& f : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(f.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    out[f.path().filename().string()] = ss.str();
  }
  return out;
}

TEST(Synth, TheSameSeedGivesIdenticalBytesAndAnotherSeedOthers) {
  testing::TempDir dir;
  SynthOptions o;
  o.total_cases = 1500;
  o.seed = 99;
  o.out_dir = dir / "a";
  ASSERT_TRUE(WriteExports(o).ok());
  o.out_dir = dir / "b";
  ASSERT_TRUE(WriteExports(o).ok());
  o.seed = 100;
  o.out_dir = dir / "c";
  ASSERT_TRUE(WriteExports(o).ok());
  const auto a = ReadAll(dir / "a");
  ASSERT_EQ(a.size(), 11u);
  EXPECT_TRUE(a == ReadAll(dir / "b"));
  EXPECT_FALSE(a == ReadAll(dir / "c"));
}

TEST(Synth, TheDeliberatelyMalformedRowsAreTheOnlyRejects) {
  testing::TempDir dir;
  SynthOptions o;
  o.total_cases = 3000;
  o.seed = 5;
  o.malformed_rate = 0.01;
  o.out_dir = dir / "exports";
  auto written = WriteExports(o);
  ASSERT_TRUE(written.ok()) << written.status();
  ASSERT_EQ(written->malformed, 30);
  int64_t refused = 0;
  std::string errors;
  for (const std::string& file : written->files) {
    const std::string site = std::filesystem::path(file).stem().string();
    agent::AgentStoreOptions so;
    so.path = dir / ("store-" + site);
    so.min_free_bytes = 0;
    auto store = agent::AgentStore::Open(so);
    ASSERT_TRUE(store.ok()) << store.status();
    agent::Importer importer(**store, site, agent::SiteKeys{std::string(32, 'L'), std::string(32, 'R')});
    auto sum = importer.ImportFile(file);
    ASSERT_TRUE(sum.ok()) << sum.status();
    refused += sum->quarantined + sum->alterations_quarantined;
    for (const auto& e : sum->errors) errors += e + "\n";
  }
  EXPECT_EQ(refused, written->malformed) << errors;
}

}  // namespace
}  // namespace fedreg::synth
