#include "common/trial_definition.h"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

#include "common/gene_symbols.h"
#include "common/hgvs.h"
#include "common/oncotree.h"
#include "common/validate.h"
#include "common/utf8.h"

namespace fedreg {
namespace {

std::string Quote(const std::string& v) { return "'" + Utf8Prefix(v, 60) + "'"; }

// Reads one file's tree, collecting every error.
class Reader {
 public:
  explicit Reader(std::vector<TrialDefinitionError>* errors) : errors_(*errors) {}

  void Error(const YAML::Node& at, const std::string& key, const std::string& message) {
    int line = at.IsDefined() && at.Mark().line >= 0 ? at.Mark().line + 1 : 0;
    errors_.push_back({line, key, message});
  }

  // The keys of `map` must be among `allowed`.
  bool CheckKeys(const YAML::Node& map, const std::string& path, const std::set<std::string>& allowed) {
    if (!map.IsMap()) {
      Error(map, path, "must be a mapping of keys");
      return false;
    }
    for (const auto& kv : map) {
      const std::string key = kv.first.Scalar();
      if (allowed.count(key) == 0) {
        std::string list;
        for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
        Error(kv.first, Join(path, key), "unknown key " + Quote(key) + " (expected one of: " + list + ")");
      }
    }
    return true;
  }

  static std::string Join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
  }

  bool Text(const YAML::Node& map, const std::string& path, const std::string& key, bool required, std::string* out) {
    const YAML::Node v = map[key];
    if (!v.IsDefined() || v.IsNull()) {
      if (required) Error(map, Join(path, key), "required");
      return false;
    }
    if (!v.IsScalar()) {
      Error(v, Join(path, key), "must be a single value");
      return false;
    }
    if (!IsValidUtf8(v.Scalar())) {
      Error(v, Join(path, key), "is not valid UTF-8");
      return false;
    }
    *out = v.Scalar();
    return true;
  }

  bool Int(const YAML::Node& map, const std::string& path, const std::string& key, int lo, int hi, int* out) {
    std::string text;
    if (!Text(map, path, key, false, &text)) return false;
    char* end = nullptr;
    long v = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || v < lo || v > hi) {
      Error(map[key], Join(path, key), Quote(text) + ": must be a whole number from " + std::to_string(lo) + " to " +
                                           std::to_string(hi));
      return false;
    }
    *out = static_cast<int>(v);
    return true;
  }

  bool Bool(const YAML::Node& map, const std::string& path, const std::string& key, bool* out) {
    std::string text;
    if (!Text(map, path, key, false, &text)) return false;
    if (text == "true") *out = true;
    else if (text == "false") *out = false;
    else {
      Error(map[key], Join(path, key), Quote(text) + ": must be true or false");
      return false;
    }
    return true;
  }

  // A list of scalars (a single scalar is a list of one).
  std::vector<std::pair<std::string, YAML::Node>> List(const YAML::Node& map, const std::string& path,
                                                       const std::string& key) {
    std::vector<std::pair<std::string, YAML::Node>> out;
    const YAML::Node v = map[key];
    if (!v.IsDefined() || v.IsNull()) return out;
    if (v.IsScalar()) {
      out.emplace_back(v.Scalar(), v);
    } else if (v.IsSequence()) {
      for (const auto& item : v) {
        if (item.IsScalar()) out.emplace_back(item.Scalar(), item);
        else Error(item, Join(path, key), "must be a list of single values");
      }
    } else {
      Error(v, Join(path, key), "must be a value or a list of values");
    }
    return out;
  }

  std::string Gene(const YAML::Node& at, const std::string& path, const std::string& text) {
    GeneMatch g = LookUpGene(text);
    switch (g.kind) {
      case GeneMatch::Kind::kApproved:
      case GeneMatch::Kind::kMapped: return g.symbol;
      case GeneMatch::Kind::kAmbiguous: {
        std::string c;
        for (const auto& s : g.candidates) c += (c.empty() ? "" : ", ") + s;
        Error(at, path, Quote(text) + " names several genes (" + c + "): write the approved HGNC symbol");
        return "";
      }
      case GeneMatch::Kind::kUnknown: break;
    }
    Error(at, path, Quote(text) + " is not an HGNC symbol or alias (table " + std::string(GeneTableVersion()) + ")");
    return "";
  }

  std::string OncoTree(const YAML::Node& at, const std::string& path, const std::string& text) {
    auto m = ResolveOncoTreeCode(text);
    if (!m.ok()) {
      Error(at, path, std::string(m.status().message()));
      return "";
    }
    return std::string(m->entry->code);
  }

  void Genomic(const YAML::Node& n, const std::string& path, v1::GenomicCriterion* g) {
    g->set_line(n.Mark().line + 1);
    if (!CheckKeys(n, path, {"gene", "variant", "codon", "category", "cnv", "fusion", "exon"})) return;
    std::string text;
    if (Text(n, path, "gene", true, &text)) g->set_gene(Gene(n["gene"], Join(path, "gene"), text));
    int specifics = 0;
    if (Text(n, path, "variant", false, &text)) {
      ++specifics;
      auto v = CanonicalizeVariant(text, g->gene());
      if (!v.ok()) Error(n["variant"], Join(path, "variant"), std::string(v.status().message()));
      else if (v->protein_change.empty())
        Error(n["variant"], Join(path, "variant"), Quote(text) + " has no protein change: write e.g. p.V600E");
      else g->set_protein_change(v->protein_change);
    }
    if (Text(n, path, "codon", false, &text)) {
      ++specifics;
      std::string c = text.rfind("p.", 0) == 0 ? text.substr(2) : text;
      bool ok = c.size() >= 2 && std::isupper(static_cast<unsigned char>(c[0])) &&
                c.find_first_not_of("0123456789", 1) == std::string::npos && c[1] != '0' && c.size() <= 7;
      if (!ok) Error(n["codon"], Join(path, "codon"), Quote(text) + ": write the reference residue and position, e.g. V600");
      else g->set_codon(c);
    }
    if (Text(n, path, "cnv", false, &text)) {
      ++specifics;
      if (text == "amplification") g->set_cnv_call(v1::ALTERATION_KIND_AMP);
      else if (text == "deletion") g->set_cnv_call(v1::ALTERATION_KIND_DEL);
      else Error(n["cnv"], Join(path, "cnv"), Quote(text) + ": must be amplification or deletion");
      g->set_category(v1::VARIANT_CATEGORY_COPY_NUMBER);
    }
    if (Text(n, path, "fusion", false, &text)) {
      ++specifics;
      g->set_fusion(true);
      g->set_category(v1::VARIANT_CATEGORY_STRUCTURAL);
      if (text != "any") g->set_fusion_partner(Gene(n["fusion"], Join(path, "fusion"), text));
    }
    int exon = 0;
    if (Int(n, path, "exon", 1, 400, &exon)) g->set_exon(exon);
    if (Text(n, path, "category", false, &text)) {
      v1::VariantCategory cat;
      if (text == "any") cat = v1::VARIANT_CATEGORY_ANY;
      else if (text == "mutation") cat = v1::VARIANT_CATEGORY_MUTATION;
      else if (text == "copy_number") cat = v1::VARIANT_CATEGORY_COPY_NUMBER;
      else if (text == "structural") cat = v1::VARIANT_CATEGORY_STRUCTURAL;
      else {
        Error(n["category"], Join(path, "category"), Quote(text) + ": must be mutation, copy_number, structural or any");
        cat = g->category();
      }
      if (g->category() != v1::VARIANT_CATEGORY_ANY && cat != g->category())
        Error(n["category"], Join(path, "category"), "contradicts the cnv or fusion key beside it");
      g->set_category(cat);
    }
    if (specifics > 1)
      Error(n, path, "give one of variant, codon, cnv and fusion (a criterion names one alteration); use `or` for several");
    if (!g->protein_change().empty() || !g->codon().empty()) {
      if (g->category() == v1::VARIANT_CATEGORY_ANY) g->set_category(v1::VARIANT_CATEGORY_MUTATION);
    }
  }

  void Biomarker(const YAML::Node& n, const std::string& path, v1::BiomarkerCriterion* b) {
    b->set_line(n.Mark().line + 1);
    if (!CheckKeys(n, path, {"msi", "tmb_min"})) return;
    std::string text;
    if (Text(n, path, "msi", false, &text)) {
      if (text == "high") b->set_msi_high(true);
      else Error(n["msi"], Join(path, "msi"), Quote(text) + ": must be high");
    }
    if (Text(n, path, "tmb_min", false, &text)) {
      char* end = nullptr;
      double v = std::strtod(text.c_str(), &end);
      if (text.empty() || *end != '\0' || !(v >= 0 && v <= 10000))
        Error(n["tmb_min"], Join(path, "tmb_min"), Quote(text) + ": must be a number of mutations per megabase, e.g. 10");
      else b->set_has_tmb_min(true), b->set_tmb_min(v);
    }
    if (!b->msi_high() && !b->has_tmb_min()) Error(n, path, "give msi or tmb_min");
  }

  void Clinical(const YAML::Node& n, const std::string& path, v1::ClinicalCriterion* c) {
    c->set_line(n.Mark().line + 1);
    if (!CheckKeys(n, path, {"oncotree", "exclude_oncotree", "class", "age", "sex", "ecog_max", "alive", "prior_lines"}))
      return;
    for (const auto& [code, at] : List(n, path, "oncotree")) {
      std::string resolved = OncoTree(at, Join(path, "oncotree"), code);
      if (!resolved.empty()) c->add_oncotree(resolved);
    }
    for (const auto& [code, at] : List(n, path, "exclude_oncotree")) {
      std::string resolved = OncoTree(at, Join(path, "exclude_oncotree"), code);
      if (!resolved.empty()) c->add_exclude_oncotree(resolved);
    }
    std::string text;
    if (Text(n, path, "class", false, &text)) {
      if (text == "solid") c->set_cancer_class(v1::CANCER_CLASS_SOLID);
      else if (text == "hematologic") c->set_cancer_class(v1::CANCER_CLASS_HEMATOLOGIC);
      else Error(n["class"], Join(path, "class"), Quote(text) + ": must be solid or hematologic");
    }
    if (n["age"].IsDefined()) {
      const std::string p = Join(path, "age");
      if (CheckKeys(n["age"], p, {"min", "max"})) {
        int v = 0;
        if (Int(n["age"], p, "min", 0, 120, &v)) c->set_has_min_age(true), c->set_min_age(v);
        if (Int(n["age"], p, "max", 0, 120, &v)) c->set_has_max_age(true), c->set_max_age(v);
        if (c->has_min_age() && c->has_max_age() && c->min_age() > c->max_age())
          Error(n["age"], p, "min is above max");
      }
    }
    if (Text(n, path, "sex", false, &text)) {
      if (text == "male") c->set_sex(v1::SEX_MALE);
      else if (text == "female") c->set_sex(v1::SEX_FEMALE);
      else Error(n["sex"], Join(path, "sex"), Quote(text) + ": must be male or female");
    }
    int v = 0;
    if (Int(n, path, "ecog_max", 0, 4, &v)) c->set_has_ecog_max(true), c->set_ecog_max(v);
    bool alive = false;
    if (Bool(n, path, "alive", &alive)) c->set_alive(alive);
    if (n["prior_lines"].IsDefined()) {
      const std::string p = Join(path, "prior_lines");
      if (CheckKeys(n["prior_lines"], p, {"min", "max"})) {
        if (Int(n["prior_lines"], p, "min", 0, 20, &v)) c->set_has_min_prior_lines(true), c->set_min_prior_lines(v);
        if (Int(n["prior_lines"], p, "max", 0, 20, &v)) c->set_has_max_prior_lines(true), c->set_max_prior_lines(v);
      }
    }
  }

  void Node(const YAML::Node& n, const std::string& path, v1::MatchNode* out, int depth = 0) {
    if (depth > 16) {
      Error(n, path, "nested deeper than 16 levels");
      return;
    }
    if (!n.IsMap() || n.size() != 1) {
      Error(n, path, "must be one of and, or, not, genomic, biomarker, clinical (one key per node)");
      return;
    }
    out->set_line(n.Mark().line + 1);
    const std::string key = n.begin()->first.Scalar();
    const YAML::Node v = n.begin()->second;
    const std::string p = Join(path, key);
    if (key == "and" || key == "or") {
      if (!v.IsSequence() || v.size() == 0) {
        Error(v, p, "must be a list of one or more nodes");
        return;
      }
      v1::MatchList* list = key == "and" ? out->mutable_all_of() : out->mutable_any_of();
      for (size_t i = 0; i < v.size(); ++i) Node(v[i], p + "[" + std::to_string(i + 1) + "]", list->add_nodes(), depth + 1);
    } else if (key == "not") {
      Node(v, p, out->mutable_none_of(), depth + 1);
    } else if (key == "genomic") {
      Genomic(v, p, out->mutable_genomic());
    } else if (key == "biomarker") {
      Biomarker(v, p, out->mutable_biomarker());
    } else if (key == "clinical") {
      Clinical(v, p, out->mutable_clinical());
    } else {
      Error(n, p, "unknown node " + Quote(key) + ": must be and, or, not, genomic, biomarker or clinical");
    }
  }

  void Trial(const YAML::Node& root, v1::Trial* t) {
    if (!CheckKeys(root, "", {"trial_id", "jrct_id", "nct_id", "title", "sponsor", "phase", "status", "sites", "match",
                              "arms"}))
      return;
    std::string text;
    if (Text(root, "", "trial_id", true, &text)) {
      bool ok = !text.empty() && text.size() <= 64;
      for (char ch : text) ok = ok && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_');
      if (!ok) Error(root["trial_id"], "trial_id", Quote(text) + ": 1 to 64 letters, digits, '-' or '_'");
      else t->set_trial_id(text);
    }
    if (Text(root, "", "jrct_id", false, &text)) {
      if (text.rfind("jRCT", 0) != 0 || text.size() != 14 || text.find_first_not_of("0123456789", 4) != std::string::npos)
        Error(root["jrct_id"], "jrct_id", Quote(text) + ": a jRCT id is 'jRCT' and 10 digits, e.g. jRCT2031200123");
      else t->set_jrct_id(text);
    }
    if (Text(root, "", "nct_id", false, &text)) {
      if (text.rfind("NCT", 0) != 0 || text.size() != 11 || text.find_first_not_of("0123456789", 3) != std::string::npos)
        Error(root["nct_id"], "nct_id", Quote(text) + ": an NCT id is 'NCT' and 8 digits, e.g. NCT02034110");
      else t->set_nct_id(text);
    }
    if (Text(root, "", "title", true, &text)) t->set_title(Utf8Prefix(text, 500));
    if (Text(root, "", "sponsor", true, &text)) {
      if (!IsSiteId(text)) Error(root["sponsor"], "sponsor", Quote(text) + ": the sponsor's identity name ([a-z][a-z0-9-]+)");
      else t->set_sponsor(text);
    }
    if (Text(root, "", "phase", false, &text)) {
      static const std::set<std::string> kPhases = {"1", "1/2", "2", "2/3", "3", "4"};
      if (kPhases.count(text) == 0) Error(root["phase"], "phase", Quote(text) + ": must be 1, 1/2, 2, 2/3, 3 or 4");
      else t->set_phase(text);
    }
    if (Text(root, "", "status", true, &text)) t->set_status(Status(root["status"], "status", text, true));
    for (const auto& [site, at] : List(root, "", "sites")) {
      if (site == "all") continue;
      if (!IsSiteId(site)) Error(at, "sites", Quote(site) + ": not a site id ([a-z][a-z0-9-]+)");
      else t->add_sites(site);
    }
    if (root["match"].IsDefined()) Node(root["match"], "match", t->mutable_match());
    const YAML::Node arms = root["arms"];
    if (!arms.IsDefined() || !arms.IsSequence() || arms.size() == 0) {
      Error(arms.IsDefined() ? arms : root, "arms", "a list of one or more arms is required");
      return;
    }
    std::set<std::string> ids;
    for (size_t i = 0; i < arms.size(); ++i) {
      const std::string p = "arms[" + std::to_string(i + 1) + "]";
      const YAML::Node a = arms[i];
      if (!CheckKeys(a, p, {"arm_id", "name", "status", "match"})) continue;
      v1::TrialArm* arm = t->add_arms();
      if (Text(a, p, "arm_id", true, &text)) {
        if (!ids.insert(text).second) Error(a["arm_id"], p + ".arm_id", Quote(text) + " is used by another arm");
        arm->set_arm_id(Utf8Prefix(text, 32));
      }
      if (Text(a, p, "name", false, &text)) arm->set_name(Utf8Prefix(text, 200));
      if (Text(a, p, "status", false, &text)) {
        v1::TrialStatus s = Status(a["status"], p + ".status", text, false);
        arm->set_suspended(s == v1::TRIAL_STATUS_SUSPENDED);
      }
      if (a["match"].IsDefined()) Node(a["match"], p + ".match", arm->mutable_match());
    }
    bool any_tree = t->has_match();
    for (const auto& arm : t->arms()) any_tree = any_tree || arm.has_match();
    if (!any_tree) Error(root, "match", "neither the trial nor any arm has a match tree: nothing could match");
  }

  v1::TrialStatus Status(const YAML::Node& at, const std::string& path, const std::string& text, bool closed_ok) {
    if (text == "open") return v1::TRIAL_STATUS_OPEN;
    if (text == "suspended") return v1::TRIAL_STATUS_SUSPENDED;
    if (text == "closed" && closed_ok) return v1::TRIAL_STATUS_CLOSED;
    Error(at, path, Quote(text) + (closed_ok ? ": must be open, suspended or closed" : ": must be open or suspended"));
    return v1::TRIAL_STATUS_UNSPECIFIED;
  }

 private:
  std::vector<TrialDefinitionError>& errors_;
};

std::string Indent(int n) { return std::string(static_cast<size_t>(n) * 2, ' '); }

}  // namespace

namespace {

// "source: N problems, nothing was loaded" and the first 20, one per line.
absl::Status Refusal(const std::string& source, const std::vector<TrialDefinitionError>& errs) {
  std::string msg = Utf8Prefix(source, 256) + ": " + std::to_string(errs.size()) + " problem" +
                    (errs.size() == 1 ? "" : "s") + ", nothing was loaded";
  for (size_t i = 0; i < errs.size() && i < 20; ++i) {
    msg += "\n" + Utf8Prefix(source, 256) + (errs[i].line > 0 ? ":" + std::to_string(errs[i].line) : "") + ": " +
           (errs[i].key.empty() ? "" : errs[i].key + ": ") + errs[i].message;
  }
  return absl::InvalidArgumentError(msg);
}

absl::StatusOr<std::string> ReadSmallFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(path + ": cannot be read");
  std::stringstream buf;
  buf << in.rdbuf();
  if (buf.str().size() > (1 << 20)) return absl::InvalidArgumentError(path + ": larger than 1 MiB");
  return buf.str();
}

}  // namespace

absl::StatusOr<v1::Trial> ParseTrialDefinition(std::string_view text, const std::string& source,
                                               std::vector<TrialDefinitionError>* errors) {
  std::vector<TrialDefinitionError> local;
  std::vector<TrialDefinitionError>& errs = errors != nullptr ? *errors : local;
  errs.clear();
  v1::Trial trial;
  trial.set_source(Utf8Prefix(source, 256));
  try {
    YAML::Node root = YAML::Load(std::string(text));
    Reader reader(&errs);
    if (!root.IsMap()) errs.push_back({0, "", "the file must be a YAML mapping of trial keys (trial_id, title, ...)"});
    else reader.Trial(root, &trial);
  } catch (const YAML::Exception& e) {
    errs.push_back({e.mark.line >= 0 ? e.mark.line + 1 : 0, "", "not valid YAML: " + e.msg});
  }
  if (errs.empty()) return trial;
  return Refusal(source, errs);
}

absl::StatusOr<v1::MatchNode> ParseCriteria(std::string_view text, const std::string& source,
                                            std::vector<TrialDefinitionError>* errors) {
  std::vector<TrialDefinitionError> local;
  std::vector<TrialDefinitionError>& errs = errors != nullptr ? *errors : local;
  errs.clear();
  v1::MatchNode node;
  try {
    YAML::Node root = YAML::Load(std::string(text));
    Reader reader(&errs);
    if (!root.IsMap()) {
      errs.push_back({0, "", "the file must hold one match tree (and, or, not, genomic, biomarker, clinical)"});
    } else if (root.size() == 1 && root.begin()->first.Scalar() == "match") {
      reader.Node(root["match"], "match", &node);
    } else {
      reader.Node(root, "", &node);
    }
  } catch (const YAML::Exception& e) {
    errs.push_back({e.mark.line >= 0 ? e.mark.line + 1 : 0, "", "not valid YAML: " + e.msg});
  }
  if (errs.empty()) return node;
  return Refusal(source, errs);
}

absl::StatusOr<v1::MatchNode> ReadCriteriaFile(const std::string& path, std::vector<TrialDefinitionError>* errors) {
  auto text = ReadSmallFile(path);
  if (!text.ok()) return text.status();
  return ParseCriteria(*text, path, errors);
}

absl::StatusOr<v1::Trial> ReadTrialDefinitionFile(const std::string& path, std::vector<TrialDefinitionError>* errors) {
  auto text = ReadSmallFile(path);
  if (!text.ok()) return text.status();
  return ParseTrialDefinition(*text, path, errors);
}

std::string DescribeCriterion(const v1::MatchNode& node) {
  std::string out;
  if (node.has_genomic()) {
    const auto& g = node.genomic();
    out = "genomic " + g.gene();
    if (!g.protein_change().empty()) out += " " + g.protein_change();
    else if (!g.codon().empty()) out += " codon " + g.codon() + " (any substitution)";
    else if (g.cnv_call() == v1::ALTERATION_KIND_AMP) out += " amplification";
    else if (g.cnv_call() == v1::ALTERATION_KIND_DEL) out += " deletion";
    else if (g.fusion()) out += " fusion with " + (g.fusion_partner().empty() ? std::string("any partner") : g.fusion_partner());
    else if (g.category() == v1::VARIANT_CATEGORY_MUTATION) out += " mutation";
    else if (g.category() == v1::VARIANT_CATEGORY_COPY_NUMBER) out += " copy-number change";
    else if (g.category() == v1::VARIANT_CATEGORY_STRUCTURAL) out += " structural variant";
    else out += " any alteration";
    if (g.exon() > 0) out += " in exon " + std::to_string(g.exon());
  } else if (node.has_biomarker()) {
    const auto& b = node.biomarker();
    out = "biomarker";
    if (b.msi_high()) out += " MSI-H";
    if (b.has_tmb_min()) {
      std::ostringstream tmb;
      tmb << b.tmb_min();
      out += " TMB >= " + tmb.str() + " mut/Mb";
    }
  } else if (node.has_clinical()) {
    const auto& c = node.clinical();
    std::vector<std::string> parts;
    auto codes = [](const google::protobuf::RepeatedPtrField<std::string>& list) {
      std::string s;
      for (const auto& code : list) s += (s.empty() ? "" : ", ") + code;
      return s;
    };
    if (c.oncotree_size() > 0) parts.push_back("oncotree " + codes(c.oncotree()) + " (and below)");
    if (c.exclude_oncotree_size() > 0) parts.push_back("not oncotree " + codes(c.exclude_oncotree()) + " (and below)");
    if (c.cancer_class() == v1::CANCER_CLASS_SOLID) parts.push_back("solid");
    if (c.cancer_class() == v1::CANCER_CLASS_HEMATOLOGIC) parts.push_back("hematologic");
    if (c.has_min_age()) parts.push_back("age >= " + std::to_string(c.min_age()));
    if (c.has_max_age()) parts.push_back("age <= " + std::to_string(c.max_age()));
    if (c.sex() == v1::SEX_MALE) parts.push_back("male");
    if (c.sex() == v1::SEX_FEMALE) parts.push_back("female");
    if (c.has_ecog_max()) parts.push_back("ECOG <= " + std::to_string(c.ecog_max()));
    if (c.alive()) parts.push_back("alive");
    if (c.has_min_prior_lines()) parts.push_back("prior lines >= " + std::to_string(c.min_prior_lines()));
    if (c.has_max_prior_lines()) parts.push_back("prior lines <= " + std::to_string(c.max_prior_lines()));
    out = "clinical";
    for (size_t i = 0; i < parts.size(); ++i) out += (i == 0 ? " " : ", ") + parts[i];
  } else if (node.has_all_of()) {
    out = "and";
  } else if (node.has_any_of()) {
    out = "or";
  } else if (node.has_none_of()) {
    out = "not (" + DescribeCriterion(node.none_of()) + ")";
  }
  return out;
}

std::string DescribeMatchTree(const v1::MatchNode& node, int indent) {
  std::string out = Indent(indent) + (node.has_none_of() ? std::string("not") : DescribeCriterion(node)) +
                    (node.line() > 0 ? "  (line " + std::to_string(node.line()) + ")" : "") + "\n";
  if (node.has_all_of())
    for (const auto& n : node.all_of().nodes()) out += DescribeMatchTree(n, indent + 1);
  if (node.has_any_of())
    for (const auto& n : node.any_of().nodes()) out += DescribeMatchTree(n, indent + 1);
  if (node.has_none_of()) out += DescribeMatchTree(node.none_of(), indent + 1);
  return out;
}

}  // namespace fedreg
