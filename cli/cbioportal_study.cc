#include "cli/cbioportal_study.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <string_view>
#include <system_error>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/fusion.h"
#include "common/oncotree.h"

namespace fedreg::cli {
namespace {

namespace fs = std::filesystem;

// Survival months: days / 30.4375 (the mean Gregorian month), two decimals.
constexpr double kDaysPerMonth = 30.4375;
// validateData.py: MAX_SAMPLE_STABLE_ID_LENGTH.
constexpr size_t kMaxSampleIdLength = 63;
// meta_study.txt limits (cbioportal_common.py, meta_study_attribute_size_dict).
constexpr size_t kMaxStudyIdLength = 255;
constexpr size_t kMaxNameLength = 255;
constexpr size_t kMaxDescriptionLength = 1024;
// The MAF namespace of the registry's own columns (meta_mutations.txt's
// `namespaces`); cBioPortal imports FEDREG.* columns into ANNOTATION_JSON.
constexpr std::string_view kNamespace = "FEDREG";

// The study directory's layout, written here and nowhere else:
//   <dir>/meta_study.txt ... data_cna.txt          kTopFiles
//   <dir>/case_lists/cases_*.txt                   kCaseListFiles
//   <dir>/.<name>.tmp, <dir>/case_lists/.<name>.tmp a file being written
// Temporary names start with '.' because validateData.py and the importer
// skip dot files when they look for meta files and case lists.
constexpr std::array<std::string_view, 11> kTopFiles = {"meta_study.txt",
                                                        "meta_clinical_patient.txt",
                                                        "data_clinical_patient.txt",
                                                        "meta_clinical_sample.txt",
                                                        "data_clinical_sample.txt",
                                                        "meta_mutations.txt",
                                                        "data_mutations.txt",
                                                        "meta_sv.txt",
                                                        "data_sv.txt",
                                                        "meta_cna.txt",
                                                        "data_cna.txt"};
constexpr std::string_view kCaseListDir = "case_lists";
constexpr std::array<std::string_view, 5> kCaseListFiles = {"cases_all.txt", "cases_sequenced.txt", "cases_cna.txt",
                                                            "cases_cnaseq.txt", "cases_sv.txt"};

// Debian's Abseil has its own string_view; StrCat takes that one.
absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

std::string TempName(std::string_view name) { return absl::StrCat(".", AV(name), ".tmp"); }

template <typename Names>
bool IsOneOf(std::string_view name, const Names& names) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

template <typename Names>
bool IsOurFile(std::string_view name, const Names& names) {
  for (std::string_view n : names)
    if (name == n || name == TempName(n)) return true;
  return false;
}

// PATIENT_ID and SAMPLE_ID: "numbers, letters, points, underscores and
// hyphens" (docs/File-Formats.md, clinical columns). validateData.py's own
// pattern (INVALID_ID_CHARACTERS) allows a few more marks; this is the
// narrower, documented set.
bool IsCbioId(std::string_view id) {
  if (id.empty()) return false;
  for (char ch : id) {
    const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
                    ch == '_' || ch == '-';
    if (!ok) return false;
  }
  return true;
}

// validateData.py: VALID_STUDY_ID_REGEX = ^[a-z0-9_]+$.
bool IsStudyId(std::string_view id) {
  if (id.empty() || id.size() > kMaxStudyIdLength) return false;
  for (char ch : id)
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_')) return false;
  return true;
}

bool HasBreak(std::string_view s) { return s.find_first_of("\t\r\n") != std::string_view::npos; }

bool IsMonth(std::string_view m) {
  if (m.size() != 7 || m[4] != '-') return false;
  for (size_t i = 0; i < 7; ++i)
    if (i != 4 && !(m[i] >= '0' && m[i] <= '9')) return false;
  const int month = (m[5] - '0') * 10 + (m[6] - '0');
  return month >= 1 && month <= 12;
}

// One TSV row. A tab or line break in a value would shift or split the
// row, so it is refused (naming the case) rather than rewritten.
absl::Status AppendRow(std::string* out, const std::vector<std::string>& cells, std::string_view case_id) {
  for (const std::string& cell : cells) {
    if (HasBreak(cell)) {
      return absl::InvalidArgumentError(absl::StrCat("case ", AV(case_id), ": the value '", absl::CEscape(cell),
                                                     "' holds a tab or line break, which a cBioPortal "
                                                     "tab-separated file cannot carry; correct the record"));
    }
  }
  absl::StrAppend(out, absl::StrJoin(cells, "\t"), "\n");
  return absl::OkStatus();
}

// validateData.py ClinicalValidator.checkLine refuses, in a clinical column
// whose name lacks "DATE", a value that Excel may have made of a date:
// one '-', none of ",.:;", and a side that is a month's three letters
// ("may-0A1B2C3D4E" as a case of site "may").
bool LooksLikeExcelDate(std::string_view v) {
  static constexpr std::array<std::string_view, 12> kMonths = {"jan", "feb", "mar", "apr", "may", "jun",
                                                               "jul", "aug", "sep", "oct", "nov", "dec"};
  const size_t dash = v.find('-');
  if (dash == std::string_view::npos || v.find('-', dash + 1) != std::string_view::npos) return false;
  if (v.find_first_of(",.:;") != std::string_view::npos) return false;
  for (std::string_view side : {v.substr(0, dash), v.substr(dash + 1)}) {
    if (side.size() != 3) continue;
    std::string lower(side);
    for (char& ch : lower) ch = static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
    if (IsOneOf(lower, kMonths)) return true;
  }
  return false;
}

absl::Status AppendClinicalRow(std::string* out, const std::vector<std::string>& cells, std::string_view case_id) {
  for (const std::string& cell : cells) {
    if (LooksLikeExcelDate(cell)) {
      return absl::InvalidArgumentError(absl::StrCat("case ", AV(case_id), ": the clinical value '", cell,
                                                     "' reads as an Excel date to cBioPortal's validator, which "
                                                     "refuses it"));
    }
  }
  return AppendRow(out, cells, case_id);
}

// A meta file or case list: "key: value" lines (cbioportal_common.py,
// parse_metadata_file).
std::string MetaFile(const std::vector<std::pair<std::string_view, std::string>>& fields) {
  std::string out;
  for (const auto& [key, value] : fields) absl::StrAppend(&out, AV(key), ": ", value, "\n");
  return out;
}

std::string Months(int32_t days) {
  if (days < 0) return "NA";
  return absl::StrFormat("%.2f", days / kDaysPerMonth);
}

std::string SexValue(v1::Sex sex) {
  switch (sex) {
    case v1::SEX_MALE: return "Male";
    case v1::SEX_FEMALE: return "Female";
    case v1::SEX_OTHER: return "Other";
    case v1::SEX_UNKNOWN: return "Unknown";
    default: return "NA";
  }
}

std::string SampleTypeValue(v1::Specimen s) {
  switch (s) {
    case v1::SPECIMEN_PRIMARY: return "Primary";
    case v1::SPECIMEN_METASTASIS: return "Metastasis";
    case v1::SPECIMEN_CFDNA: return "cfDNA";
    case v1::SPECIMEN_HEME: return "Not Applicable or Heme";
    default: return "NA";
  }
}

std::string MsiValue(v1::Msi m) {
  switch (m) {
    case v1::MSI_HIGH: return "MSI-H";
    case v1::MSI_STABLE: return "MSS";
    case v1::MSI_INDETERMINATE: return "Indeterminate";
    default: return "NA";  // not tested, or not said
  }
}

// The Variant_Classification values validateData.py knows
// (MutationsExtendedValidator.VARIANT_CLASSIFICATION_VALUES), "Fusion"
// excepted: fusions go to data_sv.txt.
constexpr std::array<std::string_view, 22> kMafClasses = {"Frame_Shift_Del",
                                                          "Frame_Shift_Ins",
                                                          "In_Frame_Del",
                                                          "In_Frame_Ins",
                                                          "Missense_Mutation",
                                                          "Nonsense_Mutation",
                                                          "Splice_Site",
                                                          "Translation_Start_Site",
                                                          "Nonstop_Mutation",
                                                          "Targeted_Region",
                                                          "De_novo_Start_InFrame",
                                                          "De_novo_Start_OutOfFrame",
                                                          "Silent",
                                                          "Intron",
                                                          "3'UTR",
                                                          "3'Flank",
                                                          "5'UTR",
                                                          "5'Flank",
                                                          "IGR",
                                                          "RNA",
                                                          "Splice_Region",
                                                          "Unknown"};

// Reads "p.E746_S752delinsV" / "p.L858delinsRS": residues replaced and
// residues put in. False for anything else.
bool ParseDelins(std::string_view p, int* replaced, int* inserted) {
  const size_t at = p.find("delins");
  if (p.substr(0, 2) != "p." || at == std::string_view::npos) return false;
  auto position = [](std::string_view s, int* pos) {  // "E746" -> 746
    if (s.size() < 2) return false;
    int v = 0;
    for (char ch : s.substr(1)) {
      if (ch < '0' || ch > '9' || v > 100000) return false;
      v = v * 10 + (ch - '0');
    }
    *pos = v;
    return true;
  };
  const std::string_view range = p.substr(2, at - 2);
  const size_t us = range.find('_');
  int first = 0, last = 0;
  if (!position(range.substr(0, us), &first)) return false;
  if (us == std::string_view::npos) {
    last = first;
  } else if (!position(range.substr(us + 1), &last)) {
    return false;
  }
  const std::string_view added = p.substr(at + 6);
  if (last < first || added.empty()) return false;
  for (char ch : added)
    if (!((ch >= 'A' && ch <= 'Z') || ch == '*')) return false;
  *replaced = last - first + 1;
  *inserted = static_cast<int>(added.size());
  return true;
}

// MAF's Variant_Classification for an SNV/INDEL. The registry's class is
// written as is when MAF has it; otherwise the class MAF would give, when
// the record says which (vcf2maf's rules); otherwise "Unknown". The
// registry's own class stays in FEDREG.VARIANT_CLASS.
std::string MafClass(const v1::Alteration& a) {
  const std::string& cls = a.variant_class();
  if (cls != "Fusion" && IsOneOf(cls, kMafClasses)) return cls;
  if (cls == "In_Frame_Delins") {
    // vcf2maf: a protein-altering in-frame change is In_Frame_Del or
    // In_Frame_Ins by its net length, else Missense_Mutation.
    int replaced = 0, inserted = 0;
    if (ParseDelins(a.protein_change(), &replaced, &inserted)) {
      if (inserted < replaced) return "In_Frame_Del";
      if (inserted > replaced) return "In_Frame_Ins";
      return "Missense_Mutation";
    }
    return "Unknown";
  }
  if (cls == "Frame_Shift") {
    // MAF splits frameshifts by the DNA change, which only the c. text
    // tells: "c.2235_2249del" / "c.35dupG" / "c.35_36insA".
    const std::string& c = a.hgvs_c();
    if (c.find("delins") != std::string::npos) return "Unknown";
    if (c.find("del") != std::string::npos) return "Frame_Shift_Del";
    if (c.find("ins") != std::string::npos || c.find("dup") != std::string::npos) return "Frame_Shift_Ins";
    return "Unknown";
  }
  return "Unknown";
}

std::string VafValue(double vaf) { return vaf > 0 ? absl::StrCat(vaf) : ""; }

struct Sample {
  std::string id;
  const v1::Case* c = nullptr;
  const v1::GenomicTest* t = nullptr;
  bool cna_profiled = false;
};

// One file to write, by its path relative to the study directory.
using Files = std::map<std::string, std::string>;

absl::Status CheckOptions(const StudyOptions& o) {
  if (o.dir.empty()) return absl::InvalidArgumentError("cBioPortal study: no directory given");
  if (!IsStudyId(o.study_id)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cBioPortal study id '", absl::CEscape(o.study_id),
        "' is not valid: cBioPortal takes lower-case letters, digits and '_' only, at most 255 characters"));
  }
  if (o.name.empty() || o.name.size() > kMaxNameLength || HasBreak(o.name))
    return absl::InvalidArgumentError("cBioPortal study name: must be one line of 1 to 255 characters");
  if (o.description.empty() || HasBreak(o.description))
    return absl::InvalidArgumentError("cBioPortal study description: must be one non-empty line");
  if (o.reference_genome != "hg19" && o.reference_genome != "hg38") {
    return absl::InvalidArgumentError(
        absl::StrCat("cBioPortal reference genome '", absl::CEscape(o.reference_genome), "': must be hg19 or hg38"));
  }
  if (!o.as_of_month.empty() && !IsMonth(o.as_of_month)) {
    return absl::InvalidArgumentError(
        absl::StrCat("cBioPortal study as-of month '", absl::CEscape(o.as_of_month), "': must be YYYY-MM"));
  }
  return absl::OkStatus();
}

// The directory holds nothing but a previous study's files (or is new).
absl::Status CheckDirectory(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create ", dir.string(), ": ", ec.message()));
  if (!fs::is_directory(dir, ec))
    return absl::FailedPreconditionError(absl::StrCat(dir.string(), " is not a directory"));
  auto foreign = [&dir](const fs::path& p) {
    return absl::FailedPreconditionError(
        absl::StrCat(dir.string(), " holds ", fs::relative(p, dir).string(),
                     ", which is not part of a cBioPortal study written by fedreg: choose a new or empty "
                     "directory, or one this command wrote before"));
  };
  // Symbolic links are foreign too: the files are replaced by rename.
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& p = it->path();
    const std::string name = p.filename().string();
    const fs::file_type type = it->symlink_status(ec).type();
    if (name == kCaseListDir && type == fs::file_type::directory) {
      for (fs::directory_iterator in(p, ec); !ec && in != end; in.increment(ec)) {
        if (!IsOurFile(in->path().filename().string(), kCaseListFiles) ||
            in->symlink_status(ec).type() != fs::file_type::regular)
          return foreign(in->path());
      }
      if (ec) break;
      continue;
    }
    if (!IsOurFile(name, kTopFiles) || type != fs::file_type::regular) return foreign(p);
  }
  if (ec) return absl::InternalError(absl::StrCat("cannot list ", dir.string(), ": ", ec.message()));
  return absl::OkStatus();
}

absl::Status WriteSynced(const fs::path& path, const std::string& content) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return absl::InternalError(absl::StrCat("cannot create ", path.string(), ": ", std::strerror(errno)));
  size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return absl::InternalError(absl::StrCat("cannot write ", path.string(), ": ", std::strerror(err)));
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0)
    return absl::InternalError(absl::StrCat("cannot write ", path.string(), ": ", std::strerror(errno)));
  return absl::OkStatus();
}

// Each file goes to its temporary name first; only when all are written are
// they renamed into place, then the previous study's files this one does not
// have are removed.
absl::Status Install(const fs::path& dir, const Files& files) {
  std::error_code ec;
  fs::create_directories(dir / kCaseListDir, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create ", (dir / kCaseListDir).string(), ": ", ec.message()));
  auto temp_of = [&dir](const std::string& rel) {
    const fs::path p = dir / rel;
    return p.parent_path() / TempName(p.filename().string());
  };
  std::vector<fs::path> temps;
  for (const auto& [rel, content] : files) {
    temps.push_back(temp_of(rel));
    absl::Status s = WriteSynced(temps.back(), content);
    if (!s.ok()) {
      for (const fs::path& t : temps) fs::remove(t, ec);
      return s;
    }
  }
  for (const auto& [rel, content] : files) {
    fs::rename(temp_of(rel), dir / rel, ec);
    if (ec) return absl::InternalError(absl::StrCat("cannot rename into ", (dir / rel).string(), ": ", ec.message()));
  }
  auto remove_stale = [&](const fs::path& sub, const auto& names, std::string_view prefix) -> absl::Status {
    for (std::string_view n : names) {
      for (const std::string& name : {std::string(n), TempName(n)}) {
        if (files.count(absl::StrCat(AV(prefix), name)) > 0) continue;
        fs::remove(sub / name, ec);
        if (ec) return absl::InternalError(absl::StrCat("cannot remove ", (sub / name).string(), ": ", ec.message()));
      }
    }
    return absl::OkStatus();
  };
  absl::Status s = remove_stale(dir, kTopFiles, "");
  if (s.ok()) s = remove_stale(dir / kCaseListDir, kCaseListFiles, absl::StrCat(AV(kCaseListDir), "/"));
  return s;
}

// A clinical attribute: the four '#' header lines and the column name.
struct Attribute {
  std::string_view name, display, description, datatype;
};

std::string ClinicalHeader(const std::vector<Attribute>& attrs) {
  std::vector<std::string> display, description, datatype, priority, names;
  for (const Attribute& a : attrs) {
    display.emplace_back(a.display);
    description.emplace_back(a.description);
    datatype.emplace_back(a.datatype);
    priority.emplace_back("1");  // cBioPortal's default: its own chart priorities stay in force
    names.emplace_back(a.name);
  }
  return absl::StrCat("#", absl::StrJoin(display, "\t"), "\n#", absl::StrJoin(description, "\t"), "\n#",
                      absl::StrJoin(datatype, "\t"), "\n#", absl::StrJoin(priority, "\t"), "\n",
                      absl::StrJoin(names, "\t"), "\n");
}

const std::vector<Attribute>& PatientAttributes() {
  static const auto* attrs = new std::vector<Attribute>{
      {"PATIENT_ID", "Patient Identifier", "Registry case identifier: one patient registered at one hospital",
       "STRING"},
      {"SEX", "Sex", "Sex of the patient", "STRING"},
      {"AGE", "Age at Registration", "Age in years at registration in the registry (90 means 90 or older)", "NUMBER"},
      {"OS_STATUS", "Overall Survival Status", "Vital status at last contact (0:LIVING or 1:DECEASED)", "STRING"},
      {"OS_MONTHS", "Overall Survival (Months)", "Months from registration to death or last contact (days / 30.4375)",
       "NUMBER"},
      {"REGISTERING_SITE", "Registering Site", "Hospital that registered the case", "STRING"},
      {"REGISTRATION_MONTH", "Registration Month", "Month of registration (YYYY-MM), the origin of the survival months",
       "STRING"},
  };
  return *attrs;
}

const std::vector<Attribute>& SampleAttributes() {
  static const auto* attrs = new std::vector<Attribute>{
      {"PATIENT_ID", "Patient Identifier", "Registry case identifier: one patient registered at one hospital",
       "STRING"},
      {"SAMPLE_ID", "Sample Identifier", "One genomic test of the case: the case identifier, -T and its number",
       "STRING"},
      {"ONCOTREE_CODE", "OncoTree Code", "Diagnosis as an OncoTree code", "STRING"},
      {"CANCER_TYPE", "Cancer Type", "OncoTree main type of the diagnosis", "STRING"},
      {"CANCER_TYPE_DETAILED", "Cancer Type Detailed", "OncoTree name of the diagnosis", "STRING"},
      {"SAMPLE_TYPE", "Sample Type", "Specimen tested: Primary, Metastasis, cfDNA or Not Applicable or Heme", "STRING"},
      {"SEQ_ASSAY_ID", "Sequencing Assay", "Genomic test (assay) that profiled the sample", "STRING"},
      {"TMB_REPORTED", "TMB (reported)",
       "Tumor mutational burden as the assay reported it, mutations per megabase (not computed from the "
       "mutation file)",
       "NUMBER"},
      {"MSI_STATUS", "MSI Status", "Microsatellite instability as the assay reported it: MSI-H, MSS or Indeterminate",
       "STRING"},
  };
  return *attrs;
}

std::vector<std::string> MutationColumns() {
  return {"Hugo_Symbol",
          "NCBI_Build",
          "Variant_Classification",
          "Tumor_Sample_Barcode",
          "HGVSp_Short",
          "HGVSc",
          "Mutation_Status",
          absl::StrCat(AV(kNamespace), ".VARIANT_CLASS"),
          absl::StrCat(AV(kNamespace), ".EXON"),
          absl::StrCat(AV(kNamespace), ".VAF"),
          absl::StrCat(AV(kNamespace), ".ONCOGENICITY")};
}

std::string MutationStatus(v1::Origin o) {
  switch (o) {
    case v1::ORIGIN_SOMATIC: return "Somatic";
    case v1::ORIGIN_GERMLINE: return "Germline";
    default: return "";
  }
}

std::string SvStatus(v1::Origin o) {
  switch (o) {
    case v1::ORIGIN_SOMATIC: return "SOMATIC";
    case v1::ORIGIN_GERMLINE: return "GERMLINE";
    default: return "";  // the validator then warns and takes SOMATIC; the file does not say it
  }
}

std::string CaseList(const StudyOptions& o, std::string_view suffix, std::string_view name,
                     std::string_view description, std::string_view category, const std::vector<std::string>& ids) {
  return MetaFile({{"cancer_study_identifier", o.study_id},
                   {"stable_id", absl::StrCat(o.study_id, "_", AV(suffix))},
                   {"case_list_name", std::string(name)},
                   {"case_list_description", absl::StrCat(AV(description), " (", ids.size(), " samples)")},
                   {"case_list_category", std::string(category)},
                   {"case_list_ids", absl::StrJoin(ids, "\t")}});
}

std::string ProfileMeta(const StudyOptions& o, std::string_view type, std::string_view datatype,
                        std::string_view stable_id, std::string_view profile_name, std::string_view profile_description,
                        std::string_view data_filename) {
  return MetaFile({{"cancer_study_identifier", o.study_id},
                   {"genetic_alteration_type", std::string(type)},
                   {"datatype", std::string(datatype)},
                   {"stable_id", std::string(stable_id)},
                   {"show_profile_in_analysis_tab", "true"},
                   {"profile_name", std::string(profile_name)},
                   {"profile_description", std::string(profile_description)},
                   {"data_filename", std::string(data_filename)}});
}

}  // namespace

absl::StatusOr<StudySummary> WriteCbioportalStudy(const std::vector<fedreg::v1::Case>& cases,
                                                  const StudyOptions& options) {
  if (absl::Status s = CheckOptions(options); !s.ok()) return s;
  std::string description = options.description;
  if (!options.as_of_month.empty()) absl::StrAppend(&description, " Data as of ", options.as_of_month, ".");
  if (description.size() > kMaxDescriptionLength)
    return absl::InvalidArgumentError("cBioPortal study description: at most 1024 characters");
  const std::string build = options.reference_genome == "hg19" ? "GRCh37" : "GRCh38";
  const std::set<std::string> no_cna(options.assays_without_cna.begin(), options.assays_without_cna.end());

  // Cases by case_id; samples in that order, then by test.
  std::vector<const v1::Case*> sorted;
  sorted.reserve(cases.size());
  for (const v1::Case& c : cases) sorted.push_back(&c);
  std::sort(sorted.begin(), sorted.end(),
            [](const v1::Case* a, const v1::Case* b) { return a->case_id() < b->case_id(); });
  std::vector<Sample> samples;
  for (size_t i = 0; i < sorted.size(); ++i) {
    const v1::Case& c = *sorted[i];
    if (i > 0 && sorted[i - 1]->case_id() == c.case_id())
      return absl::InvalidArgumentError(absl::StrCat("case ", c.case_id(), " is given twice"));
    if (!IsCbioId(c.case_id())) {
      return absl::InvalidArgumentError(absl::StrCat("case '", absl::CEscape(c.case_id()),
                                                     "': cBioPortal patient ids take letters, digits, '.', '_' "
                                                     "and '-' only"));
    }
    for (int t = 0; t < c.tests_size(); ++t) {
      Sample s;
      s.id = absl::StrCat(c.case_id(), "-T", t + 1);
      if (s.id.size() > kMaxSampleIdLength) {
        return absl::InvalidArgumentError(
            absl::StrCat("case ", c.case_id(), ": sample id ", s.id, " is longer than cBioPortal's 63 characters"));
      }
      s.c = &c;
      s.t = &c.tests(t);
      s.cna_profiled = no_cna.count(s.t->assay()) == 0;
      samples.push_back(std::move(s));
    }
  }
  if (samples.empty())
    return absl::InvalidArgumentError("no genomic test in these cases: a cBioPortal study needs at least one sample");

  StudySummary summary;
  Files files;

  // Clinical data.
  std::string patients = ClinicalHeader(PatientAttributes());
  for (const v1::Case* c : sorted) {
    std::string status = "NA", months = "NA";  // unknown vital status: no survival data
    if (c->vital_status() == v1::VITAL_STATUS_ALIVE) {
      status = "0:LIVING";
      months = Months(c->last_contact_day());
    } else if (c->vital_status() == v1::VITAL_STATUS_DEAD) {
      status = "1:DECEASED";
      if (c->has_death_day()) months = Months(c->death_day());
    }
    const std::string age = c->age_at_registration() >= 0 ? absl::StrCat(c->age_at_registration()) : "NA";
    const std::string month = c->registration_month().empty() ? "NA" : c->registration_month();
    const std::string site = c->site_id().empty() ? "NA" : c->site_id();
    if (absl::Status s = AppendClinicalRow(
            &patients, {c->case_id(), SexValue(c->sex()), age, status, months, site, month}, c->case_id());
        !s.ok())
      return s;
    ++summary.patients;
  }
  std::string sample_rows = ClinicalHeader(SampleAttributes());
  for (const Sample& s : samples) {
    const OncoTreeEntry* onco = FindOncoTree(s.c->oncotree_code());
    if (onco == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("case ", s.c->case_id(), ": OncoTree code '",
                                                     absl::CEscape(s.c->oncotree_code()), "' is not in OncoTree ",
                                                     AV(kOncoTreeVersion), ", so CANCER_TYPE cannot be written"));
    }
    auto or_na = [](std::string_view v) { return v.empty() ? std::string("NA") : std::string(v); };
    const std::string tmb = s.t->tmb() >= 0 ? absl::StrCat(s.t->tmb()) : "NA";
    if (absl::Status st =
            AppendClinicalRow(&sample_rows,
                              {s.c->case_id(), s.id, std::string(onco->code), or_na(onco->main_type), or_na(onco->name),
                               SampleTypeValue(s.t->specimen()), or_na(s.t->assay()), tmb, MsiValue(s.t->msi())},
                              s.c->case_id());
        !st.ok())
      return st;
    ++summary.samples;
  }
  files["data_clinical_patient.txt"] = std::move(patients);
  files["data_clinical_sample.txt"] = std::move(sample_rows);

  // Mutations and structural variants: one row per distinct alteration.
  std::string maf;
  (void)AppendRow(&maf, MutationColumns(), "");
  std::string sv;
  (void)AppendRow(&sv, {"Sample_Id", "SV_Status", "Site1_Hugo_Symbol", "Site2_Hugo_Symbol", "NCBI_Build", "Event_Info"},
                  "");
  std::map<std::string, std::map<size_t, int>> cna;  // gene -> sample index -> 2 or -2
  for (size_t si = 0; si < samples.size(); ++si) {
    const Sample& s = samples[si];
    const std::string& case_id = s.c->case_id();
    std::set<std::vector<std::string>> maf_rows, sv_rows;
    for (const v1::Alteration& a : s.t->alterations()) {
      if (a.gene().empty() || HasBreak(a.gene()))
        return absl::InvalidArgumentError(absl::StrCat("case ", case_id, ": an alteration has no usable gene symbol"));
      switch (a.kind()) {
        case v1::ALTERATION_KIND_SNV:
        case v1::ALTERATION_KIND_INDEL: {
          const std::string& p = a.protein_change();
          // validateData.py checkAminoAcidChange: one variant per line.
          if (p.find(',') != std::string::npos || p.find(';') != std::string::npos ||
              (p.size() > 1 && p.find("p.", 1) != std::string::npos) || p.size() > 255) {
            return absl::InvalidArgumentError(absl::StrCat("case ", case_id, ": protein change '", absl::CEscape(p),
                                                           "' is not one HGVSp_Short value"));
          }
          const std::string exon =
              a.exon() > 0 ? absl::StrCat("exon ", a.exon(), a.exon_event().empty() ? "" : " ", a.exon_event()) : "";
          maf_rows.insert({a.gene(), build, MafClass(a), s.id, p, a.hgvs_c(), MutationStatus(a.origin()),
                           a.variant_class(), exon, VafValue(a.vaf()), a.oncogenicity()});
          break;
        }
        case v1::ALTERATION_KIND_FUSION: {
          absl::StatusOr<Fusion> f = ParseFusion(a.fusion());
          if (!f.ok()) {
            return absl::InvalidArgumentError(
                absl::StrCat("case ", case_id, ": fusion '", absl::CEscape(a.fusion()), "': ", f.status().message()));
          }
          std::string site1, site2;
          if (f->partner_kind == FusionPartnerKind::kGene) {
            site1 = f->gene_5p;
            site2 = f->gene_3p;
          } else if (f->partner_kind == FusionPartnerKind::kIntragenic) {
            site1 = site2 = f->gene;  // both breakpoints lie in the gene
          } else if (!f->gene_3p.empty()) {
            site2 = f->gene_3p;  // "intergenic::ALK": the side written is kept
          } else {
            site1 = f->gene_5p.empty() ? f->gene : f->gene_5p;
          }
          sv_rows.insert({s.id, SvStatus(a.origin()), site1, site2, build, f->canonical});
          break;
        }
        case v1::ALTERATION_KIND_AMP:
        case v1::ALTERATION_KIND_DEL: {
          if (!s.cna_profiled) {
            return absl::InvalidArgumentError(
                absl::StrCat("case ", case_id, ": sample ", s.id, " (assay ", s.t->assay(),
                             ", listed as not reporting copy number) reports a copy-number change of ", a.gene()));
          }
          const int value = a.kind() == v1::ALTERATION_KIND_AMP ? 2 : -2;
          auto [it, added] = cna[a.gene()].emplace(si, value);
          if (!added && it->second != value) {
            return absl::InvalidArgumentError(
                absl::StrCat("case ", case_id, ": sample ", s.id, " has ", a.gene(), " both amplified and deleted"));
          }
          break;
        }
        default:
          return absl::InvalidArgumentError(
              absl::StrCat("case ", case_id, ": an alteration of ", a.gene(), " has no kind"));
      }
    }
    for (const auto& row : maf_rows) {
      if (absl::Status st = AppendRow(&maf, row, case_id); !st.ok()) return st;
      ++summary.mutations;
    }
    for (const auto& row : sv_rows) {
      if (absl::Status st = AppendRow(&sv, row, case_id); !st.ok()) return st;
      ++summary.structural_variants;
    }
  }
  files["data_mutations.txt"] = std::move(maf);
  files["data_sv.txt"] = std::move(sv);

  // Discrete copy number: the columns are the CNA-profiled samples, so a
  // sample not profiled has no column (and no NA); 0 where a profiled sample
  // has no change reported in a gene another sample has.
  std::vector<std::string> all_ids, cna_ids;
  std::vector<size_t> cna_index;
  for (size_t si = 0; si < samples.size(); ++si) {
    all_ids.push_back(samples[si].id);
    if (samples[si].cna_profiled) {
      cna_ids.push_back(samples[si].id);
      cna_index.push_back(si);
    }
  }
  const bool write_cna = !cna_ids.empty() && !cna.empty();
  if (write_cna) {
    std::string matrix;
    std::vector<std::string> header = {"Hugo_Symbol"};
    header.insert(header.end(), cna_ids.begin(), cna_ids.end());
    (void)AppendRow(&matrix, header, "");
    for (const auto& [gene, values] : cna) {
      std::vector<std::string> row = {gene};
      for (size_t si : cna_index) {
        auto it = values.find(si);
        row.push_back(it == values.end() ? "0" : absl::StrCat(it->second));
        if (it != values.end()) ++summary.cna_events;
      }
      if (absl::Status st = AppendRow(&matrix, row, samples[values.begin()->first].c->case_id()); !st.ok()) return st;
    }
    summary.cna_samples = static_cast<int64_t>(cna_ids.size());
    files["data_cna.txt"] = std::move(matrix);
  }

  // Meta files.
  files["meta_study.txt"] = MetaFile({{"type_of_cancer", "mixed"},
                                      {"cancer_study_identifier", options.study_id},
                                      {"name", options.name},
                                      {"description", description},
                                      {"reference_genome", options.reference_genome}});
  for (const auto& [level, datatype] : {std::pair<std::string_view, std::string_view>{"patient", "PATIENT_ATTRIBUTES"},
                                        {"sample", "SAMPLE_ATTRIBUTES"}}) {
    files[absl::StrCat("meta_clinical_", AV(level), ".txt")] =
        MetaFile({{"cancer_study_identifier", options.study_id},
                  {"genetic_alteration_type", "CLINICAL"},
                  {"datatype", std::string(datatype)},
                  {"data_filename", absl::StrCat("data_clinical_", AV(level), ".txt")}});
  }
  files["meta_mutations.txt"] =
      ProfileMeta(options, "MUTATION_EXTENDED", "MAF", "mutations", "Mutations",
                  "Variants reported by each hospital's genomic test, at protein level (no genomic coordinates)",
                  "data_mutations.txt") +
      MetaFile({{"namespaces", std::string(kNamespace)}});
  files["meta_sv.txt"] =
      ProfileMeta(options, "STRUCTURAL_VARIANT", "SV", "structural_variants", "Structural variants",
                  "Fusions and rearrangements reported by each hospital's genomic test", "data_sv.txt");
  if (write_cna) {
    files["meta_cna.txt"] = ProfileMeta(
        options, "COPY_NUMBER_ALTERATION", "DISCRETE", "cna", "Putative copy-number alterations",
        "Amplifications and deletions reported by each hospital's genomic test. Values: -2 = deletion; 0 = not "
        "reported altered; 2 = amplification.",
        "data_cna.txt");
  }

  // Case lists.
  const std::string dir_prefix = absl::StrCat(AV(kCaseListDir), "/");
  files[dir_prefix + "cases_all.txt"] =
      CaseList(options, "all", "All samples", "All samples", "all_cases_in_study", all_ids);
  files[dir_prefix + "cases_sequenced.txt"] =
      CaseList(options, "sequenced", "Samples profiled for mutations",
               "Every sample of a genomic test, with or without mutations", "all_cases_with_mutation_data", all_ids);
  files[dir_prefix + "cases_sv.txt"] = CaseList(options, "sv", "Samples profiled for structural variants",
                                                "Every sample of a genomic test, with or without structural variants",
                                                "all_cases_with_sv_data", all_ids);
  if (write_cna) {
    files[dir_prefix + "cases_cna.txt"] =
        CaseList(options, "cna", "Samples profiled for copy-number alterations",
                 "Samples of assays that report copy number", "all_cases_with_cna_data", cna_ids);
    files[dir_prefix + "cases_cnaseq.txt"] =
        CaseList(options, "cnaseq", "Samples profiled for mutations and copy-number alterations",
                 "Samples profiled for both", "all_cases_with_mutation_and_cna_data", cna_ids);
  }

  if (absl::Status s = CheckDirectory(options.dir); !s.ok()) return s;
  if (absl::Status s = Install(options.dir, files); !s.ok()) return s;
  for (const auto& [rel, content] : files) summary.files.push_back(rel);  // a std::map: already sorted
  return summary;
}

}  // namespace fedreg::cli
