// The national view at work through real processes and mutual TLS
// (docs/cohorts.md, docs/exports.md, docs/charts.md): fedregctl's cohort,
// persons, export and chart commands against a real aggregator fed by real
// agents, as the operator and as a sponsor. The numbers are checked against
// an independent count over the NDJSON export and the national view.
#include <gtest/gtest.h>
#include <tinyxml2.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "common/synth.h"
#include "tests/integration/cluster.h"
#include "tests/integration/ctl.h"

namespace fedreg::testing {
namespace {

nlohmann::json CtlJson(Cluster& c, const std::string& identity, std::vector<std::string> args) {
  args.insert(args.begin(), "--json");
  std::string out;
  EXPECT_EQ(RunFedregctl(c, identity, args, &out), 0) << out;
  auto j = nlohmann::json::parse(out, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << out;
  return j;
}

// protobuf's JSON writes int64 as strings.
int64_t Num(const nlohmann::json& j, const char* key) {
  if (!j.contains(key)) return 0;
  return j[key].is_string() ? std::stoll(j[key].get<std::string>()) : j[key].get<int64_t>();
}

class RegistryView : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster_ = new Cluster();
    Cluster& c = *cluster_;
    c.StartAggregator();
    synth::SynthOptions o;
    o.out_dir = c.dir() + "/exports";
    o.sites = {"ncch", "kyoto", "tohoku"};
    o.total_cases = 900;
    o.seed = 7;
    auto r = synth::WriteExports(o);
    ASSERT_TRUE(r.ok()) << r.status();
    for (const auto& site : o.sites) c.StartAgent(site);
    for (const auto& f : r->files) {
      const std::string site = std::filesystem::path(f).stem().string();
      c.Import(site, f);
    }
    for (const auto& site : o.sites) ASSERT_TRUE(c.WaitForDrain(site));
    // Every case, independently of the cohort code, from the NDJSON export.
    std::string out;
    ASSERT_EQ(RunFedregctl(c, "operator-admin", {"export", "ndjson", c.dir() + "/all.ndjson"}, &out), 0) << out;
    std::ifstream in(c.dir() + "/all.ndjson");
    std::string line;
    while (std::getline(in, line)) cases_->push_back(nlohmann::json::parse(line));
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
    cases_->clear();
  }
  static Cluster* cluster_;
  static std::vector<nlohmann::json>* cases_;
};
Cluster* RegistryView::cluster_ = nullptr;
std::vector<nlohmann::json>* RegistryView::cases_ = new std::vector<nlohmann::json>();

TEST_F(RegistryView, TheNdjsonExportHoldsEveryCaseOfTheView) {
  v1::GetStatsResponse stats;
  ASSERT_TRUE(cluster_->GetStats(false, &stats).ok());
  EXPECT_GT(stats.cases(), 800);
  EXPECT_EQ(static_cast<int64_t>(cases_->size()), stats.cases());
  std::set<std::string> ids;
  for (const auto& c : *cases_) ids.insert(c["case_id"].get<std::string>());
  EXPECT_EQ(ids.size(), cases_->size()) << "each case once";
}

TEST_F(RegistryView, ACohortCountsWhatTheCasesSayPerHospital) {
  // BRAF with a substitution at codon 600, alive, grouped by site.
  std::map<std::string, int64_t> expected;
  int64_t total = 0;
  for (const auto& c : *cases_) {
    if (c.value("vital_status", "") != "VITAL_STATUS_ALIVE") continue;
    bool hit = false;
    for (const auto& t : c.value("tests", nlohmann::json::array()))
      for (const auto& a : t.value("alterations", nlohmann::json::array())) {
        const std::string p = a.value("protein_change", "");
        hit = hit || (a.value("gene", "") == "BRAF" && p.size() == 7 && p.rfind("p.V600", 0) == 0 && std::isupper(p[6]));
      }
    if (!hit) continue;
    ++expected[c["site_id"].get<std::string>()];
    ++total;
  }
  ASSERT_GT(total, 0) << "the synthetic data carry BRAF V600 changes";
  auto j = CtlJson(*cluster_, "operator-admin", {"cohort", "--gene", "BRAF", "--protein", "V600", "--alive", "--by", "site", "--list"});
  EXPECT_EQ(Num(j, "cases"), total);
  std::map<std::string, int64_t> got;
  for (const auto& g : j["groups"]) got[g["value"].get<std::string>()] = Num(g, "cases");
  EXPECT_EQ(got, expected);
  EXPECT_EQ(static_cast<int64_t>(j["case_ids"].size()), total);

  // The sponsor's answer: the same query, counts only, small cells hidden.
  auto s = CtlJson(*cluster_, "sponsor-chugai", {"cohort", "--gene", "BRAF", "--protein", "V600", "--alive", "--by", "site", "--list"});
  EXPECT_TRUE(s.value("case_ids", nlohmann::json::array()).empty()) << "never to sponsors, even with --list";
  EXPECT_EQ(s["suppression_k"].get<int>(), 10);
  int hidden = 0;
  for (const auto& g : s["groups"]) {
    if (g.value("suppressed", false)) {
      ++hidden;
      EXPECT_EQ(Num(g, "cases"), 0);
    } else {
      EXPECT_GE(Num(g, "cases"), 10);
      EXPECT_EQ(Num(g, "cases"), expected[g["value"].get<std::string>()]);
    }
  }
  EXPECT_NE(hidden, 1) << "a lone hidden cell takes the smallest visible one with it";

  // Both queries are in the audit log: who, the grouping, the criteria as
  // the centre read them, and the count returned.
  auto audit = CtlJson(*cluster_, "operator-admin", {"audit", "list", "--limit", "20"});
  int seen = 0;
  for (const auto& e : audit["entries"]) {
    if (e.value("action", "") != "admin.Cohort") continue;
    const std::string detail = e.value("detail", "");
    EXPECT_EQ(e.value("target", ""), "by site");
    EXPECT_NE(detail.find("BRAF"), std::string::npos) << detail;
    if (e.value("who", "") == "operator/admin") {
      EXPECT_NE(detail.find("-> " + std::to_string(total) + " cases"), std::string::npos) << detail;
    }
    ++seen;
  }
  EXPECT_EQ(seen, 2) << audit.dump();
}

TEST_F(RegistryView, AWrongFlagIsNamedAndSponsorsGetNoCaseLevelExport) {
  std::string out;
  EXPECT_EQ(RunFedregctl(*cluster_, "operator-admin", {"cohort", "--oncotree", "NOT_A_CODE"}, &out), 1);
  EXPECT_NE(out.find("--oncotree"), std::string::npos) << out;
  EXPECT_NE(out.find("NOT_A_CODE"), std::string::npos) << out;
  EXPECT_EQ(RunFedregctl(*cluster_, "sponsor-chugai", {"export", "ndjson", cluster_->dir() + "/s.ndjson"}, &out), 1);
  EXPECT_NE(out.find("PERMISSION_DENIED"), std::string::npos) << out;
  EXPECT_FALSE(std::filesystem::exists(cluster_->dir() + "/s.ndjson"));
  EXPECT_EQ(RunFedregctl(*cluster_, "sponsor-chugai", {"export", "cbioportal", cluster_->dir() + "/s-study"}, &out), 1);
  EXPECT_NE(out.find("PERMISSION_DENIED"), std::string::npos) << out;
}

TEST_F(RegistryView, TheCbioportalExportHasAPatientPerCaseAndASamplePerTest) {
  const std::string dir = cluster_->dir() + "/study";
  std::string out;
  ASSERT_EQ(RunFedregctl(*cluster_, "operator-admin", {"export", "cbioportal", dir}, &out), 0) << out;
  int64_t tests = 0;
  for (const auto& c : *cases_) tests += static_cast<int64_t>(c.value("tests", nlohmann::json::array()).size());
  auto data_rows = [](const std::string& path) {
    std::ifstream in(path);
    std::string line;
    int64_t n = 0;
    bool header = false;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      if (!header) {
        header = true;
        continue;
      }
      ++n;
    }
    return n;
  };
  EXPECT_EQ(data_rows(dir + "/data_clinical_patient.txt"), static_cast<int64_t>(cases_->size()));
  EXPECT_EQ(data_rows(dir + "/data_clinical_sample.txt"), tests);
  EXPECT_TRUE(std::filesystem::exists(dir + "/meta_study.txt"));
  EXPECT_TRUE(std::filesystem::exists(dir + "/case_lists/cases_sequenced.txt"));

  // A cohort's study says which cases it holds, in words.
  const std::string braf = cluster_->dir() + "/study-braf";
  ASSERT_EQ(RunFedregctl(*cluster_, "operator-admin",
                         {"export", "cbioportal", braf, "--gene", "BRAF", "--protein", "V600"}, &out),
            0)
      << out;
  std::ifstream meta(braf + "/meta_study.txt");
  std::string line, description;
  while (std::getline(meta, line))
    if (line.rfind("description:", 0) == 0) description = line;
  EXPECT_NE(description.find("Cases meeting: and; genomic BRAF codon V600 (any substitution)."), std::string::npos)
      << description;
  const int64_t some = data_rows(braf + "/data_clinical_patient.txt");
  EXPECT_GT(some, 0);
  EXPECT_LT(some, static_cast<int64_t>(cases_->size()));
}

TEST_F(RegistryView, TheRegistrationsChartsBarsAndTotalsEqualTheView) {
  const std::string path = cluster_->dir() + "/registrations.svg";
  std::string out;
  ASSERT_EQ(RunFedregctl(*cluster_, "operator-admin", {"chart", "registrations", "--out", path}, &out), 0) << out;
  v1::GetStatsResponse stats;
  ASSERT_TRUE(cluster_->GetStats(false, &stats).ok());
  std::map<std::string, int64_t> view;  // "YYYY-MM solid" -> count
  for (const auto& c : stats.counts())
    if (c.dimension() == "month") view[c.value()] = c.count();
  tinyxml2::XMLDocument doc;
  ASSERT_EQ(doc.LoadFile(path.c_str()), tinyxml2::XML_SUCCESS) << doc.ErrorStr();
  std::map<std::string, int64_t> bars;
  int64_t bar_total = 0, end_total = -1;
  std::vector<tinyxml2::XMLElement*> stack = {doc.RootElement()};
  while (!stack.empty()) {
    auto* e = stack.back();
    stack.pop_back();
    for (auto* ch = e->FirstChildElement(); ch != nullptr; ch = ch->NextSiblingElement()) stack.push_back(ch);
    const char* cls = e->Attribute("class");
    if (cls == nullptr) continue;
    if (std::string(cls) == "bar") {
      std::string series = e->Attribute("data-series");
      for (auto& ch : series) ch = static_cast<char>(std::tolower(ch));
      const int64_t n = e->Int64Attribute("data-count");
      bars[std::string(e->Attribute("data-month")) + " " + series] += n;
      bar_total += n;
    } else if (std::string(cls) == "cumulative-point" && std::string(e->Attribute("data-series")) == "All") {
      end_total = e->Int64Attribute("data-total");
    }
  }
  for (auto it = bars.begin(); it != bars.end();) it = it->second == 0 ? bars.erase(it) : std::next(it);
  EXPECT_EQ(bars, view);
  EXPECT_EQ(bar_total, stats.cases());
  EXPECT_EQ(end_total, stats.cases());

  // By hospital: one curve per site, each ending at the site's count.
  ASSERT_EQ(RunFedregctl(*cluster_, "operator-admin", {"chart", "registrations", "--by", "site", "--out", path}, &out),
            0)
      << out;
  ASSERT_EQ(doc.LoadFile(path.c_str()), tinyxml2::XML_SUCCESS);
  std::map<std::string, int64_t> ends, sites;
  for (const auto& c : stats.counts())
    if (c.dimension() == "site") sites[c.value()] = c.count();
  stack = {doc.RootElement()};
  while (!stack.empty()) {
    auto* e = stack.back();
    stack.pop_back();
    for (auto* ch = e->FirstChildElement(); ch != nullptr; ch = ch->NextSiblingElement()) stack.push_back(ch);
    const char* cls = e->Attribute("class");
    if (cls != nullptr && std::string(cls) == "cumulative" && e->Attribute("data-series") != nullptr)
      ends[e->Attribute("data-series")] = e->Int64Attribute("data-total");
  }
  EXPECT_EQ(ends, sites);
}

TEST_F(RegistryView, PersonsAtTwoHospitalsAreListedForOperatorsAndCountedForSponsors) {
  auto op = CtlJson(*cluster_, "operator-admin", {"persons", "--multi-site"});
  v1::GetStatsResponse stats;
  ASSERT_TRUE(cluster_->GetStats(false, &stats).ok());
  // Cases minus persons is the number of extra registrations.
  int64_t extra = 0;
  for (const auto& p : op.value("list", nlohmann::json::array())) extra += static_cast<int64_t>(p["cases"].size()) - 1;
  EXPECT_EQ(stats.cases() - stats.unique_persons(), extra);
  EXPECT_EQ(Num(op, "persons"), static_cast<int64_t>(op.value("list", nlohmann::json::array()).size()));
  auto sp = CtlJson(*cluster_, "sponsor-chugai", {"persons", "--multi-site"});
  EXPECT_TRUE(sp.value("list", nlohmann::json::array()).empty());
  if (Num(op, "persons") < 10) EXPECT_TRUE(sp.value("persons_suppressed", false));
  else EXPECT_EQ(Num(sp, "persons"), Num(op, "persons"));
}

}  // namespace
}  // namespace fedreg::testing
