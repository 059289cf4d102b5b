#include "cli/criteria_options.h"

#include <yaml-cpp/yaml.h>

#include <cctype>

#include "cli/rpc.h"
#include "common/trial_definition.h"

namespace fedreg::cli {
namespace {

// "V600" or "p.V600" (a reference residue and a position, no change) is a
// codon wildcard; anything else is an exact protein change.
bool IsCodon(const std::string& text) {
  std::string c = text.rfind("p.", 0) == 0 ? text.substr(2) : text;
  if (c.size() < 2 || !std::isupper(static_cast<unsigned char>(c[0]))) return false;
  for (size_t i = 1; i < c.size(); ++i)
    if (!std::isdigit(static_cast<unsigned char>(c[i]))) return false;
  return true;
}

// "18-75", "18-", "-75", "65": a range as {min, max} keys.
YAML::Node Range(const std::string& text, const char* flag) {
  YAML::Node r(YAML::NodeType::Map);
  const size_t dash = text.find('-');
  auto number = [&](const std::string& part) {
    if (part.empty() || part.find_first_not_of("0123456789") != std::string::npos || part.size() > 3)
      Die(std::string(flag) + " '" + text + "': write a range of whole numbers, e.g. 18-75, 18- or -75");
    return std::stoi(part);
  };
  if (dash == std::string::npos) {
    r["min"] = number(text);
    r["max"] = number(text);
  } else {
    if (dash > 0) r["min"] = number(text.substr(0, dash));
    if (dash + 1 < text.size()) r["max"] = number(text.substr(dash + 1));
    if (r.size() == 0) Die(std::string(flag) + " '-': give at least one bound");
  }
  return r;
}

// The flag an error of the generated tree came from
// ("and[1].genomic.variant" -> "--protein").
std::string FlagOf(const std::string& key) {
  static const std::pair<const char*, const char*> kFlags[] = {
      {"genomic.gene", "--gene"},         {"genomic.variant", "--protein"},
      {"genomic.codon", "--protein"},     {"genomic.category", "--category"},
      {"genomic.cnv", "--cnv"},           {"genomic.fusion", "--fusion"},
      {"genomic.exon", "--exon"},         {"biomarker.msi", "--msi-h"},
      {"biomarker.tmb_min", "--tmb-min"}, {"clinical.oncotree", "--oncotree"},
      {"clinical.exclude_oncotree", "--exclude-oncotree"},
      {"clinical.class", "--class"},      {"clinical.age", "--age"},
      {"clinical.sex", "--sex"},          {"clinical.ecog_max", "--ecog-max"},
      {"clinical.prior_lines", "--prior-lines"}};
  for (const auto& [suffix, flag] : kFlags) {
    const std::string s = suffix;
    if (key.size() >= s.size() && key.compare(key.size() - s.size(), s.size(), s) == 0) return flag;
    if (key.find(s + ".") != std::string::npos) return flag;  // clinical.age.min
  }
  return key.empty() ? "criteria" : key;
}

}  // namespace

std::string CriteriaText(const v1::MatchNode& criteria, bool one_line) {
  const std::string tree = DescribeMatchTree(criteria, one_line ? 0 : 1);
  std::string out;
  size_t start = 0;
  while (start < tree.size()) {
    size_t end = tree.find('\n', start);
    if (end == std::string::npos) end = tree.size();
    std::string line = tree.substr(start, end - start);
    start = end + 1;
    const size_t mark = line.rfind("  (line ");
    if (mark != std::string::npos && !line.empty() && line.back() == ')') line.erase(mark);
    if (one_line) {
      const size_t text = line.find_first_not_of(' ');
      if (text == std::string::npos) continue;
      out += (out.empty() ? "" : "; ") + line.substr(text);
    } else {
      out += line + "\n";
    }
  }
  return out;
}

void CriteriaOptions::AddTo(CLI::App* cmd) {
  cmd->add_option("--criteria", file_, "a YAML match tree, as in a trial definition (docs/cohorts.md)");
  auto* g = "Genomic (one alteration)";
  cmd->add_option("--gene", gene_, "HGNC symbol or alias, e.g. BRAF")->group(g);
  cmd->add_option("--protein", protein_, "exact change (p.V600E) or codon (V600: any substitution there)")->group(g);
  cmd->add_option("--category", category_, "mutation, copy_number, structural or any")->group(g);
  cmd->add_option("--cnv", cnv_, "amplification or deletion")->group(g);
  cmd->add_option("--fusion", fusion_, "fusion with this partner (either order), or any")->group(g);
  cmd->add_option("--exon", exon_, "exon-level event at this exon")->group(g);
  auto* b = "Biomarkers";
  cmd->add_flag("--msi-h", msi_high_, "MSI-high on some test")->group(b);
  cmd->add_option("--tmb-min", tmb_min_, "TMB at least this (mut/Mb) on some test")
      ->check(CLI::NonNegativeNumber)
      ->group(b);
  auto* k = "Clinical";
  cmd->add_option("--oncotree", oncotree_, "OncoTree code, with all codes below it (repeatable)")->group(k);
  cmd->add_option("--exclude-oncotree", exclude_oncotree_, "not this code or below (repeatable)")->group(k);
  cmd->add_option("--class", cancer_class_, "solid or hematologic")->group(k);
  cmd->add_option("--age", age_, "age range on today's date, e.g. 18-75, 18-, -40")->group(k);
  cmd->add_option("--sex", sex_, "male or female")->group(k);
  cmd->add_option("--ecog-max", ecog_max_, "ECOG at most (an unknown ECOG never qualifies)")
      ->check(CLI::Range(0, 4))
      ->group(k);
  cmd->add_flag("--alive", alive_, "vital status alive")->group(k);
  cmd->add_option("--prior-lines", prior_lines_, "prior systemic treatment lines, e.g. 1-, 0-2")->group(k);
}

bool CriteriaOptions::AnyInline() const {
  return !gene_.empty() || !protein_.empty() || !category_.empty() || !cnv_.empty() || !fusion_.empty() ||
         exon_ != 0 || msi_high_ || tmb_min_ >= 0 || !oncotree_.empty() || !exclude_oncotree_.empty() ||
         !cancer_class_.empty() || !age_.empty() || !sex_.empty() || ecog_max_ >= 0 || alive_ ||
         !prior_lines_.empty();
}

std::string CriteriaOptions::InlineYaml() const {
  YAML::Node all(YAML::NodeType::Sequence);
  const bool genomic_given = !protein_.empty() || !category_.empty() || !cnv_.empty() || !fusion_.empty() || exon_ != 0;
  if (!gene_.empty() || genomic_given) {
    if (gene_.empty()) Die("--protein, --category, --cnv, --fusion and --exon need --gene");
    YAML::Node g;
    g["gene"] = gene_;
    if (!protein_.empty()) g[IsCodon(protein_) ? "codon" : "variant"] = protein_;
    if (!category_.empty()) g["category"] = category_;
    if (!cnv_.empty()) g["cnv"] = cnv_;
    if (!fusion_.empty()) g["fusion"] = fusion_;
    if (exon_ != 0) g["exon"] = exon_;
    YAML::Node n;
    n["genomic"] = g;
    all.push_back(n);
  }
  if (msi_high_ || tmb_min_ >= 0) {
    YAML::Node b;
    if (msi_high_) b["msi"] = "high";
    if (tmb_min_ >= 0) b["tmb_min"] = tmb_min_;
    YAML::Node n;
    n["biomarker"] = b;
    all.push_back(n);
  }
  YAML::Node k(YAML::NodeType::Map);
  for (const auto& c : oncotree_) k["oncotree"].push_back(c);
  for (const auto& c : exclude_oncotree_) k["exclude_oncotree"].push_back(c);
  if (!cancer_class_.empty()) k["class"] = cancer_class_;
  if (!age_.empty()) k["age"] = Range(age_, "--age");
  if (!sex_.empty()) k["sex"] = sex_;
  if (ecog_max_ >= 0) k["ecog_max"] = ecog_max_;
  if (alive_) k["alive"] = true;
  if (!prior_lines_.empty()) k["prior_lines"] = Range(prior_lines_, "--prior-lines");
  if (k.size() > 0) {
    YAML::Node n;
    n["clinical"] = k;
    all.push_back(n);
  }
  YAML::Node root;
  root["and"] = all;
  YAML::Emitter out;
  out << root;
  return out.c_str();
}

std::optional<v1::MatchNode> CriteriaOptions::Build() const {
  if (!file_.empty()) {
    if (AnyInline()) Die("give either --criteria FILE or inline criteria flags, not both");
    auto node = ReadCriteriaFile(file_);
    if (!node.ok()) Die(std::string(node.status().message()));
    return *node;
  }
  if (!AnyInline()) return std::nullopt;
  std::vector<TrialDefinitionError> errors;
  auto node = ParseCriteria(InlineYaml(), "command line", &errors);
  if (node.ok()) return *node;
  // Name the flag, not the generated YAML's line and key.
  std::string msg;
  for (const auto& e : errors) msg += (msg.empty() ? "" : "\nfedregctl: ") + FlagOf(e.key) + ": " + e.message;
  Die(msg.empty() ? std::string(node.status().message()) : msg);
}

}  // namespace fedreg::cli
