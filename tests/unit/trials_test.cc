// Trial definitions (common/trial_definition.h) and matching one case
// against one trial (server/trial_matcher.h): the criteria parser and its
// errors, codon wildcard, fusion partner in either order, negation of an
// exact variant, exclusion by a descendant code, age on the day, arm
// suspension, the explanation and the ranking of matches.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "common/trial_definition.h"
#include "server/trial_matcher.h"
#include "tests/unit/test_case.h"

namespace fedreg {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

v1::Trial Parse(const std::string& yaml) {
  std::vector<TrialDefinitionError> errors;
  auto t = ParseTrialDefinition(yaml, "t.yaml", &errors);
  EXPECT_TRUE(t.ok()) << t.status();
  return t.ok() ? *t : v1::Trial();
}

std::string Errors(const std::string& yaml) {
  auto t = ParseTrialDefinition(yaml, "t.yaml");
  EXPECT_FALSE(t.ok());
  return std::string(t.status().message());
}

const char kHead[] =
    "trial_id: T1\n"
    "title: Test trial\n"
    "sponsor: chugai\n"
    "status: open\n";

std::vector<std::string> ArmIds(const std::vector<server::ArmMatch>& m) {
  std::vector<std::string> out;
  for (const auto& a : m) out.push_back(a.arm_id);
  return out;
}

v1::Alteration* AddAlteration(v1::Case* c, const std::string& gene, v1::AlterationKind kind,
                              const std::string& change = "", const std::string& fusion = "") {
  auto* a = c->mutable_tests(0)->add_alterations();
  a->set_gene(gene);
  a->set_kind(kind);
  a->set_protein_change(change);
  a->set_fusion(fusion);
  return a;
}

const absl::CivilDay kToday(2026, 11, 30);

TEST(TrialDefinition, ReadsEveryKeyInTheRegistrysStandardForms) {
  auto t = Parse(std::string(kHead) +
                 "jrct_id: jRCT2031200123\n"
                 "nct_id: NCT02034110\n"
                 "phase: \"2\"\n"
                 "sites: [ncch, kyoto]\n"
                 "match:\n"
                 "  and:\n"
                 "    - clinical: {oncotree: [MM, SOFT_TISSUE], exclude_oncotree: NSCLC, age: {min: 18}, alive: true,"
                 " ecog_max: 2, prior_lines: {max: 3}}\n"
                 "    - genomic: {gene: HER2, category: copy_number, cnv: amplification}\n"
                 "arms:\n"
                 "  - arm_id: A\n"
                 "    name: BRAF\n"
                 "    match:\n"
                 "      or:\n"
                 "        - genomic: {gene: braf, variant: p.Val600Glu}\n"
                 "        - genomic: {gene: BRAF, codon: V600}\n"
                 "        - biomarker: {msi: high, tmb_min: 10}\n"
                 "  - arm_id: B\n"
                 "    status: suspended\n"
                 "    match: {genomic: {gene: ALK, fusion: any}}\n");
  EXPECT_EQ(t.trial_id(), "T1");
  EXPECT_EQ(t.jrct_id(), "jRCT2031200123");
  EXPECT_EQ(t.nct_id(), "NCT02034110");
  EXPECT_EQ(t.status(), v1::TRIAL_STATUS_OPEN);
  EXPECT_THAT(t.sites(), ElementsAre("ncch", "kyoto"));
  const auto& clin = t.match().all_of().nodes(0).clinical();
  EXPECT_THAT(clin.oncotree(), ElementsAre("PCM", "SOFT_TISSUE")) << "MM is OncoTree's former code of PCM";
  EXPECT_THAT(clin.exclude_oncotree(), ElementsAre("NSCLC"));
  EXPECT_EQ(clin.min_age(), 18);
  EXPECT_EQ(clin.line(), 11);
  EXPECT_EQ(t.match().all_of().nodes(1).genomic().gene(), "ERBB2") << "HER2 is an alias of ERBB2";
  EXPECT_EQ(t.match().all_of().nodes(1).genomic().cnv_call(), v1::ALTERATION_KIND_AMP);
  const auto& arm_a = t.arms(0).match().any_of();
  EXPECT_EQ(arm_a.nodes(0).genomic().gene(), "BRAF");
  EXPECT_EQ(arm_a.nodes(0).genomic().protein_change(), "p.V600E") << "three-letter form canonicalised";
  EXPECT_EQ(arm_a.nodes(1).genomic().codon(), "V600");
  EXPECT_TRUE(arm_a.nodes(2).biomarker().msi_high());
  EXPECT_TRUE(t.arms(1).suspended());
  EXPECT_TRUE(t.arms(1).match().genomic().fusion());
  EXPECT_EQ(t.arms(1).match().genomic().fusion_partner(), "");
  EXPECT_THAT(DescribeMatchTree(t.arms(0).match()), HasSubstr("  genomic BRAF codon V600 (any substitution)  (line 19)"));
}

TEST(TrialDefinition, ReportsEveryProblemWithLineAndKeyAndLoadsNothing) {
  const std::string msg = Errors(std::string(kHead) +
                                 "phase: 5\n"
                                 "colour: blue\n"
                                 "arms:\n"
                                 "  - arm_id: A\n"
                                 "    match:\n"
                                 "      and:\n"
                                 "        - clinical: {oncotree: GBM}\n"
                                 "        - genomic: {gene: BRAF, variant: p.V600E, codon: V600}\n"
                                 "        - genomic: {gene: NOPE1}\n"
                                 "        - clinical: {age: {min: 70, max: 18}}\n"
                                 "        - gnomic: {gene: BRAF}\n"
                                 "  - arm_id: A\n"
                                 "    match: {genomic: {gene: ALK, fusion: any}}\n");
  EXPECT_THAT(msg, HasSubstr("t.yaml: 8 problems, nothing was loaded"));
  EXPECT_THAT(msg, HasSubstr("t.yaml:5: phase: '5': must be 1, 1/2, 2, 2/3, 3 or 4"));
  EXPECT_THAT(msg, HasSubstr("t.yaml:6: colour: unknown key 'colour'"));
  EXPECT_THAT(msg, HasSubstr("t.yaml:11: arms[1].match.and[1].clinical.oncotree: OncoTree code 'GBM' was retired by OncoTree (oncotree_2025_10_03); choose the current code: GB"));
  EXPECT_THAT(msg, HasSubstr("t.yaml:12: arms[1].match.and[2].genomic: give one of variant, codon"));
  EXPECT_THAT(msg, HasSubstr("t.yaml:13: arms[1].match.and[3].genomic.gene: 'NOPE1' is not an HGNC symbol"));
  EXPECT_THAT(msg, HasSubstr("t.yaml:14: arms[1].match.and[4].clinical.age: min is above max"));
  EXPECT_THAT(msg, HasSubstr("t.yaml:15: arms[1].match.and[5].gnomic: unknown node 'gnomic'"));
  EXPECT_THAT(msg, HasSubstr("t.yaml:16: arms[2].arm_id: 'A' is used by another arm"));
}

TEST(TrialDefinition, RefusesBrokenYamlAnAmbiguousAliasAndATrialWithNoTree) {
  EXPECT_THAT(Errors("trial_id: [unclosed\n"), HasSubstr("not valid YAML"));
  EXPECT_THAT(Errors(std::string(kHead) + "arms:\n  - arm_id: A\n"),
              HasSubstr("match: neither the trial nor any arm has a match tree"));
  EXPECT_THAT(Errors(std::string(kHead) + "arms: []\n"), HasSubstr("arms: a list of one or more arms is required"));
  EXPECT_THAT(Errors(std::string(kHead) + "nct_id: NCT123\narms:\n  - arm_id: A\n    match: {genomic: {gene: ALK}}\n"),
              HasSubstr("'NCT123': an NCT id is 'NCT' and 8 digits"));
  EXPECT_THAT(Errors("- just\n- a list\n"), HasSubstr("must be a YAML mapping"));
}

TEST(TrialMatcher, ACodonWildcardMatchesSubstitutionsOnly) {
  auto t = Parse(std::string(kHead) + "arms:\n  - arm_id: A\n    match: {genomic: {gene: BRAF, codon: V600}}\n");
  v1::Case c = testing::ValidCase();  // BRAF p.V600E
  EXPECT_THAT(ArmIds(server::MatchTrial(t, c, kToday)), ElementsAre("A"));
  c.mutable_tests(0)->mutable_alterations(0)->set_protein_change("p.V600K");
  EXPECT_THAT(ArmIds(server::MatchTrial(t, c, kToday)), ElementsAre("A"));
  for (const char* other : {"p.V600_K601delinsE", "p.V600fs", "p.V600*", "p.V600del", "p.V6000E"}) {
    c.mutable_tests(0)->mutable_alterations(0)->set_protein_change(other);
    EXPECT_TRUE(server::MatchTrial(t, c, kToday).empty()) << other;
  }
}

TEST(TrialMatcher, AFusionMatchesItsPartnerInEitherOrderAndAnyPartnerWhenAsked) {
  auto t = Parse(std::string(kHead) +
                 "arms:\n"
                 "  - arm_id: EML4\n    match: {genomic: {gene: ALK, fusion: EML4}}\n"
                 "  - arm_id: ANY\n    match: {genomic: {gene: ALK, fusion: any}}\n");
  v1::Case c = testing::ValidCase();
  c.mutable_tests(0)->clear_alterations();
  AddAlteration(&c, "ALK", v1::ALTERATION_KIND_FUSION, "", "EML4::ALK");
  EXPECT_THAT(ArmIds(server::MatchTrial(t, c, kToday)), ElementsAre("ANY", "EML4"));
  c.mutable_tests(0)->mutable_alterations(0)->set_fusion("ALK::EML4");  // reciprocal
  EXPECT_THAT(ArmIds(server::MatchTrial(t, c, kToday)), ElementsAre("ANY", "EML4"));
  c.mutable_tests(0)->mutable_alterations(0)->set_fusion("ALK::intergenic");
  EXPECT_THAT(ArmIds(server::MatchTrial(t, c, kToday)), ElementsAre("ANY"));
  c.mutable_tests(0)->mutable_alterations(0)->set_fusion("KIF5B::ALK");
  c.mutable_tests(0)->mutable_alterations(0)->set_gene("KIF5B");
  EXPECT_THAT(ArmIds(server::MatchTrial(t, c, kToday)), ElementsAre("ANY")) << "the gene column named the 5' side";
  c.mutable_tests(0)->mutable_alterations(0)->set_kind(v1::ALTERATION_KIND_SNV);
  c.mutable_tests(0)->mutable_alterations(0)->set_gene("ALK");
  c.mutable_tests(0)->mutable_alterations(0)->set_protein_change("p.F1174L");
  EXPECT_TRUE(server::MatchTrial(t, c, kToday).empty()) << "a point mutation is no fusion";
}

TEST(TrialMatcher, AnArmThatExcludesAnExactVariantNeverTakesAPatientWithIt) {
  auto t = Parse(std::string(kHead) +
                 "arms:\n"
                 "  - arm_id: G12C\n    match: {genomic: {gene: KRAS, variant: G12C}}\n"
                 "  - arm_id: OTHER\n"
                 "    match:\n"
                 "      and:\n"
                 "        - genomic: {gene: KRAS, category: mutation}\n"
                 "        - not: {genomic: {gene: KRAS, variant: G12C}}\n");
  v1::Case c = testing::ValidCase();
  c.mutable_tests(0)->clear_alterations();
  AddAlteration(&c, "KRAS", v1::ALTERATION_KIND_SNV, "p.G12C");
  EXPECT_THAT(ArmIds(server::MatchTrial(t, c, kToday)), ElementsAre("G12C"));
  AddAlteration(&c, "KRAS", v1::ALTERATION_KIND_SNV, "p.G13D");
  EXPECT_THAT(ArmIds(server::MatchTrial(t, c, kToday)), ElementsAre("G12C")) << "G12C with G13D: still excluded";
  c.mutable_tests(0)->mutable_alterations()->DeleteSubrange(0, 1);
  auto m = server::MatchTrial(t, c, kToday);
  ASSERT_THAT(ArmIds(m), ElementsAre("OTHER"));
  EXPECT_THAT(m[0].why, ElementsAre("line 11: genomic KRAS mutation: KRAS p.G13D (test NCC-ONCOPANEL)",
                                    "line 12: not (genomic KRAS p.G12C): none found"));
}

TEST(TrialMatcher, ACodeBelowAnExcludedCodeIsExcludedAndOneBelowAListedCodeMatches) {
  auto t = Parse(std::string(kHead) +
                 "match: {clinical: {oncotree: [LUNG, BILIARY_TRACT], exclude_oncotree: [NSCLC]}}\n"
                 "arms:\n  - arm_id: A\n");
  v1::Case c = testing::ValidCase();
  c.set_oncotree_code("LUAD");  // under NSCLC
  EXPECT_TRUE(server::MatchTrial(t, c, kToday).empty());
  c.set_oncotree_code("IHCH");
  auto m = server::MatchTrial(t, c, kToday);
  ASSERT_THAT(ArmIds(m), ElementsAre("A"));
  EXPECT_FALSE(m[0].exact_cancer_type);
  EXPECT_THAT(m[0].why[0], HasSubstr("line 5: clinical oncotree LUNG, BILIARY_TRACT (and below), not oncotree NSCLC (and below): "
                                     "oncotree IHCH"));
}

TEST(TrialMatcher, AgeIsCheckedOnTheDayAndOnlyWhenEveryPossibleBirthdayMeetsTheLimit) {
  v1::Case c = testing::ValidCase();
  // Registered in 2008-05 aged 18, born 1990: the 18th birthday had come by
  // the registration day, so the birthday lies between Jan 1 and May 31.
  c.set_registration_month("2008-05");
  c.set_age_at_registration(18);
  c.set_birth_year(1990);
  int lo = 0, hi = 0;
  ASSERT_TRUE(server::AgeRangeOn(c, absl::CivilDay(2008, 5, 31), &lo, &hi));
  EXPECT_EQ(lo, 18);
  EXPECT_EQ(hi, 18);
  ASSERT_TRUE(server::AgeRangeOn(c, absl::CivilDay(2009, 3, 1), &lo, &hi));
  EXPECT_EQ(lo, 18) << "a birthday in April or May has not come yet";
  EXPECT_EQ(hi, 19);

  auto t = Parse(std::string(kHead) + "arms:\n  - arm_id: A\n    match: {clinical: {age: {max: 18}}}\n");
  EXPECT_THAT(ArmIds(server::MatchTrial(t, c, absl::CivilDay(2008, 12, 31))), ElementsAre("A"));
  EXPECT_TRUE(server::MatchTrial(t, c, absl::CivilDay(2009, 1, 1)).empty())
      << "a January birthday would make the patient 19 on this day";
  auto adults = Parse(std::string(kHead) + "arms:\n  - arm_id: A\n    match: {clinical: {age: {min: 19}}}\n");
  EXPECT_TRUE(server::MatchTrial(adults, c, absl::CivilDay(2009, 5, 30)).empty()) << "a May 31 birthday is still to come";
  EXPECT_THAT(ArmIds(server::MatchTrial(adults, c, absl::CivilDay(2009, 5, 31))), ElementsAre("A"));

  c.set_birth_year(0);  // top-coded at 90
  c.set_age_at_registration(90);
  ASSERT_TRUE(server::AgeRangeOn(c, absl::CivilDay(2010, 6, 1), &lo, &hi));
  EXPECT_EQ(lo, 92);
  EXPECT_EQ(hi, -1);
  EXPECT_TRUE(server::MatchTrial(t, c, kToday).empty()) << "an unbounded age never meets a maximum";
}

TEST(TrialMatcher, SuspendedArmsClosedTrialsAndOtherSitesNeverMatch) {
  const std::string arms = "arms:\n  - arm_id: A\n    match: {genomic: {gene: BRAF}}\n"
                           "  - arm_id: B\n    status: suspended\n    match: {genomic: {gene: BRAF}}\n";
  v1::Case c = testing::ValidCase();
  EXPECT_THAT(ArmIds(server::MatchTrial(Parse(std::string(kHead) + arms), c, kToday)), ElementsAre("A"));
  auto closed = Parse(std::string(kHead) + arms);
  closed.set_status(v1::TRIAL_STATUS_CLOSED);
  EXPECT_TRUE(server::MatchTrial(closed, c, kToday).empty());
  auto elsewhere = Parse(std::string(kHead) + "sites: [kyoto]\n" + arms);
  EXPECT_TRUE(server::MatchTrial(elsewhere, c, kToday).empty()) << "ncch does not take part";
}

TEST(TrialMatcher, MatchesAreExplainedAndRankedVariantFirstThenExactCancerType) {
  auto t = Parse(std::string(kHead) +
                 "match: {clinical: {oncotree: [SOFT_TISSUE, LMS], alive: true}}\n"
                 "arms:\n"
                 "  - arm_id: GENE\n    match: {genomic: {gene: BRAF}}\n"
                 "  - arm_id: VARIANT\n    match: {genomic: {gene: BRAF, variant: V600E}}\n"
                 "  - arm_id: MSI\n    match: {biomarker: {msi: high}}\n");
  v1::Case c = testing::ValidCase();  // LMS, BRAF p.V600E, MSS
  auto m = server::MatchTrial(t, c, kToday);
  ASSERT_THAT(ArmIds(m), ElementsAre("VARIANT", "GENE"));
  EXPECT_TRUE(m[0].variant_level);
  EXPECT_TRUE(m[0].exact_cancer_type) << "LMS is listed itself";
  EXPECT_THAT(m[0].why, ElementsAre("line 5: clinical oncotree SOFT_TISSUE, LMS (and below), alive: oncotree LMS",
                                    "line 10: genomic BRAF p.V600E: BRAF p.V600E (test NCC-ONCOPANEL)"));
  c.set_vital_status(v1::VITAL_STATUS_DEAD);
  EXPECT_TRUE(server::MatchTrial(t, c, kToday).empty()) << "death ends every match";
}

// The demo's sample trials (deploy/trials/) load, and the two that exercise
// the tree do what their comments say.
TEST(SampleTrials, EveryFileLoadsAndTheTreeExercisersBehave) {
  const std::string dir = std::string(FEDREG_SOURCE_DIR) + "/deploy/trials/";
  std::map<std::string, v1::Trial> trials;
  for (const char* f : {"roar", "viola", "albert", "attack", "tackle", "kras-g12c", "ntrk"}) {
    auto t = ReadTrialDefinitionFile(dir + f + ".yaml");
    ASSERT_TRUE(t.ok()) << t.status();
    trials[f] = *t;
  }
  v1::Case c = testing::ValidCase();  // LMS, BRAF p.V600E
  EXPECT_THAT(ArmIds(server::MatchTrial(trials["roar"], c, kToday)), ElementsAre("BRAF-V600E"));

  c.mutable_tests(0)->clear_alterations();
  AddAlteration(&c, "KRAS", v1::ALTERATION_KIND_SNV, "p.G12C");
  AddAlteration(&c, "KRAS", v1::ALTERATION_KIND_SNV, "p.G13D");
  EXPECT_THAT(ArmIds(server::MatchTrial(trials["kras-g12c"], c, kToday)), ElementsAre("A"));

  c.mutable_tests(0)->clear_alterations();
  AddAlteration(&c, "NTRK3", v1::ALTERATION_KIND_FUSION, "", "ETV6::NTRK3");
  c.set_oncotree_code("IFS");
  EXPECT_THAT(ArmIds(server::MatchTrial(trials["ntrk"], c, kToday)), ElementsAre("TRK"));
  c.set_oncotree_code("THPA");  // papillary thyroid cancer, under THYROID
  EXPECT_TRUE(server::MatchTrial(trials["ntrk"], c, kToday).empty());

  c.mutable_tests(0)->clear_alterations();
  AddAlteration(&c, "ALK", v1::ALTERATION_KIND_FUSION, "", "EML4::ALK");
  c.set_oncotree_code("LUAD");
  EXPECT_TRUE(server::MatchTrial(trials["tackle"], c, kToday).empty()) << "NSCLC has approved ALK inhibitors";
  c.set_oncotree_code("IMT");
  EXPECT_THAT(ArmIds(server::MatchTrial(trials["tackle"], c, kToday)), ElementsAre("ALECTINIB"));
}

}  // namespace
}  // namespace fedreg
