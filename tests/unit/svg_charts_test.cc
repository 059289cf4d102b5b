// fedregctl's SVG charts (cli/svg_charts.h): each document parses as XML, and
// the numbers it draws, read back from the data-* attributes, are the input's.
#include "cli/svg_charts.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <tinyxml2.h>

#include <cstdint>
#include <map>
#include <memory>
#include <numeric>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace fedreg::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// A parsed chart; fails the test when the document is not well-formed.
struct Svg {
  explicit Svg(const std::string& text) {
    const tinyxml2::XMLError err = xml.Parse(text.c_str(), text.size());
    EXPECT_EQ(err, tinyxml2::XML_SUCCESS) << xml.ErrorStr() << "\n" << text.substr(0, 2000);
  }
  const tinyxml2::XMLElement* Root() const { return xml.RootElement(); }

  // Every element named `tag` (any tag when empty) with class `cls` (any when empty), document order.
  std::vector<const tinyxml2::XMLElement*> Find(std::string_view tag, std::string_view cls = "") const {
    std::vector<const tinyxml2::XMLElement*> out;
    Walk(Root(), tag, cls, &out);
    return out;
  }

  // All character data, each text element's on its own line.
  std::string AllText() const {
    std::string s;
    for (const auto* e : Find("text")) s += std::string(e->GetText() != nullptr ? e->GetText() : "") + "\n";
    return s;
  }

  tinyxml2::XMLDocument xml;

 private:
  static void Walk(const tinyxml2::XMLElement* e, std::string_view tag, std::string_view cls,
                   std::vector<const tinyxml2::XMLElement*>* out) {
    if (e == nullptr) return;
    const char* c = e->Attribute("class");
    if ((tag.empty() || tag == e->Name()) && (cls.empty() || (c != nullptr && cls == c))) out->push_back(e);
    for (const auto* child = e->FirstChildElement(); child != nullptr; child = child->NextSiblingElement()) {
      Walk(child, tag, cls, out);
    }
  }
};

std::string Attr(const tinyxml2::XMLElement* e, const char* name) {
  const char* v = e->Attribute(name);
  return v != nullptr ? v : "";
}

int64_t Int(const tinyxml2::XMLElement* e, const char* name) {
  const std::string v = Attr(e, name);
  EXPECT_FALSE(v.empty()) << "missing " << name;
  return v.empty() ? -1 : std::stoll(v);
}

// Eight years of two series, with empty months, like the national figure.
RegistrationsInput NationalInput() {
  RegistrationsInput in;
  in.months = MonthRange("2019-01", "2026-10");
  Series solid{"Solid", {}};
  Series heme{"Hematologic", {}};
  for (size_t m = 0; m < in.months.size(); ++m) {
    const auto total = static_cast<int64_t>(35 + m / 2 + (m * 7) % 11);
    const int64_t h = m % 9 == 4 ? 0 : total * 15 / 100;
    solid.per_month.push_back(m == 3 ? 0 : total - h);
    heme.per_month.push_back(h);
  }
  in.series = {solid, heme};
  in.title = "Registrations";
  return in;
}

RegistrationsInput BySiteInput() {
  RegistrationsInput in;
  in.months = MonthRange("2024-01", "2025-12");
  in.stacked = false;
  const char* sites[] = {"ncch",  "kyoto",    "hokkaido", "kyushu",  "tohoku", "ncchd",
                         "aichi", "komagome", "toyama",   "okayama", "kindai"};
  for (size_t s = 0; s < std::size(sites); ++s) {
    Series series{sites[s], {}};
    for (size_t m = 0; m < in.months.size(); ++m) series.per_month.push_back(static_cast<int64_t>((s * 3 + m) % 7));
    in.series.push_back(series);
  }
  return in;
}

int64_t InputTotal(const RegistrationsInput& in) {
  int64_t t = 0;
  for (const auto& s : in.series) t += std::accumulate(s.per_month.begin(), s.per_month.end(), int64_t{0});
  return t;
}

TEST(SvgChartsMonthRange, SpansYearEndsInclusive) {
  EXPECT_THAT(MonthRange("2019-11", "2020-02"), ElementsAre("2019-11", "2019-12", "2020-01", "2020-02"));
  EXPECT_THAT(MonthRange("2024-03", "2024-03"), ElementsAre("2024-03"));
  EXPECT_EQ(MonthRange("2019-01", "2026-10").size(), 94u);
}

TEST(SvgChartsMonthRange, RejectsBadMonthsAndReversedRanges) {
  EXPECT_TRUE(MonthRange("2020-02", "2019-11").empty());
  EXPECT_TRUE(MonthRange("2020-13", "2021-01").empty());
  EXPECT_TRUE(MonthRange("2020-1", "2021-01").empty());
  EXPECT_TRUE(MonthRange("2020-01", "2021/01").empty());
}

TEST(SvgChartsRegistrations, DocumentIsAWellFormedFixedSizeSvg) {
  for (const RegistrationsInput& in : {NationalInput(), BySiteInput()}) {
    const std::string text = RegistrationsChart(in);
    Svg svg(text);
    ASSERT_NE(svg.Root(), nullptr);
    EXPECT_STREQ(svg.Root()->Name(), "svg");
    EXPECT_EQ(Attr(svg.Root(), "xmlns"), "http://www.w3.org/2000/svg");
    EXPECT_EQ(Int(svg.Root(), "width"), 960);
    EXPECT_EQ(Int(svg.Root(), "height"), 540);
    EXPECT_EQ(Attr(svg.Root(), "font-family"), "sans-serif");
    EXPECT_THAT(text, HasSubstr("encoding=\"UTF-8\""));
  }
}

TEST(SvgChartsRegistrations, EveryBarCarriesItsInputCount) {
  const RegistrationsInput in = NationalInput();
  Svg svg(RegistrationsChart(in));
  std::map<std::pair<std::string, std::string>, int64_t> want;  // (month, series) -> count, non-zero only
  for (const auto& s : in.series) {
    for (size_t m = 0; m < in.months.size(); ++m) {
      if (s.per_month[m] != 0) want[{in.months[m], s.name}] = s.per_month[m];
    }
  }
  std::map<std::pair<std::string, std::string>, int64_t> got;
  for (const auto* bar : svg.Find("rect", "bar")) {
    const auto key = std::make_pair(Attr(bar, "data-month"), Attr(bar, "data-series"));
    EXPECT_EQ(got.count(key), 0u) << key.first << " " << key.second << " drawn twice";
    got[key] = Int(bar, "data-count");
  }
  EXPECT_EQ(got, want);
}

TEST(SvgChartsRegistrations, BarsOfAMonthSumToThatMonthsInput) {
  for (const RegistrationsInput& in : {NationalInput(), BySiteInput()}) {
    Svg svg(RegistrationsChart(in));
    std::map<std::string, int64_t> sum;
    for (const auto* bar : svg.Find("rect", "bar")) sum[Attr(bar, "data-month")] += Int(bar, "data-count");
    for (size_t m = 0; m < in.months.size(); ++m) {
      int64_t want = 0;
      for (const auto& s : in.series) want += s.per_month[m];
      EXPECT_EQ(sum[in.months[m]], want) << in.months[m] << (in.stacked ? " stacked" : " by site");
    }
    if (!in.stacked) {
      for (const auto* bar : svg.Find("rect", "bar")) EXPECT_EQ(Attr(bar, "data-series"), "Total");
    }
  }
}

TEST(SvgChartsRegistrations, LastCumulativePointIsTheTotalOfAllInput) {
  const RegistrationsInput national = NationalInput();
  Svg stacked(RegistrationsChart(national));
  const auto points = stacked.Find("circle", "cumulative-point");
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(Attr(points[0], "data-series"), "All");
  EXPECT_EQ(Attr(points[0], "data-month"), "2026-10");
  EXPECT_EQ(Int(points[0], "data-total"), InputTotal(national));

  const RegistrationsInput sites = BySiteInput();
  Svg by_site(RegistrationsChart(sites));
  int64_t sum = 0;
  for (const auto* p : by_site.Find("circle", "cumulative-point")) sum += Int(p, "data-total");
  EXPECT_EQ(by_site.Find("circle", "cumulative-point").size(), 11u);
  EXPECT_EQ(sum, InputTotal(sites));
}

TEST(SvgChartsRegistrations, EachCurveIsTheRunningTotalOfItsSeries) {
  for (const RegistrationsInput& in : {NationalInput(), BySiteInput()}) {
    Svg svg(RegistrationsChart(in));
    const auto paths = svg.Find("path", "cumulative");
    ASSERT_EQ(paths.size(), in.series.size());
    for (size_t s = 0; s < in.series.size(); ++s) {
      EXPECT_EQ(Attr(paths[s], "data-series"), in.series[s].name);
      std::string want;
      int64_t running = 0;
      for (size_t m = 0; m < in.months.size(); ++m) {
        running += in.series[s].per_month[m];
        want += (m > 0 ? "," : "") + std::to_string(running);
      }
      EXPECT_EQ(Attr(paths[s], "data-cumulative"), want) << in.series[s].name;
      EXPECT_EQ(Int(paths[s], "data-total"), running);
    }
  }
}

TEST(SvgChartsRegistrations, MonthLabelsFallOnJanuaryAndDoNotOverlap) {
  Svg svg(RegistrationsChart(NationalInput()));  // 94 months on ~830 px
  const auto labels = svg.Find("text", "month-label");
  ASSERT_GE(labels.size(), 4u);
  double last_x = -1000;
  for (const auto* l : labels) {
    const std::string month = l->GetText() != nullptr ? l->GetText() : "";
    EXPECT_EQ(month.substr(4), "-01") << month;
    const double x = l->DoubleAttribute("x");
    EXPECT_GE(x - last_x, 60.0) << month << " is too close to the label before it";
    last_x = x;
  }
}

TEST(SvgChartsRegistrations, ShortSeriesCountZeroAndEmptyInputSaysSo) {
  RegistrationsInput in;
  in.months = MonthRange("2024-01", "2024-04");
  in.series = {{"Solid", {5, 6}}, {"Hematologic", {1, 0, 2, 0, 99}}};  // short, and one too long
  Svg svg(RegistrationsChart(in));
  const auto points = svg.Find("circle", "cumulative-point");
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(Int(points[0], "data-total"), 14);

  Svg empty(RegistrationsChart(RegistrationsInput{}));
  EXPECT_THAT(empty.AllText(), HasSubstr("No registrations"));
  EXPECT_TRUE(empty.Find("rect", "bar").empty());
}

AlterationsInput GenesInput() {
  using K = AlterationKind;
  AlterationsInput in;
  in.cases = 1000;
  in.top_n = 3;
  in.genes = {
      {"KRAS", {{K::kMissense, 120}, {K::kAmplification, 8}}},
      {"TP53", {{K::kMissense, 200}, {K::kTruncating, 90}, {K::kSplice, 12}, {K::kDeletion, 5}}},
      {"NTRK1", {{K::kFusion, 4}}},  // not in the top 3
      {"CDKN2A", {{K::kTruncating, 10}, {K::kDeletion, 80}, {K::kInframe, 0}}, 85},
  };
  return in;
}

TEST(SvgChartsAlterations, EveryBarCarriesItsInputCountInTheOncoPrintColour) {
  const AlterationsInput in = GenesInput();
  Svg svg(AlterationsChart(in));
  std::map<std::pair<std::string, std::string>, int64_t> got;
  for (const auto* bar : svg.Find("rect", "bar")) {
    const std::string kind = Attr(bar, "data-kind");
    got[{Attr(bar, "data-gene"), kind}] = Int(bar, "data-count");
    const std::optional<AlterationKind> k = ParseAlterationKind(kind);
    if (!k.has_value()) {
      ADD_FAILURE() << "unknown data-kind " << kind;
      continue;
    }
    EXPECT_EQ(Attr(bar, "fill"), AlterationKindColor(*k));
  }
  const std::map<std::pair<std::string, std::string>, int64_t> want = {
      {{"TP53", "missense"}, 200},    {{"TP53", "truncating"}, 90}, {{"TP53", "splice"}, 12},
      {{"TP53", "deletion"}, 5},      {{"KRAS", "missense"}, 120},  {{"KRAS", "amplification"}, 8},
      {{"CDKN2A", "truncating"}, 10}, {{"CDKN2A", "deletion"}, 80},
  };
  EXPECT_EQ(got, want);  // NTRK1 (5th by total) is left out, zeros are not drawn

  const auto genes = svg.Find("g", "gene");
  ASSERT_EQ(genes.size(), 3u);
  EXPECT_EQ(Attr(genes[0], "data-gene"), "TP53");
  EXPECT_EQ(Attr(genes[1], "data-gene"), "KRAS");
  EXPECT_EQ(Attr(genes[2], "data-gene"), "CDKN2A");
  EXPECT_EQ(Int(genes[0], "data-total"), 307);
  EXPECT_EQ(Int(genes[2], "data-cases-altered"), 85);
  EXPECT_THAT(svg.AllText(), HasSubstr("307 (30.7%)"));
  EXPECT_THAT(svg.AllText(), HasSubstr("85 (8.5%)"));  // CDKN2A: 85 cases of 1,000 (90 alterations)
}

TEST(SvgChartsAlterations, GenesRankByCasesAlteredAndTopNCuts) {
  using K = AlterationKind;
  AlterationsInput in;
  in.cases = 100;
  in.top_n = 2;
  in.genes = {
      {"MANYKINDS", {{K::kMissense, 20}, {K::kAmplification, 20}}, 25},  // 40 alterations in 25 cases
      {"ONEKIND", {{K::kFusion, 30}}},                                   // 30 cases
      {"SMALL", {{K::kMissense, 5}}},
  };
  Svg svg(AlterationsChart(in));
  const auto genes = svg.Find("g", "gene");
  ASSERT_EQ(genes.size(), 2u);
  EXPECT_EQ(Attr(genes[0], "data-gene"), "ONEKIND");
  EXPECT_EQ(Attr(genes[1], "data-gene"), "MANYKINDS");
  EXPECT_EQ(Int(genes[1], "data-total"), 40);
  EXPECT_THAT(svg.AllText(), HasSubstr("25 (25.0%)"));
  EXPECT_THAT(svg.AllText(), Not(HasSubstr("SMALL")));
}

TEST(SvgChartsAlterations, PaletteIsCBioPortalsOncoPrint) {
  EXPECT_EQ(AlterationKindColor(AlterationKind::kMissense), "#008000");
  EXPECT_EQ(AlterationKindColor(AlterationKind::kTruncating), "#000000");
  EXPECT_EQ(AlterationKindColor(AlterationKind::kInframe), "#993404");
  EXPECT_EQ(AlterationKindColor(AlterationKind::kFusion), "#8B00C9");
  EXPECT_EQ(AlterationKindColor(AlterationKind::kAmplification), "#ff0000");
  EXPECT_EQ(AlterationKindColor(AlterationKind::kDeletion), "#0000ff");
  for (const AlterationKind k : kAlterationKinds) EXPECT_EQ(ParseAlterationKind(AlterationKindName(k)), k);
  EXPECT_FALSE(ParseAlterationKind("nonsense").has_value());
}

FunnelInput TrialFunnel() {
  FunnelInput in;
  in.trial_id = "JCOG-RARE-2301";
  in.stages = {{"matched", 40, false},
               {"contacted", 30, false},
               {"referred", 18, false},
               {"screening", 9, false},
               {"enrolled", 4, false}};
  return in;
}

TEST(SvgChartsFunnel, StagesAndCountsEqualTheInput) {
  const FunnelInput in = TrialFunnel();
  Svg svg(FunnelChart(in));
  const auto bars = svg.Find("rect", "bar");
  ASSERT_EQ(bars.size(), in.stages.size());
  for (size_t i = 0; i < bars.size(); ++i) {
    EXPECT_EQ(Attr(bars[i], "data-stage"), in.stages[i].name);
    EXPECT_EQ(Int(bars[i], "data-count"), in.stages[i].count);
    EXPECT_EQ(Attr(bars[i], "data-suppressed"), "false");
  }
  // Widths in proportion to the counts.
  EXPECT_NEAR(bars[2]->DoubleAttribute("width") / bars[0]->DoubleAttribute("width"), 18.0 / 40, 0.01);
  const std::string text = svg.AllText();
  EXPECT_THAT(text, HasSubstr("JCOG-RARE-2301"));
  EXPECT_THAT(text, HasSubstr("18 (45% of matched)"));
  EXPECT_THAT(text, HasSubstr("4 (10% of matched)"));
}

TEST(SvgChartsFunnel, SuppressedStageShowsLessThanKAndNeverItsNumber) {
  FunnelInput in;
  in.trial_id = "TRIAL-A";
  in.stages = {{"matched", 40, false}, {"contacted", 20, false}, {"enrolled", 7, true}};
  const std::string text = FunnelChart(in);
  Svg svg(text);
  const auto bars = svg.Find("rect", "bar");
  ASSERT_EQ(bars.size(), 3u);
  EXPECT_EQ(Attr(bars[2], "data-stage"), "enrolled");
  EXPECT_EQ(Attr(bars[2], "data-suppressed"), "true");
  EXPECT_EQ(Attr(bars[2], "data-count"), "<10");
  EXPECT_EQ(Attr(bars[2], "fill"), "url(#hatch)");
  const auto labels = svg.Find("text", "bar-label");
  ASSERT_EQ(labels.size(), 3u);
  EXPECT_STREQ(labels[2]->GetText(), "<10");
  EXPECT_THAT(svg.AllText(), Not(HasSubstr("7")));
  // Nothing in the document depends on the hidden count.
  in.stages[2].count = 3;
  EXPECT_EQ(FunnelChart(in), text);
}

TEST(SvgChartsFunnel, NoPercentagesWhenTheFirstStageIsSuppressed) {
  FunnelInput in;
  in.trial_id = "TRIAL-B";
  in.suppression_k = 5;
  in.stages = {{"matched", 4, true}, {"contacted", 0, false}};
  Svg svg(FunnelChart(in));
  const auto labels = svg.Find("text", "bar-label");
  ASSERT_EQ(labels.size(), 2u);
  EXPECT_STREQ(labels[0]->GetText(), "<5");
  EXPECT_STREQ(labels[1]->GetText(), "0");
  EXPECT_THAT(svg.AllText(), Not(HasSubstr("%")));
}

TEST(SvgChartsText, MarkupInTitlesAndNamesIsEscaped) {
  RegistrationsInput reg = NationalInput();
  reg.title = "Q1 <draft> & \"final\" 'cut'";
  reg.series[0].name = "<script>alert(1)</script>";
  const std::string text = RegistrationsChart(reg);
  EXPECT_THAT(text, Not(HasSubstr("<script>")));
  EXPECT_THAT(text, Not(HasSubstr("<draft>")));
  Svg svg(text);
  const auto titles = svg.Find("text", "title");
  ASSERT_EQ(titles.size(), 1u);
  EXPECT_STREQ(titles[0]->GetText(), "Q1 <draft> & \"final\" 'cut'");
  EXPECT_EQ(Attr(svg.Find("path", "cumulative")[0], "data-series"), "<script>alert(1)</script>");

  AlterationsInput genes = GenesInput();
  genes.genes[1].gene = "A&B<C";
  Svg alt(AlterationsChart(genes));
  EXPECT_EQ(Attr(alt.Find("g", "gene")[0], "data-gene"), "A&B<C");

  FunnelInput funnel = TrialFunnel();
  funnel.trial_id = "X<1>&Y";
  Svg f(FunnelChart(funnel));
  EXPECT_THAT(f.AllText(), HasSubstr("Referral funnel: X<1>&Y"));
}

TEST(SvgChartsText, BadBytesAndControlCharactersStillGiveValidXml) {
  RegistrationsInput reg = NationalInput();
  reg.title = std::string("bad \xC3\x28 byte, bell \x07, nul ") + '\0' + " end";
  const std::string text = RegistrationsChart(reg);
  Svg svg(text);
  EXPECT_EQ(text.find('\x07'), std::string::npos);
  EXPECT_EQ(text.find('\0'), std::string::npos);
  const auto titles = svg.Find("text", "title");
  ASSERT_EQ(titles.size(), 1u);
  EXPECT_THAT(titles[0]->GetText(), HasSubstr("\xEF\xBF\xBD"));  // U+FFFD
}

TEST(SvgChartsSparkline, OneBlockPerValueFromMinToMax) {
  const std::string s = Sparkline({0, 10, 4, 14, 0});  // levels 0, 5, 2, 7, 0 of 0..7
  EXPECT_EQ(s, "▁▆▃█▁");
  EXPECT_EQ(s.size(), 5u * 3);  // each block is 3 bytes of UTF-8
  EXPECT_EQ(Sparkline({0, 1, 2, 3, 4, 5, 6, 7}), "▁▂▃▄▅▆▇█");
  EXPECT_EQ(Sparkline({-5, 5}), "▁█");
}

TEST(SvgChartsSparkline, AllEqualIsMidLevelAndEmptyIsEmpty) {
  EXPECT_EQ(Sparkline({42, 42, 42}), "▄▄▄");
  EXPECT_EQ(Sparkline({0}), "▄");
  EXPECT_EQ(Sparkline({}), "");
  EXPECT_EQ(Sparkline({INT64_MIN, INT64_MAX}), "▁█");
}

}  // namespace
}  // namespace fedreg::cli
