// Compiled-in facts for the synthetic exports. See synth_data.h.
//
// case-mix.tsv, alteration-priors.tsv, sites.tsv and trials.tsv are copied
// from the registry's reference data (the project's shared reference folder,
// reference/*.tsv; nothing reads it at build or run time); figures are kept
// as published there. Entries marked "addition" are not in the reference
// files and only make the synthetic data look more like real registry data.
// The protein changes and fusion partners behind the priors' genes are in
// synth_spectrum.cc, with their sources.
#include "common/synth_data.h"

namespace fedreg::synth {

const std::vector<CaseMixEntry>& CaseMix() {
  // case-mix.tsv: code, weight, hematologic; ages are an addition.
  static const auto* mix = new std::vector<CaseMixEntry>{
      {"LMS", 7, false, 58, 12},
      {"DDLS", 5, false, 62, 11},
      {"MFH", 4, false, 65, 13},
      {"GIST", 4, false, 64, 11},
      {"SYNS", 3, false, 35, 14},
      {"ANGS", 2.5, false, 70, 12},
      {"MPNST", 1.5, false, 40, 16},
      {"ASPS", 1, false, 28, 10},
      {"DSRCT", 1, false, 24, 8},
      {"EHAE", 1, false, 45, 15},
      {"EPIS", 1, false, 35, 15},
      {"PECOMA", 1, false, 50, 14},
      {"IMT", 0.5, false, 30, 18},
      {"CCS", 0.5, false, 35, 14},
      {"IFS", 0.2, false, 1, 0.5},
      {"OS", 2, false, 20, 12},
      {"ES", 2, false, 20, 10},
      {"CHS", 1.5, false, 52, 15},
      {"CHDM", 1.5, false, 60, 14},
      {"PANET", 4, false, 58, 13},
      {"MCC", 1, false, 75, 10},
      {"PHC", 1, false, 50, 15},
      {"GB", 2, false, 62, 13},
      {"ODG", 1.5, false, 45, 13},
      {"EPM", 1, false, 30, 20},
      {"MBL", 1, false, 10, 6},
      {"ACYC", 2, false, 55, 14},
      {"MUCC", 1, false, 50, 17},
      {"SDCA", 1, false, 66, 9},
      {"HNMASC", 0.5, false, 45, 16},
      {"THYC", 1.5, false, 60, 12},
      {"THYM", 1, false, 55, 13},
      {"PLMESO", 1.5, false, 70, 8},
      {"PEMESO", 0.5, false, 62, 12},
      {"IHCH", 3, false, 68, 10},
      {"EHCH", 1.5, false, 71, 9},
      {"GBC", 1.5, false, 71, 9},
      {"AMPCA", 1, false, 68, 10},
      {"SBC", 1.5, false, 64, 12},
      {"ACC", 1.5, false, 50, 16},
      {"THAP", 1, false, 72, 9},
      {"UM", 1.5, false, 60, 13},
      {"CUPNOS", 5, false, 66, 12},
      {"NBL", 0.5, false, 3, 2.5},
      {"LIHB", 0.3, false, 2, 1.5},
      {"JSCB", 0.1, false, 25, 15},
      {"ALCL", 1.5, true, 40, 22},
      {"PTCL", 1.5, true, 65, 13},
      {"MCL", 1, true, 67, 10},
      {"PCM", 1, true, 68, 10},
      {"HCL", 0.5, true, 58, 12},
      {"WM", 0.5, true, 70, 10},
      {"AML", 1, true, 60, 18},
      {"LCH", 0.8, true, 15, 20},
      {"ECD", 0.3, true, 55, 13},
      {"SM", 0.4, true, 55, 15},
      {"BPDCN", 0.3, true, 65, 15},
      {"ENKL", 0.5, true, 55, 14},
  };
  return *mix;
}

const std::vector<AlterationPrior>& AlterationPriors() {
  // alteration-priors.tsv, row for row: the genes, rates and overrides are
  // the reference's. The changes are not: where the reference names one
  // change per gene (TP53 p.R273H, KRAS p.G12D, ...) it stands for "an
  // alteration of the gene", and the change is drawn from the gene's
  // spectrum and the fusion from its partners (synth_spectrum.h; an empty
  // change below). BRAF keeps p.V600E: that row is V600E's own rate.
  // Exclusive groups (an addition): at most one alteration per group per
  // case. 1 GNAQ/GNA11, 2 one driver fusion, 3 IDH1, 4 CDKN2A, 5 BRAF,
  // 7 KIT/PDGFRA in GIST.
  static const auto* priors = new std::vector<AlterationPrior>{
      {"BRAF", 0.024,
       {{"HCL", 0.9}, {"THAP", 0.3}, {"IHCH", 0.05}, {"EHCH", 0.05},
        {"GBC", 0.05}, {"PCM", 0.04}, {"LCH", 0.5}, {"ECD", 0.5}},
       {{"BRAF", "SNV", "p.V600E", 1, "", ""}}, 5, true},
      // "ETV6::NTRK3 or TPM3::NTRK1"; NTRK2 (an addition) at a tenth.
      {"NTRK1|NTRK3", 0.003,
       {{"HNMASC", 0.9}, {"JSCB", 0.9}, {"IFS", 0.9}, {"IMT", 0.05}},
       {{"NTRK3", "FUSION", "", 0.8, "", ""},
        {"NTRK1", "FUSION", "", 0.2, "", "HNMASC JSCB IFS"},
        {"NTRK2", "FUSION", "", 0.1, "", "HNMASC JSCB IFS"}},
       2, true},
      // "NPM1::ALK or EML4::ALK or TPM3::ALK": partners by type.
      {"ALK", 0.002, {{"IMT", 0.5}, {"ALCL", 0.6}}, {{"ALK", "FUSION", "", 1, "", ""}}, 2, true},
      {"ERBB2", 0.025, {{"SDCA", 0.4}, {"EHCH", 0.15}, {"GBC", 0.15}},
       {{"ERBB2", "AMP", "", 1, "", ""}}, 0, true},
      {"MDM2", 0.052, {{"DDLS", 0.9}}, {{"MDM2", "AMP", "", 1, "", ""}}, 0, true},
      {"CDK4", 0.049, {{"DDLS", 0.8}}, {{"CDK4", "AMP", "", 1, "", ""}}, 0, true},
      // "exon 11 mutation" in GIST (the spectrum adds exon 9); systemic
      // mastocytosis carries the exon 17 hotspot D816V instead.
      {"KIT", 0.01, {{"GIST", 0.8}, {"SM", 0.9}}, {{"KIT", "SNV", "", 1, "", ""}}, 7, true},
      {"SS18", 0, {{"SYNS", 0.95}}, {{"SS18", "FUSION", "", 1, "", ""}}, 2, true},
      {"EWSR1", 0, {{"ES", 0.85}}, {{"EWSR1", "FUSION", "", 1, "", ""}}, 2, true},
      {"TFE3", 0, {{"ASPS", 0.95}}, {{"TFE3", "FUSION", "", 1, "", ""}}, 2, true},
      {"WT1", 0, {{"DSRCT", 0.95}}, {{"WT1", "FUSION", "", 1, "", ""}}, 2, true},
      {"ATF1", 0, {{"CCS", 0.9}}, {{"ATF1", "FUSION", "", 1, "", ""}}, 2, true},
      {"CAMTA1", 0, {{"EHAE", 0.9}}, {{"CAMTA1", "FUSION", "", 1, "", ""}}, 2, true},
      {"GNAQ", 0, {{"UM", 0.5}}, {{"GNAQ", "SNV", "", 1, "", ""}}, 1, true},
      {"GNA11", 0, {{"UM", 0.4}}, {{"GNA11", "SNV", "", 1, "", ""}}, 1, true},
      {"IDH1", 0.01, {{"IHCH", 0.15}, {"CHS", 0.5}}, {{"IDH1", "SNV", "", 1, "", ""}}, 3, true},
      {"FGFR2", 0, {{"IHCH", 0.12}}, {{"FGFR2", "FUSION", "", 1, "", ""}}, 2, true},
      {"MYD88", 0, {{"WM", 0.9}}, {{"MYD88", "SNV", "", 1, "", ""}}, 0, true},
      // As the reference writes it (the importer stores p.W288fs).
      {"NPM1", 0, {{"AML", 0.3}}, {{"NPM1", "INDEL", "p.W288Cfs*12", 1, "", ""}}, 0, true},
      // "ITD", written as protein insertions so that they are HGVS.
      {"FLT3", 0, {{"AML", 0.3}}, {{"FLT3", "INDEL", "", 1, "", ""}}, 0, true},
      {"MEN1", 0, {{"PANET", 0.4}}, {{"MEN1", "DEL", "", 1, "", ""}}, 0, true},
      {"NF1", 0, {{"MPNST", 0.8}}, {{"NF1", "DEL", "", 1, "", ""}}, 0, true},
      {"TP53", 0.32, {}, {{"TP53", "SNV", "", 1, "", ""}}, 0, true},
      {"KRAS", 0.10, {}, {{"KRAS", "SNV", "", 1, "", ""}}, 0, true},
      {"PIK3CA", 0.095, {}, {{"PIK3CA", "SNV", "", 1, "", ""}}, 0, true},
      {"CDKN2A", 0.049, {}, {{"CDKN2A", "DEL", "", 1, "", ""}}, 4, true},
      {"RB1", 0.049, {}, {{"RB1", "DEL", "", 1, "", ""}}, 0, true},
      // Additions: defining or common alterations the priors leave out, at
      // rough rates from the same kind of series.
      {"IDH1", 0, {{"ODG", 0.95}}, {{"IDH1", "SNV", "", 1, "", ""}}, 3, false},
      {"SMARCB1", 0, {{"EPIS", 0.9}}, {{"SMARCB1", "DEL", "", 1, "", ""}}, 0, false},
      {"MYC", 0.01, {{"ANGS", 0.25}, {"MBL", 0.1}}, {{"MYC", "AMP", "", 1, "", ""}}, 0, false},
      {"PTEN", 0.03, {}, {{"PTEN", "DEL", "", 1, "", ""}}, 0, false},
      {"NRAS", 0.02, {}, {{"NRAS", "SNV", "", 1, "", ""}}, 0, false},
      {"CTNNB1", 0.01, {{"LIHB", 0.7}}, {{"CTNNB1", "SNV", "", 1, "", ""}}, 0, false},
      {"ARID1A", 0.03, {}, {{"ARID1A", "SNV", "", 1, "", ""}}, 0, false},
      // BRAF other than V600E (about a third of BRAF-mutant cancers); none
      // in hairy cell leukemia.
      {"BRAF", 0.012, {{"HCL", 0}, {"LCH", 0.05}, {"ECD", 0.05}},
       {{"BRAF", "SNV", "", 1, "", ""}}, 5, false},
      // FLT3 tyrosine kinase domain in AML.
      {"FLT3", 0, {{"AML", 0.07}}, {{"FLT3", "SNV", "", 1, "", "", "FLT3-TKD"}}, 0, false},
      // PDGFRA in GIST: drawn only when KIT was not (group 7), so about 10%
      // of GIST.
      {"PDGFRA", 0, {{"GIST", 0.5}}, {{"PDGFRA", "SNV", "", 1, "", ""}}, 7, false},
      {"ROS1", 0.001, {{"IMT", 0.1}, {"GB", 0.01}}, {{"ROS1", "FUSION", "", 1, "", ""}}, 2, false},
      {"RET", 0.002, {}, {{"RET", "FUSION", "", 1, "", ""}}, 2, false},
      {"TERT", 0.03, {{"GB", 0.8}, {"ODG", 0.9}, {"THAP", 0.7}, {"MPNST", 0.1}, {"CHS", 0.1}},
       {{"TERT", "SNV", "", 1, "", ""}}, 0, false},
      {"EGFR", 0.01, {{"GB", 0.4}}, {{"EGFR", "AMP", "", 1, "", ""}}, 0, false},
      // CDKN2A deletion where it is far more common than the pan-cancer
      // rate (about half of glioblastoma and pleural mesothelioma, most
      // MPNST); group 4 with the reference row.
      {"CDKN2A", 0, {{"GB", 0.55}, {"MPNST", 0.7}, {"PLMESO", 0.45}, {"MFH", 0.15}},
       {{"CDKN2A", "DEL", "", 1, "", ""}}, 4, false},
  };
  return *priors;
}

const BiomarkerPrior& MsiHighPrior() {
  static const auto* prior = new BiomarkerPrior{0.037, {{"SBC", 0.09}, {"AMPCA", 0.05}}};
  return *prior;
}

const BiomarkerPrior& TmbHighPrior() {
  static const auto* prior = new BiomarkerPrior{
      0.14, {{"MCC", 0.3}, {"UM", 0.03}, {"LMS", 0.03}, {"DDLS", 0.03}, {"SYNS", 0.03}}};
  return *prior;
}

namespace {

// Additions. The reference's MSI-H default (3.7%) and TMB-high default (14%)
// are pan-cancer figures carried by common cancers (endometrial, colorectal,
// gastric; lung, melanoma); applied to every rare type they would make
// sarcomas as often MSI-H as gastric cancer. These per-type rates are rough
// approximations shaped on Bonneville R et al., JCO Precis Oncol 2017 (MSI
// across 39 types), Akagi K et al., Cancer Sci 2021;112:1105 (Japanese
// real-world MSI) and Chalmers ZR et al., Genome Med 2017;9:34 (TMB in
// 100,000 genomes); for synthetic data only.
const BiomarkerPrior& MsiHighAdditions() {
  static const auto* prior = new BiomarkerPrior{
      0.003,  // sarcomas, CNS, neuroendocrine, pediatric and hematologic types
      {{"CUPNOS", 0.02}, {"IHCH", 0.015}, {"EHCH", 0.02}, {"GBC", 0.02}, {"ACC", 0.03},
       {"MFH", 0.01}, {"LMS", 0.01}, {"GB", 0.01}, {"THAP", 0.01}, {"SDCA", 0.01},
       {"MCC", 0.005}}};
  return *prior;
}

const BiomarkerPrior& TmbHighAdditions() {
  static const auto* prior = new BiomarkerPrior{
      0.05,
      {{"ANGS", 0.3},    {"CUPNOS", 0.15}, {"SBC", 0.15},   {"AMPCA", 0.1},  {"THAP", 0.1},
       {"SDCA", 0.1},    {"MFH", 0.1},     {"GBC", 0.08},   {"EHCH", 0.06},  {"IHCH", 0.05},
       {"ACC", 0.05},    {"GB", 0.05},     {"MUCC", 0.05},  {"THYC", 0.05},  {"PTCL", 0.05},
       {"BPDCN", 0.05},  {"ENKL", 0.05},   {"MPNST", 0.03}, {"PECOMA", 0.03}, {"CHS", 0.03},
       {"OS", 0.03},     {"ODG", 0.03},    {"MCL", 0.03},   {"EPIS", 0.02},  {"IMT", 0.02},
       {"CCS", 0.02},    {"EHAE", 0.02},   {"GIST", 0.02},  {"PANET", 0.02}, {"CHDM", 0.02},
       {"ACYC", 0.02},   {"HNMASC", 0.02}, {"JSCB", 0.02},  {"MBL", 0.02},   {"THYM", 0.02},
       {"PLMESO", 0.02}, {"PEMESO", 0.02}, {"ALCL", 0.02},  {"PCM", 0.02},   {"WM", 0.02},
       {"ES", 0.01},     {"ASPS", 0.01},   {"DSRCT", 0.01}, {"IFS", 0.01},   {"NBL", 0.01},
       {"LIHB", 0.01},   {"EPM", 0.01},    {"PHC", 0.01},   {"HCL", 0.01},   {"AML", 0.01},
       {"LCH", 0.01},    {"ECD", 0.01},    {"SM", 0.01}}};
  return *prior;
}

double RateFor(const BiomarkerPrior& reference, const BiomarkerPrior& additions,
               std::string_view code) {
  for (const RateOverride& o : reference.overrides) {
    if (o.code == code) return o.rate;
  }
  for (const RateOverride& o : additions.overrides) {
    if (o.code == code) return o.rate;
  }
  return additions.default_rate;
}

}  // namespace

double MsiHighRate(std::string_view code) {
  return RateFor(MsiHighPrior(), MsiHighAdditions(), code);
}

double TmbHighRate(std::string_view code) {
  return RateFor(TmbHighPrior(), TmbHighAdditions(), code);
}

const std::vector<NameEntry>& FamilyNames() {
  // Common Japanese family names, roughly by frequency. 斎藤/斉藤 share a
  // reading, as in real life.
  static const auto* names = new std::vector<NameEntry>{
      {"佐藤", "サトウ", 'X', 0, 18}, {"鈴木", "スズキ", 'X', 0, 17},
      {"高橋", "タカハシ", 'X', 0, 14}, {"田中", "タナカ", 'X', 0, 13},
      {"伊藤", "イトウ", 'X', 0, 11}, {"渡辺", "ワタナベ", 'X', 0, 11},
      {"山本", "ヤマモト", 'X', 0, 11}, {"中村", "ナカムラ", 'X', 0, 10},
      {"小林", "コバヤシ", 'X', 0, 10}, {"加藤", "カトウ", 'X', 0, 9},
      {"吉田", "ヨシダ", 'X', 0, 8}, {"山田", "ヤマダ", 'X', 0, 8},
      {"佐々木", "ササキ", 'X', 0, 7}, {"山口", "ヤマグチ", 'X', 0, 7},
      {"松本", "マツモト", 'X', 0, 7}, {"井上", "イノウエ", 'X', 0, 6},
      {"木村", "キムラ", 'X', 0, 6}, {"林", "ハヤシ", 'X', 0, 6},
      {"斎藤", "サイトウ", 'X', 0, 5}, {"清水", "シミズ", 'X', 0, 5},
      {"山崎", "ヤマザキ", 'X', 0, 5}, {"森", "モリ", 'X', 0, 5},
      {"池田", "イケダ", 'X', 0, 5}, {"橋本", "ハシモト", 'X', 0, 5},
      {"阿部", "アベ", 'X', 0, 5}, {"石川", "イシカワ", 'X', 0, 4},
      {"山下", "ヤマシタ", 'X', 0, 4}, {"中島", "ナカジマ", 'X', 0, 4},
      {"石井", "イシイ", 'X', 0, 4}, {"小川", "オガワ", 'X', 0, 4},
      {"前田", "マエダ", 'X', 0, 4}, {"岡田", "オカダ", 'X', 0, 4},
      {"長谷川", "ハセガワ", 'X', 0, 4}, {"藤田", "フジタ", 'X', 0, 4},
      {"後藤", "ゴトウ", 'X', 0, 4}, {"近藤", "コンドウ", 'X', 0, 4},
      {"村上", "ムラカミ", 'X', 0, 3}, {"遠藤", "エンドウ", 'X', 0, 3},
      {"青木", "アオキ", 'X', 0, 3}, {"坂本", "サカモト", 'X', 0, 3},
      {"斉藤", "サイトウ", 'X', 0, 3}, {"福田", "フクダ", 'X', 0, 3},
      {"太田", "オオタ", 'X', 0, 3}, {"西村", "ニシムラ", 'X', 0, 3},
      {"藤井", "フジイ", 'X', 0, 3}, {"金子", "カネコ", 'X', 0, 3},
      {"岡本", "オカモト", 'X', 0, 3}, {"藤原", "フジワラ", 'X', 0, 3},
      {"中野", "ナカノ", 'X', 0, 3}, {"三浦", "ミウラ", 'X', 0, 3},
      {"原田", "ハラダ", 'X', 0, 3}, {"中川", "ナカガワ", 'X', 0, 3},
      {"松田", "マツダ", 'X', 0, 3}, {"竹内", "タケウチ", 'X', 0, 3},
      {"小野", "オノ", 'X', 0, 3}, {"田村", "タムラ", 'X', 0, 3},
      {"和田", "ワダ", 'X', 0, 2}, {"石田", "イシダ", 'X', 0, 2},
      {"上田", "ウエダ", 'X', 0, 2}, {"工藤", "クドウ", 'X', 0, 2},
      {"菅原", "スガワラ", 'X', 0, 2}, {"千葉", "チバ", 'X', 0, 2},
      {"菊地", "キクチ", 'X', 0, 2}, {"大塚", "オオツカ", 'X', 0, 2},
      {"比嘉", "ヒガ", 'X', 0, 1}, {"長谷部", "ハセベ", 'X', 0, 1},
  };
  return *names;
}

const std::vector<NameEntry>& GivenNames() {
  static const auto* names = new std::vector<NameEntry>{
      // Male, born before 1960.
      {"茂", "シゲル", 'M', 1, 3}, {"清", "キヨシ", 'M', 1, 3},
      {"実", "ミノル", 'M', 1, 3}, {"勝", "マサル", 'M', 1, 3},
      {"進", "ススム", 'M', 1, 3}, {"正男", "マサオ", 'M', 1, 3},
      {"和夫", "カズオ", 'M', 1, 3}, {"博", "ヒロシ", 'M', 1, 4},
      {"修", "オサム", 'M', 1, 3}, {"勇", "イサム", 'M', 1, 2},
      {"三郎", "サブロウ", 'M', 1, 2}, {"一郎", "イチロウ", 'M', 1, 2},
      // Male, born 1960-1994.
      {"浩", "ヒロシ", 'M', 2, 3}, {"誠", "マコト", 'M', 2, 4},
      {"隆", "タカシ", 'M', 2, 3}, {"健一", "ケンイチ", 'M', 2, 3},
      {"直樹", "ナオキ", 'M', 2, 3}, {"大輔", "ダイスケ", 'M', 2, 4},
      {"健太", "ケンタ", 'M', 2, 3}, {"拓也", "タクヤ", 'M', 2, 3},
      {"達也", "タツヤ", 'M', 2, 3}, {"和也", "カズヤ", 'M', 2, 3},
      {"秀樹", "ヒデキ", 'M', 2, 2}, {"聡", "サトシ", 'M', 2, 3},
      {"剛", "ツヨシ", 'M', 2, 2}, {"明", "アキラ", 'M', 2, 2},
      {"幸一", "コウイチ", 'M', 2, 2}, {"太郎", "タロウ", 'M', 2, 2},
      // Male, born 1995 or later.
      {"翔太", "ショウタ", 'M', 3, 4}, {"蓮", "レン", 'M', 3, 4},
      {"大翔", "ヒロト", 'M', 3, 3}, {"悠真", "ユウマ", 'M', 3, 3},
      {"湊", "ミナト", 'M', 3, 3}, {"陽翔", "ハルト", 'M', 3, 3},
      {"悠人", "ユウト", 'M', 3, 3}, {"颯太", "ソウタ", 'M', 3, 3},
      {"樹", "イツキ", 'M', 3, 2}, {"陽向", "ヒナタ", 'M', 3, 2},
      {"蒼", "アオイ", 'M', 3, 2}, {"亮", "リョウ", 'M', 3, 2},
      // Female, born before 1960.
      {"幸子", "サチコ", 'F', 1, 4}, {"和子", "カズコ", 'F', 1, 4},
      {"節子", "セツコ", 'F', 1, 3}, {"千代子", "チヨコ", 'F', 1, 2},
      {"静子", "シズコ", 'F', 1, 2}, {"文子", "フミコ", 'F', 1, 2},
      {"洋子", "ヨウコ", 'F', 1, 3}, {"恵子", "ケイコ", 'F', 1, 3},
      {"京子", "キョウコ", 'F', 1, 3}, {"花子", "ハナコ", 'F', 1, 2},
      {"久子", "ヒサコ", 'F', 1, 2}, {"美代子", "ミヨコ", 'F', 1, 2},
      // Female, born 1960-1994.
      {"久美子", "クミコ", 'F', 2, 3}, {"由美子", "ユミコ", 'F', 2, 3},
      {"真由美", "マユミ", 'F', 2, 3}, {"美穂", "ミホ", 'F', 2, 3},
      {"恵美", "エミ", 'F', 2, 3}, {"智子", "トモコ", 'F', 2, 3},
      {"裕子", "ユウコ", 'F', 2, 3}, {"直美", "ナオミ", 'F', 2, 3},
      {"明美", "アケミ", 'F', 2, 2}, {"陽子", "ヨウコ", 'F', 2, 2},
      {"香織", "カオリ", 'F', 2, 2}, {"亜希子", "アキコ", 'F', 2, 2},
      {"美香", "ミカ", 'F', 2, 2}, {"由紀", "ユキ", 'F', 2, 2},
      {"沙織", "サオリ", 'F', 2, 2}, {"麻衣", "マイ", 'F', 2, 2},
      // Female, born 1995 or later. さくら is written in hiragana.
      {"愛", "アイ", 'F', 3, 3}, {"彩", "アヤ", 'F', 3, 3},
      {"美咲", "ミサキ", 'F', 3, 3}, {"陽菜", "ヒナ", 'F', 3, 3},
      {"結衣", "ユイ", 'F', 3, 3}, {"凛", "リン", 'F', 3, 2},
      {"葵", "アオイ", 'F', 3, 3}, {"芽依", "メイ", 'F', 3, 2},
      {"結菜", "ユイナ", 'F', 3, 2}, {"さくら", "サクラ", 'F', 3, 2},
      {"千尋", "チヒロ", 'F', 3, 2}, {"舞", "マイ", 'F', 3, 2},
  };
  return *names;
}

const std::vector<LatinName>& LatinFamilyNames() {
  static const auto* names = new std::vector<LatinName>{
      {"NGUYEN", 'X'}, {"TRAN", 'X'}, {"KIM", 'X'},    {"LEE", 'X'},
      {"PARK", 'X'},   {"WANG", 'X'}, {"ZHANG", 'X'},  {"CHEN", 'X'},
      {"LI", 'X'},     {"SILVA", 'X'}, {"SANTOS", 'X'}, {"GARCIA", 'X'},
      {"SMITH", 'X'},  {"REYES", 'X'},
  };
  return *names;
}

const std::vector<LatinName>& LatinGivenNames() {
  static const auto* names = new std::vector<LatinName>{
      {"MINH", 'M'},  {"JI-HOON", 'M'}, {"WEI", 'M'},  {"CARLOS", 'M'},
      {"JOHN", 'M'},  {"JOSE", 'M'},    {"TUAN", 'M'}, {"MARIA", 'F'},
      {"ANA", 'F'},   {"LINH", 'F'},    {"SOO-JIN", 'F'}, {"MEI", 'F'},
      {"THI HONG", 'F'}, {"ANNA", 'F'},
  };
  return *names;
}

const std::vector<KanaPair>& HalfWidthKatakana() {
  static const auto* table = new std::vector<KanaPair>{
      {"ァ", "ｧ"}, {"ア", "ｱ"}, {"ィ", "ｨ"}, {"イ", "ｲ"}, {"ゥ", "ｩ"}, {"ウ", "ｳ"},
      {"ェ", "ｪ"}, {"エ", "ｴ"}, {"ォ", "ｫ"}, {"オ", "ｵ"}, {"カ", "ｶ"}, {"ガ", "ｶﾞ"},
      {"キ", "ｷ"}, {"ギ", "ｷﾞ"}, {"ク", "ｸ"}, {"グ", "ｸﾞ"}, {"ケ", "ｹ"}, {"ゲ", "ｹﾞ"},
      {"コ", "ｺ"}, {"ゴ", "ｺﾞ"}, {"サ", "ｻ"}, {"ザ", "ｻﾞ"}, {"シ", "ｼ"}, {"ジ", "ｼﾞ"},
      {"ス", "ｽ"}, {"ズ", "ｽﾞ"}, {"セ", "ｾ"}, {"ゼ", "ｾﾞ"}, {"ソ", "ｿ"}, {"ゾ", "ｿﾞ"},
      {"タ", "ﾀ"}, {"ダ", "ﾀﾞ"}, {"チ", "ﾁ"}, {"ヂ", "ﾁﾞ"}, {"ッ", "ｯ"}, {"ツ", "ﾂ"},
      {"ヅ", "ﾂﾞ"}, {"テ", "ﾃ"}, {"デ", "ﾃﾞ"}, {"ト", "ﾄ"}, {"ド", "ﾄﾞ"}, {"ナ", "ﾅ"},
      {"ニ", "ﾆ"}, {"ヌ", "ﾇ"}, {"ネ", "ﾈ"}, {"ノ", "ﾉ"}, {"ハ", "ﾊ"}, {"バ", "ﾊﾞ"},
      {"パ", "ﾊﾟ"}, {"ヒ", "ﾋ"}, {"ビ", "ﾋﾞ"}, {"ピ", "ﾋﾟ"}, {"フ", "ﾌ"},
      {"ブ", "ﾌﾞ"}, {"プ", "ﾌﾟ"}, {"ヘ", "ﾍ"}, {"ベ", "ﾍﾞ"}, {"ペ", "ﾍﾟ"},
      {"ホ", "ﾎ"}, {"ボ", "ﾎﾞ"}, {"ポ", "ﾎﾟ"}, {"マ", "ﾏ"}, {"ミ", "ﾐ"}, {"ム", "ﾑ"},
      {"メ", "ﾒ"}, {"モ", "ﾓ"}, {"ャ", "ｬ"}, {"ヤ", "ﾔ"}, {"ュ", "ｭ"}, {"ユ", "ﾕ"},
      {"ョ", "ｮ"}, {"ヨ", "ﾖ"}, {"ラ", "ﾗ"}, {"リ", "ﾘ"}, {"ル", "ﾙ"}, {"レ", "ﾚ"},
      {"ロ", "ﾛ"}, {"ワ", "ﾜ"}, {"ヲ", "ｦ"}, {"ン", "ﾝ"}, {"ヴ", "ｳﾞ"}, {"ー", "ｰ"},
  };
  return *table;
}

const std::vector<TherapyCategory>& TherapyCategories() {
  static const auto* categories = new std::vector<TherapyCategory>{
      {"LMS MFH SYNS MPNST EPIS CCS", 0.8,
       {"doxorubicin", "doxorubicin+ifosfamide", "gemcitabine+docetaxel"},
       {"pazopanib", "trabectedin", "eribulin", "gemcitabine+docetaxel", "ifosfamide"}},
      {"DDLS", 0.75, {"doxorubicin", "doxorubicin+ifosfamide"},
       {"eribulin", "trabectedin", "gemcitabine+docetaxel"}},
      {"ANGS", 0.85, {"paclitaxel", "docetaxel"}, {"eribulin", "pazopanib", "doxorubicin"}},
      {"PECOMA", 0.7, {"sirolimus", "everolimus"}, {"doxorubicin", "pazopanib"}},
      {"GIST", 0.9, {"imatinib"}, {"sunitinib", "regorafenib", "pimitespib", "ripretinib"},
       true},
      {"ASPS", 0.7, {"pazopanib", "sunitinib"}, {"pazopanib", "doxorubicin"}},
      {"ES DSRCT", 0.95,
       {"vincristine+doxorubicin+cyclophosphamide", "ifosfamide+etoposide"},
       {"irinotecan+temozolomide", "topotecan+cyclophosphamide", "ifosfamide"}},
      {"EHAE", 0.5, {"sirolimus", "paclitaxel"}, {"pazopanib"}},
      {"IMT", 0.6, {"methotrexate+vinblastine", "doxorubicin"}, {"crizotinib", "ifosfamide"}},
      {"IFS", 0.7, {"vincristine+dactinomycin"}, {"ifosfamide+etoposide"}},
      {"OS", 0.9, {"methotrexate+doxorubicin+cisplatin"},
       {"ifosfamide", "ifosfamide+etoposide", "gemcitabine+docetaxel"}},
      {"CHS", 0.3, {"doxorubicin"}, {"pazopanib"}},
      {"CHDM", 0.3, {"imatinib"}, {"sunitinib"}},
      {"PANET", 0.8, {"lanreotide", "everolimus", "sunitinib"},
       {"everolimus", "sunitinib", "streptozocin", "capecitabine+temozolomide"}},
      {"MCC", 0.6, {"avelumab"}, {"carboplatin+etoposide"}},
      {"PHC", 0.3, {"cyclophosphamide+vincristine+dacarbazine"}, {"sunitinib"}},
      {"GB", 0.95, {"temozolomide"}, {"bevacizumab", "temozolomide+bevacizumab"}},
      {"ODG", 0.8, {"procarbazine+lomustine+vincristine", "temozolomide"},
       {"temozolomide", "bevacizumab"}},
      {"EPM", 0.4, {"carboplatin+etoposide"}, {"temozolomide"}},
      {"MBL", 0.95, {"cisplatin+vincristine+cyclophosphamide"}, {"irinotecan+temozolomide"}},
      {"ACYC", 0.5, {"lenvatinib"}, {"carboplatin+paclitaxel"}},
      {"SDCA", 0.8, {"trastuzumab+docetaxel", "leuprorelin+bicalutamide"},
       {"carboplatin+paclitaxel", "docetaxel"}},
      {"MUCC HNMASC", 0.6, {"carboplatin+paclitaxel"}, {"docetaxel", "fluorouracil+cisplatin"}},
      {"THYC THYM", 0.7, {"carboplatin+paclitaxel", "carboplatin+amrubicin"},
       {"lenvatinib", "amrubicin", "docetaxel"}},
      {"PLMESO", 0.8, {"nivolumab+ipilimumab", "cisplatin+pemetrexed"},
       {"nivolumab", "gemcitabine", "vinorelbine"}},
      {"PEMESO", 0.75, {"cisplatin+pemetrexed"}, {"gemcitabine", "vinorelbine"}},
      {"IHCH EHCH GBC", 0.85,
       {"gemcitabine+cisplatin+durvalumab", "gemcitabine+cisplatin",
        "gemcitabine+cisplatin+tegafur+gimeracil+oteracil"},
       {"tegafur+gimeracil+oteracil", "fluorouracil+levofolinate+irinotecan"}},
      {"AMPCA SBC", 0.8,
       {"fluorouracil+levofolinate+oxaliplatin", "capecitabine+oxaliplatin",
        "gemcitabine+cisplatin"},
       {"fluorouracil+levofolinate+irinotecan", "tegafur+gimeracil+oteracil"}},
      {"ACC", 0.7, {"mitotane", "etoposide+doxorubicin+cisplatin+mitotane"},
       {"streptozocin+mitotane"}},
      {"THAP", 0.8, {"lenvatinib", "paclitaxel"}, {"paclitaxel"}},
      {"UM", 0.75, {"tebentafusp", "nivolumab+ipilimumab"}, {"nivolumab", "dacarbazine"}},
      {"CUPNOS", 0.85, {"carboplatin+paclitaxel", "cisplatin+gemcitabine"},
       {"nivolumab", "docetaxel", "irinotecan"}},
      {"NBL", 0.9, {"cyclophosphamide+vincristine+doxorubicin", "cisplatin+etoposide"},
       {"dinutuximab", "irinotecan+temozolomide", "topotecan+cyclophosphamide"}},
      {"LIHB", 0.95, {"cisplatin"}, {"cisplatin+doxorubicin", "carboplatin+doxorubicin"}},
      {"JSCB", 0.3, {"carboplatin+paclitaxel"}, {"capecitabine"}},
      {"ALCL", 0.95, {"cyclophosphamide+doxorubicin+vincristine+prednisolone"},
       {"pralatrexate", "crizotinib", "gemcitabine+dexamethasone+cisplatin"}},
      {"PTCL", 0.95, {"cyclophosphamide+doxorubicin+vincristine+prednisolone"},
       {"pralatrexate", "mogamulizumab", "romidepsin", "forodesine", "valemetostat"}},
      {"MCL", 0.9,
       {"bendamustine+rituximab",
        "rituximab+cyclophosphamide+doxorubicin+vincristine+prednisolone"},
       {"ibrutinib", "acalabrutinib", "lenalidomide+rituximab"}},
      {"PCM", 0.95,
       {"bortezomib+lenalidomide+dexamethasone", "daratumumab+lenalidomide+dexamethasone",
        "daratumumab+bortezomib+melphalan+prednisolone"},
       {"carfilzomib+dexamethasone", "pomalidomide+dexamethasone",
        "isatuximab+pomalidomide+dexamethasone"}},
      {"HCL", 0.7, {"cladribine", "pentostatin"}, {"rituximab", "pentostatin"}},
      {"WM", 0.8, {"bendamustine+rituximab"}, {"tirabrutinib", "ibrutinib", "zanubrutinib"}},
      {"AML", 0.95,
       {"cytarabine+daunorubicin", "cytarabine+idarubicin", "azacitidine+venetoclax"},
       {"azacitidine", "cytarabine", "azacitidine+venetoclax"}},
      {"LCH", 0.6, {"vinblastine+prednisolone", "cytarabine"}, {"cytarabine", "cladribine"}},
      {"ECD", 0.6, {"cladribine", "cobimetinib"}, {"cobimetinib"}},
      {"SM", 0.6, {"midostaurin"}, {"cladribine"}},
      {"BPDCN", 0.85, {"tagraxofusp", "azacitidine+venetoclax"}, {"azacitidine", "cytarabine"}},
      {"ENKL", 0.9, {"dexamethasone+methotrexate+ifosfamide+pegaspargase+etoposide"},
       {"gemcitabine+pegaspargase+oxaliplatin", "pralatrexate"}},
      {"", 0.7, {"carboplatin+paclitaxel"}, {"docetaxel"}},
  };
  return *categories;
}

const std::vector<MatchedTherapy>& MatchedTherapies() {
  // Trial ids from trials.tsv: ROAR (dabrafenib + trametinib, BRAF V600E),
  // VIOLA (nivolumab, non-pleural mesothelioma), NCCH1907 ALBERT
  // (atezolizumab, ASPS), NCCH1903 ATTACK (atezolizumab, ENKL), NCCH1712
  // TACKLE (alectinib, ALK fusion).
  static const auto* therapies = new std::vector<MatchedTherapy>{
      {"BRAF", "V600E", "", "dabrafenib+trametinib", "ROAR", 0.35, 0.7},
      {"ALK", "", "", "alectinib", "NCCH1712", 0.4, 0.8},
      {"NTRK3", "", "", "larotrectinib", "", 0, 0.8},
      {"NTRK1", "", "", "entrectinib", "", 0, 0.8},
      {"NTRK2", "", "", "larotrectinib", "", 0, 0.8},
      {"ROS1", "", "", "entrectinib", "", 0, 0.7},
      {"RET", "", "", "selpercatinib", "", 0, 0.7},
      {"FGFR2", "", "", "pemigatinib", "", 0, 0.6},
      {"IDH1", "R132", "IHCH EHCH", "ivosidenib", "", 0, 0.3},
      {"PDGFRA", "D842V", "GIST", "avapritinib", "", 0, 0.6},
      {"ERBB2", "", "", "trastuzumab+pertuzumab", "", 0, 0.4},
      {"FLT3", "", "", "gilteritinib", "", 0, 0.8},
      {"KIT", "D816", "SM", "avapritinib", "", 0, 0.5},
      {"MSI-H", "", "", "pembrolizumab", "", 0, 0.7},
      {"TMB-H", "", "", "pembrolizumab", "", 0, 0.4},
      {"", "", "ASPS", "atezolizumab", "NCCH1907", 0.5, 0.6},
      {"", "", "ENKL", "atezolizumab", "NCCH1903", 0.5, 0.4},
      {"", "", "PEMESO", "nivolumab", "VIOLA", 0.5, 0.5},
  };
  return *therapies;
}

const std::vector<SiteProfile>& SiteProfiles() {
  // sites.tsv order. Weights, join dates and export styles are assumptions.
  static const auto* sites = [] {
    ExportStyle plain;
    ExportStyle excel = plain;  // Excel "CSV UTF-8": BOM and CRLF
    excel.bom = true;
    excel.crlf = true;
    ExportStyle quoted = plain;
    quoted.quote_all = true;
    ExportStyle reordered = plain;
    reordered.shuffled_header = true;
    ExportStyle crlf = plain;
    crlf.crlf = true;
    ExportStyle nulls = plain;
    nulls.nulls = true;
    ExportStyle sorted = plain;
    sorted.sorted_keys = true;
    ExportStyle blanks = plain;
    blanks.blank_lines = true;
    return new std::vector<SiteProfile>{
        {"ncch", "NCCH", 22, 2017, 1, false, plain},
        {"kyoto", "KYOTO", 10, 2017, 4, false, plain},
        {"hokkaido", "HOKKAIDO", 7, 2017, 7, false, excel},
        {"kyushu", "KYUSHU", 9, 2017, 10, false, nulls},
        {"tohoku", "TOHOKU", 8, 2018, 1, false, quoted},
        {"ncchd", "NCCHD", 5, 2018, 4, true, sorted},
        {"aichi", "AICHI", 9, 2018, 7, false, reordered},
        {"komagome", "KOMAGOME", 8, 2018, 10, false, blanks},
        {"toyama", "TOYAMA", 4, 2019, 1, false, crlf},
        {"okayama", "OKAYAMA", 8, 2019, 4, false, plain},
        {"kindai", "KINDAI", 10, 2019, 7, false, plain},
    };
  }();
  return *sites;
}

const std::vector<std::string_view>& UnknownOncoTreeCodes() {
  static const auto* codes = new std::vector<std::string_view>{
      "LIPO", "SARCNOS", "GISTX", "NETNOS", "LMS2", "STS", "MMYL", "CHOL"};
  return *codes;
}

}  // namespace fedreg::synth
