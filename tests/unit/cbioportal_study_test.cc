// The cBioPortal study writer (cli/cbioportal_study.h): one test per rule of
// docs/exports.md, section "cBioPortal study". Each reads the files back and
// checks the rule as cBioPortal's documentation or validator states it.
#include "cli/cbioportal_study.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "common/oncotree.h"
#include "tests/unit/temp_dir.h"
#include "tests/unit/test_case.h"

namespace fedreg::cli {
namespace {

namespace fs = std::filesystem;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Not;
using ::testing::UnorderedElementsAreArray;

// --- reading the files back -------------------------------------------------

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  return lines;
}

// A tab-separated file: '#' lines above the header, the header, the rows.
struct Tsv {
  std::vector<std::string> comments;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;

  int Index(const std::string& column) const {
    auto it = std::find(header.begin(), header.end(), column);
    return it == header.end() ? -1 : static_cast<int>(it - header.begin());
  }
  std::vector<std::string> Column(const std::string& column) const {
    std::vector<std::string> out;
    const int i = Index(column);
    for (const auto& r : rows) out.push_back(i >= 0 && i < static_cast<int>(r.size()) ? r[i] : "<missing>");
    return out;
  }
  // The rows whose `column` is `value`.
  std::vector<std::map<std::string, std::string>> Where(const std::string& column, const std::string& value) const {
    std::vector<std::map<std::string, std::string>> out;
    const int i = Index(column);
    for (const auto& r : rows) {
      if (i < 0 || r[i] != value) continue;
      std::map<std::string, std::string> m;
      for (size_t c = 0; c < header.size() && c < r.size(); ++c) m[header[c]] = r[c];
      out.push_back(m);
    }
    return out;
  }
};

Tsv ReadTsv(const std::string& path) {
  Tsv t;
  bool in_header = true;
  for (const std::string& line : Lines(Read(path))) {
    std::vector<std::string> cells = absl::StrSplit(line, '\t');
    if (in_header && !line.empty() && line[0] == '#') {
      t.comments.push_back(line);
    } else if (in_header) {
      t.header = cells;
      in_header = false;
    } else {
      t.rows.push_back(cells);
    }
  }
  return t;
}

// A meta file or case list, as cbioportal_common.parse_metadata_file reads
// it: split at the first ':', value stripped.
std::map<std::string, std::string> ReadMeta(const std::string& path) {
  std::map<std::string, std::string> m;
  for (const std::string& line : Lines(Read(path))) {
    const size_t colon = line.find(':');
    EXPECT_NE(colon, std::string::npos) << path << ": " << line;
    if (colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    m[line.substr(0, colon)] = value;
  }
  return m;
}

std::vector<std::string> Ids(const std::map<std::string, std::string>& case_list) {
  auto it = case_list.find("case_list_ids");
  if (it == case_list.end() || it->second.empty()) return {};
  return absl::StrSplit(it->second, '\t');
}

std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) out.push_back(fs::relative(e.path(), dir).string());
  std::sort(out.begin(), out.end());
  return out;
}

// --- the cases --------------------------------------------------------------

v1::Alteration* Add(v1::GenomicTest* t, const std::string& gene, v1::AlterationKind kind,
                    const std::string& variant_class) {
  v1::Alteration* a = t->add_alterations();
  a->set_gene(gene);
  a->set_kind(kind);
  a->set_variant_class(variant_class);
  a->set_origin(v1::ORIGIN_SOMATIC);
  return a;
}

v1::GenomicTest* AddTest(v1::Case* c, const std::string& assay, v1::Specimen specimen) {
  v1::GenomicTest* t = c->add_tests();
  t->set_assay(assay);
  t->set_specimen(specimen);
  t->set_tmb(-1);
  t->set_msi(v1::MSI_NOT_TESTED);
  return t;
}

// A: alive (last contact day 200), two tests: an SNV with its VAF, a
// truncating SNV without, a two-gene fusion and an amplification on T1; a
// deletion on T2.
v1::Case CaseA() {
  v1::Case c = testing::ValidCase("ncch", "000000000A");
  c.clear_tests();
  v1::GenomicTest* t1 = AddTest(&c, "NCC-ONCOPANEL", v1::SPECIMEN_PRIMARY);
  t1->set_tmb(3.1);
  t1->set_msi(v1::MSI_STABLE);
  Add(t1, "BRAF", v1::ALTERATION_KIND_SNV, "Missense_Mutation")->set_protein_change("p.V600E");
  t1->mutable_alterations(0)->set_vaf(0.3);
  t1->mutable_alterations(0)->set_oncogenicity("Oncogenic");
  Add(t1, "TP53", v1::ALTERATION_KIND_SNV, "Nonsense_Mutation")->set_protein_change("p.R213*");
  Add(t1, "ALK", v1::ALTERATION_KIND_FUSION, "Fusion")->set_fusion("EML4::ALK");
  Add(t1, "ERBB2", v1::ALTERATION_KIND_AMP, "Amplification");
  v1::GenomicTest* t2 = AddTest(&c, "F1CDX", v1::SPECIMEN_METASTASIS);
  Add(t2, "CDKN2A", v1::ALTERATION_KIND_DEL, "Deletion");
  return c;
}

// B: dead at day 400, NSCLC; a frameshift whose p. text cannot tell Del from
// Ins, one whose c. text can, an in-frame delins, an intergenic fusion.
v1::Case CaseB() {
  v1::Case c = testing::ValidCase("ncch", "000000000B");
  c.clear_tests();
  c.set_vital_status(v1::VITAL_STATUS_DEAD);
  c.set_last_contact_day(400);
  c.set_has_death_day(true);
  c.set_death_day(400);
  c.set_oncotree_code("NSCLC");
  c.set_tissue("Lung");
  v1::GenomicTest* t = AddTest(&c, "NCC-ONCOPANEL", v1::SPECIMEN_PRIMARY);
  t->set_msi(v1::MSI_HIGH);
  Add(t, "APC", v1::ALTERATION_KIND_INDEL, "Frame_Shift")->set_protein_change("p.P34fs");
  Add(t, "NF1", v1::ALTERATION_KIND_INDEL, "Frame_Shift")->set_hgvs_c("c.1234del");
  Add(t, "EGFR", v1::ALTERATION_KIND_INDEL, "In_Frame_Delins")->set_protein_change("p.E746_S752delinsV");
  v1::Alteration* f = Add(t, "ALK", v1::ALTERATION_KIND_FUSION, "Fusion");
  f->set_fusion("ALK::intergenic");
  f->set_partner_kind("intergenic");
  return c;
}

// C: vital status unknown; a plasma test that found nothing.
v1::Case CaseC() {
  v1::Case c = testing::ValidCase("kuh", "000000000C");
  c.clear_tests();
  c.set_vital_status(v1::VITAL_STATUS_UNKNOWN);
  AddTest(&c, "GUARDANT360", v1::SPECIMEN_CFDNA);
  return c;
}

// D: dead, day of death not known; a test that found nothing.
v1::Case CaseD() {
  v1::Case c = testing::ValidCase("ncch", "000000000D");
  c.clear_tests();
  c.set_vital_status(v1::VITAL_STATUS_DEAD);
  c.set_has_death_day(false);
  AddTest(&c, "F1CDX", v1::SPECIMEN_PRIMARY);
  return c;
}

// Not in case_id order on purpose.
std::vector<v1::Case> Cases() { return {CaseC(), CaseB(), CaseD(), CaseA()}; }

class CbioportalStudy : public ::testing::Test {
 protected:
  StudyOptions Options() const {
    StudyOptions o;
    o.dir = tmp_ / "study";
    o.as_of_month = "2025-06";
    return o;
  }
  // Writes Cases() with Options(); fails the test on error.
  StudySummary Write() { return Write(Cases(), Options()); }
  StudySummary Write(const std::vector<v1::Case>& cases, const StudyOptions& o) {
    absl::StatusOr<StudySummary> s = WriteCbioportalStudy(cases, o);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? *s : StudySummary{};
  }
  std::string Path(const std::string& rel) const { return tmp_ / ("study/" + rel); }

  fedreg::testing::TempDir tmp_;
};

const char* const kA1 = "ncch-000000000A-T1";
const char* const kA2 = "ncch-000000000A-T2";
const char* const kB1 = "ncch-000000000B-T1";
const char* const kC1 = "kuh-000000000C-T1";
const char* const kD1 = "ncch-000000000D-T1";

// --- meta_study.txt ---------------------------------------------------------

TEST_F(CbioportalStudy, MetaStudyHasTheRequiredFieldsAndAValidStudyId) {
  Write();
  auto m = ReadMeta(Path("meta_study.txt"));
  // cbioportal_common.META_FIELD_MAP[STUDY]: the required fields.
  for (const char* field : {"cancer_study_identifier", "type_of_cancer", "name", "description"})
    EXPECT_EQ(m.count(field), 1u) << field;
  EXPECT_EQ(m["type_of_cancer"], "mixed");
  EXPECT_EQ(m["cancer_study_identifier"], "fedreg_rare_cancer");
  EXPECT_EQ(m["reference_genome"], "hg38");
  EXPECT_THAT(m["description"], ::testing::EndsWith("Data as of 2025-06."));
  EXPECT_LE(m["description"].size(), 1024u);
  // A global case list would collide with case_lists/cases_all.txt.
  EXPECT_EQ(m.count("add_global_case_list"), 0u);
}

TEST_F(CbioportalStudy, RefusesAStudyIdOrGenomeCbioportalWouldRefuse) {
  StudyOptions o = Options();
  o.study_id = "Fedreg-Rare";  // upper case and '-': outside [a-z0-9_]
  absl::StatusOr<StudySummary> s = WriteCbioportalStudy(Cases(), o);
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.status().message()), ::testing::HasSubstr("Fedreg-Rare"));
  o = Options();
  o.reference_genome = "GRCh38";
  EXPECT_EQ(WriteCbioportalStudy(Cases(), o).status().code(), absl::StatusCode::kInvalidArgument);
  o = Options();
  o.name = "two\nlines";
  EXPECT_EQ(WriteCbioportalStudy(Cases(), o).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(fs::exists(Options().dir));
}

// --- clinical files ---------------------------------------------------------

TEST_F(CbioportalStudy, ClinicalFilesHaveFourHeaderLinesThenTheColumnNames) {
  Write();
  for (const char* file : {"data_clinical_patient.txt", "data_clinical_sample.txt"}) {
    SCOPED_TRACE(file);
    Tsv t = ReadTsv(Path(file));
    ASSERT_EQ(t.comments.size(), 4u);  // display names, descriptions, datatypes, priorities
    std::vector<std::vector<std::string>> meta;
    for (const std::string& line : t.comments) {
      std::vector<std::string> cells = absl::StrSplit(line.substr(1), '\t');
      EXPECT_EQ(cells.size(), t.header.size());
      for (const std::string& cell : cells) {
        std::string lower = cell;
        std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
        // validateData.py ClinicalValidator.NULL_VALUES are refused in these lines.
        EXPECT_THAT(lower, Not(::testing::AnyOf("", "na", "[not available]", "[not applicable]")));
      }
      meta.push_back(cells);
    }
    for (const std::string& datatype : meta[2]) EXPECT_THAT(datatype, ::testing::AnyOf("STRING", "NUMBER", "BOOLEAN"));
    for (const std::string& priority : meta[3]) EXPECT_GE(std::stoi(priority), -1);
    for (const auto& row : t.rows) EXPECT_EQ(row.size(), t.header.size());
    // Row 5 names the attributes, in upper case.
    for (const std::string& name : t.header) {
      std::string upper = name;
      std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
      EXPECT_EQ(name, upper);
    }
  }
}

TEST_F(CbioportalStudy, ClinicalAttributesAreNotReservedAndSitAtTheirLevel) {
  Write();
  Tsv patient = ReadTsv(Path("data_clinical_patient.txt"));
  Tsv sample = ReadTsv(Path("data_clinical_sample.txt"));
  // validateData.py ClinicalValidator.BANNED_ATTRIBUTES.
  for (const char* banned : {"MUTATION_COUNT", "FRACTION_GENOME_ALTERED"}) {
    EXPECT_THAT(patient.header, Not(Contains(banned)));
    EXPECT_THAT(sample.header, Not(Contains(banned)));
  }
  // PREDEFINED_ATTRIBUTES used here: level and datatype as the validator wants.
  std::vector<std::string> patient_types = absl::StrSplit(patient.comments[2].substr(1), '\t');
  std::vector<std::string> sample_types = absl::StrSplit(sample.comments[2].substr(1), '\t');
  const std::map<std::string, std::string> patient_level = {
      {"AGE", "NUMBER"}, {"OS_STATUS", "STRING"}, {"OS_MONTHS", "NUMBER"}, {"SEX", "STRING"}};
  for (const auto& [name, type] : patient_level) {
    const int i = patient.Index(name);
    ASSERT_GE(i, 0) << name;
    EXPECT_EQ(patient_types[i], type) << name;
    EXPECT_EQ(sample.Index(name), -1) << name;
  }
  const std::map<std::string, std::string> sample_level = {
      {"SAMPLE_TYPE", "STRING"}, {"CANCER_TYPE", "STRING"}, {"CANCER_TYPE_DETAILED", "STRING"}};
  for (const auto& [name, type] : sample_level) {
    const int i = sample.Index(name);
    ASSERT_GE(i, 0) << name;
    EXPECT_EQ(sample_types[i], type) << name;
    EXPECT_EQ(patient.Index(name), -1) << name;
  }
  // No attribute at both levels (PATIENT_ID is the link, not an attribute);
  // no SAMPLE_ID in the patient file.
  for (const std::string& name : patient.header) {
    if (name != "PATIENT_ID") {
      EXPECT_EQ(sample.Index(name), -1) << name;
    }
  }
  EXPECT_EQ(patient.Index("SAMPLE_ID"), -1);
  EXPECT_EQ(sample.Index("SAMPLE_ID") >= 0 && sample.Index("PATIENT_ID") >= 0, true);
}

TEST_F(CbioportalStudy, PatientsAreCasesAndSamplesAreTheirTestsInOrder) {
  Write();
  Tsv patient = ReadTsv(Path("data_clinical_patient.txt"));
  Tsv sample = ReadTsv(Path("data_clinical_sample.txt"));
  EXPECT_THAT(patient.Column("PATIENT_ID"),
              ElementsAre("kuh-000000000C", "ncch-000000000A", "ncch-000000000B", "ncch-000000000D"));
  EXPECT_THAT(sample.Column("SAMPLE_ID"), ElementsAre(kC1, kA1, kA2, kB1, kD1));
  // Two tests of one patient: two samples, one PATIENT_ID.
  auto a1 = sample.Where("SAMPLE_ID", kA1), a2 = sample.Where("SAMPLE_ID", kA2);
  ASSERT_EQ(a1.size(), 1u);
  ASSERT_EQ(a2.size(), 1u);
  EXPECT_EQ(a1[0]["PATIENT_ID"], "ncch-000000000A");
  EXPECT_EQ(a2[0]["PATIENT_ID"], "ncch-000000000A");
  EXPECT_EQ(a1[0]["SAMPLE_TYPE"], "Primary");
  EXPECT_EQ(a2[0]["SAMPLE_TYPE"], "Metastasis");
  EXPECT_EQ(a1[0]["SEQ_ASSAY_ID"], "NCC-ONCOPANEL");
  EXPECT_EQ(a1[0]["TMB_REPORTED"], "3.1");
  EXPECT_EQ(a2[0]["TMB_REPORTED"], "NA");  // not measured: never 0
  EXPECT_EQ(a1[0]["MSI_STATUS"], "MSS");
  EXPECT_EQ(a2[0]["MSI_STATUS"], "NA");
  EXPECT_EQ(sample.Where("SAMPLE_ID", kC1)[0]["SAMPLE_TYPE"], "cfDNA");
  auto pa = patient.Where("PATIENT_ID", "ncch-000000000A");
  ASSERT_EQ(pa.size(), 1u);
  EXPECT_EQ(pa[0]["SEX"], "Female");
  EXPECT_EQ(pa[0]["AGE"], "54");
  EXPECT_EQ(pa[0]["REGISTERING_SITE"], "ncch");
  EXPECT_EQ(pa[0]["REGISTRATION_MONTH"], "2023-04");
}

TEST_F(CbioportalStudy, SurvivalIsWrittenOnlyWhereTheRecordHasIt) {
  Write();
  Tsv patient = ReadTsv(Path("data_clinical_patient.txt"));
  auto row = [&](const std::string& id) { return patient.Where("PATIENT_ID", id).at(0); };
  EXPECT_EQ(row("ncch-000000000A")["OS_STATUS"], "0:LIVING");
  EXPECT_EQ(row("ncch-000000000A")["OS_MONTHS"], "6.57");  // 200 / 30.4375
  EXPECT_EQ(row("ncch-000000000B")["OS_STATUS"], "1:DECEASED");
  EXPECT_EQ(row("ncch-000000000B")["OS_MONTHS"], "13.14");  // 400 / 30.4375
  EXPECT_EQ(row("ncch-000000000D")["OS_STATUS"], "1:DECEASED");
  EXPECT_EQ(row("ncch-000000000D")["OS_MONTHS"], "NA");  // day of death not known
  EXPECT_EQ(row("kuh-000000000C")["OS_STATUS"], "NA");   // vital status unknown
  EXPECT_EQ(row("kuh-000000000C")["OS_MONTHS"], "NA");
  // validateData.py PatientClinicalValidator: OS_STATUS values.
  for (const std::string& v : patient.Column("OS_STATUS"))
    EXPECT_THAT(v, ::testing::AnyOf("0:LIVING", "1:DECEASED", "NA"));
}

TEST_F(CbioportalStudy, OncotreeCodeComesWithItsCancerTypeLabels) {
  Write();
  Tsv sample = ReadTsv(Path("data_clinical_sample.txt"));
  ASSERT_FALSE(sample.rows.empty());
  for (const auto& row : sample.Where("PATIENT_ID", "ncch-000000000B")) {
    EXPECT_EQ(row.at("ONCOTREE_CODE"), "NSCLC");
    EXPECT_EQ(row.at("CANCER_TYPE"), "Non-Small Cell Lung Cancer");
  }
  auto codes = sample.Column("ONCOTREE_CODE");
  auto main_types = sample.Column("CANCER_TYPE");
  auto names = sample.Column("CANCER_TYPE_DETAILED");
  for (size_t i = 0; i < codes.size(); ++i) {
    const OncoTreeEntry* e = FindOncoTree(codes[i]);
    ASSERT_NE(e, nullptr) << codes[i];
    EXPECT_EQ(main_types[i], std::string(e->main_type));
    EXPECT_EQ(names[i], std::string(e->name));
  }
}

TEST_F(CbioportalStudy, RefusesAnIdentifierOutsideCbioportalsCharacterSet) {
  std::vector<v1::Case> cases = Cases();
  cases[1].set_case_id("ncch-00000 0000B");  // a space
  absl::StatusOr<StudySummary> s = WriteCbioportalStudy(cases, Options());
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.status().message()), ::testing::HasSubstr("ncch-00000 0000B"));
  EXPECT_FALSE(fs::exists(Options().dir));  // nothing written, nothing rewritten
  cases = Cases();
  cases[1].set_case_id(cases[1].case_id() + std::string(60, 'X'));  // sample id over 63 characters
  EXPECT_EQ(WriteCbioportalStudy(cases, Options()).status().code(), absl::StatusCode::kInvalidArgument);
  cases = Cases();
  cases[0].set_case_id(cases[1].case_id());  // one patient twice
  EXPECT_EQ(WriteCbioportalStudy(cases, Options()).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(CbioportalStudy, RefusesATabOrLineBreakInAValue) {
  std::vector<v1::Case> cases = Cases();
  cases[3].mutable_tests(0)->set_assay("NCC\tONCOPANEL");
  absl::StatusOr<StudySummary> s = WriteCbioportalStudy(cases, Options());
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.status().message()), ::testing::HasSubstr("ncch-000000000A"));
}

TEST_F(CbioportalStudy, RefusesAClinicalValueTheValidatorReadsAsAnExcelDate) {
  std::vector<v1::Case> cases = Cases();
  cases.push_back(testing::ValidCase("may", "000000000E"));  // PATIENT_ID "may-000000000E"
  absl::StatusOr<StudySummary> s = WriteCbioportalStudy(cases, Options());
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.status().message()), ::testing::HasSubstr("may-000000000E"));
  // No side a month's three letters: not a date to the validator.
  cases.back() = testing::ValidCase("mayo", "000000000E");
  EXPECT_TRUE(WriteCbioportalStudy(cases, Options()).ok());
}

// --- data_mutations.txt -----------------------------------------------------

TEST_F(CbioportalStudy, MutationFileHasTheColumnsCbioportalRequires) {
  Write();
  Tsv maf = ReadTsv(Path("data_mutations.txt"));
  EXPECT_TRUE(maf.comments.empty());
  // validateData.py MutationsExtendedValidator.REQUIRED_HEADERS, one of
  // HGVSp_Short / Amino_Acid_Change, and the documented NCBI_Build.
  for (const char* column :
       {"Tumor_Sample_Barcode", "Hugo_Symbol", "Variant_Classification", "HGVSp_Short", "NCBI_Build"})
    EXPECT_GE(maf.Index(column), 0) << column;
  for (const std::string& b : maf.Column("NCBI_Build")) EXPECT_EQ(b, "GRCh38");
  for (const std::string& s : maf.Column("Hugo_Symbol")) EXPECT_FALSE(s.empty());
  for (const auto& row : maf.rows) EXPECT_EQ(row.size(), maf.header.size());
  // Every Tumor_Sample_Barcode is a sample of the clinical file.
  Tsv sample = ReadTsv(Path("data_clinical_sample.txt"));
  auto ids = sample.Column("SAMPLE_ID");
  for (const std::string& s : maf.Column("Tumor_Sample_Barcode")) EXPECT_THAT(ids, Contains(s));
  EXPECT_EQ(maf.Where("Hugo_Symbol", "BRAF").at(0)["HGVSp_Short"], "p.V600E");
  // The model has no genomic coordinates nor Entrez ids: those columns are
  // left out (the importer reads a missing column as NA), not made up.
  for (const char* column :
       {"Chromosome", "Start_Position", "End_Position", "Reference_Allele", "Tumor_Seq_Allele2", "Entrez_Gene_Id"})
    EXPECT_EQ(maf.Index(column), -1) << column;
}

TEST_F(CbioportalStudy, RefusesAProteinChangeThatIsNotOneVariant) {
  std::vector<v1::Case> cases = Cases();
  cases[3].mutable_tests(0)->mutable_alterations(0)->set_protein_change("p.V600E,p.V600K");
  absl::StatusOr<StudySummary> s = WriteCbioportalStudy(cases, Options());
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.status().message()), ::testing::HasSubstr("ncch-000000000A"));
  cases[3].mutable_tests(0)->mutable_alterations(0)->set_protein_change("p.V600Ep.V600K");
  EXPECT_EQ(WriteCbioportalStudy(cases, Options()).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(CbioportalStudy, VariantClassificationIsOneOfMafsValues) {
  Write();
  Tsv maf = ReadTsv(Path("data_mutations.txt"));
  // validateData.py VARIANT_CLASSIFICATION_VALUES.
  const std::set<std::string> allowed = {"Frame_Shift_Del",
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
                                         "Fusion",
                                         "Unknown"};
  for (const std::string& v : maf.Column("Variant_Classification")) EXPECT_EQ(allowed.count(v), 1u) << v;
  auto cls = [&](const std::string& gene) { return maf.Where("Hugo_Symbol", gene).at(0)["Variant_Classification"]; };
  EXPECT_EQ(cls("BRAF"), "Missense_Mutation");
  EXPECT_EQ(cls("TP53"), "Nonsense_Mutation");  // truncating, as recorded
  EXPECT_EQ(cls("EGFR"), "In_Frame_Del");       // delins 7 residues for 1: net deletion
  EXPECT_EQ(cls("NF1"), "Frame_Shift_Del");     // the c. text says deletion
  EXPECT_EQ(cls("APC"), "Unknown");             // p.P34fs: Del or Ins not recorded, not guessed
  EXPECT_EQ(maf.Where("Hugo_Symbol", "APC").at(0)["FEDREG.VARIANT_CLASS"], "Frame_Shift");
  // Fusions and copy number are not mutations.
  EXPECT_THAT(maf.Column("Hugo_Symbol"), Not(Contains("ALK")));
  EXPECT_THAT(maf.Column("Hugo_Symbol"), Not(Contains("ERBB2")));
  EXPECT_THAT(maf.Column("Hugo_Symbol"), Not(Contains("CDKN2A")));
}

TEST_F(CbioportalStudy, VafIsANamespaceColumnAndReadCountsAreNotInvented) {
  Write();
  Tsv maf = ReadTsv(Path("data_mutations.txt"));
  EXPECT_EQ(maf.Where("Hugo_Symbol", "BRAF").at(0)["FEDREG.VAF"], "0.3");
  EXPECT_EQ(maf.Where("Hugo_Symbol", "TP53").at(0)["FEDREG.VAF"], "");  // not reported
  EXPECT_EQ(maf.Where("Hugo_Symbol", "BRAF").at(0)["FEDREG.ONCOGENICITY"], "Oncogenic");
  for (const char* counts : {"t_alt_count", "t_ref_count", "n_alt_count", "n_ref_count"})
    EXPECT_EQ(maf.Index(counts), -1) << counts;
  // The namespace is declared, and the file has columns in it
  // (CustomNamespacesValidator refuses a declared namespace without columns).
  auto meta = ReadMeta(Path("meta_mutations.txt"));
  EXPECT_EQ(meta["namespaces"], "FEDREG");
  EXPECT_GE(maf.Index("FEDREG.VAF"), 0);
}

// --- data_sv.txt ------------------------------------------------------------

TEST_F(CbioportalStudy, FusionsGoToTheSvFileWithTheirPartnersAsSites) {
  Write();
  Tsv sv = ReadTsv(Path("data_sv.txt"));
  for (const char* column : {"Sample_Id", "SV_Status", "Site1_Hugo_Symbol", "Site2_Hugo_Symbol", "NCBI_Build"})
    EXPECT_GE(sv.Index(column), 0) << column;
  auto two = sv.Where("Sample_Id", kA1);
  ASSERT_EQ(two.size(), 1u);
  EXPECT_EQ(two[0]["Site1_Hugo_Symbol"], "EML4");  // 5' partner
  EXPECT_EQ(two[0]["Site2_Hugo_Symbol"], "ALK");
  EXPECT_EQ(two[0]["SV_Status"], "SOMATIC");
  EXPECT_EQ(two[0]["NCBI_Build"], "GRCh38");
  EXPECT_EQ(two[0]["Event_Info"], "EML4::ALK");
  auto intergenic = sv.Where("Sample_Id", kB1);
  ASSERT_EQ(intergenic.size(), 1u);
  EXPECT_EQ(intergenic[0]["Site1_Hugo_Symbol"], "ALK");
  EXPECT_EQ(intergenic[0]["Site2_Hugo_Symbol"], "");  // no gene on that side: left blank, not invented
  EXPECT_EQ(intergenic[0]["Event_Info"], "ALK::intergenic");
  for (const std::string& s : sv.Column("SV_Status")) EXPECT_THAT(s, ::testing::AnyOf("SOMATIC", "GERMLINE"));
  EXPECT_EQ(sv.rows.size(), 2u);
}

// --- data_cna.txt -----------------------------------------------------------

TEST_F(CbioportalStudy, CopyNumberIsDiscreteWithZeroForUnalteredGenes) {
  StudySummary summary = Write();
  Tsv cna = ReadTsv(Path("data_cna.txt"));
  EXPECT_THAT(cna.header, ElementsAre("Hugo_Symbol", kC1, kA1, kA2, kB1, kD1));
  auto erbb2 = cna.Where("Hugo_Symbol", "ERBB2");
  auto cdkn2a = cna.Where("Hugo_Symbol", "CDKN2A");
  ASSERT_EQ(erbb2.size(), 1u);
  ASSERT_EQ(cdkn2a.size(), 1u);
  EXPECT_EQ(erbb2[0][kA1], "2");
  EXPECT_EQ(erbb2[0][kA2], "0");
  EXPECT_EQ(cdkn2a[0][kA2], "-2");
  EXPECT_EQ(cdkn2a[0][kC1], "0");
  EXPECT_EQ(cna.rows.size(), 2u);
  // validateData.py CNADiscreteValidator.ALLOWED_VALUES; this writer uses
  // only -2, 0 and 2.
  for (const auto& row : cna.rows)
    for (size_t i = 1; i < row.size(); ++i) EXPECT_THAT(row[i], ::testing::AnyOf("-2", "0", "2"));
  EXPECT_EQ(summary.cna_events, 2);
  EXPECT_EQ(summary.cna_samples, 5);
}

TEST_F(CbioportalStudy, SamplesOfAssaysWithoutCopyNumberHaveNoCnaColumn) {
  StudyOptions o = Options();
  o.assays_without_cna = {"GUARDANT360"};
  StudySummary summary = Write(Cases(), o);
  Tsv cna = ReadTsv(Path("data_cna.txt"));
  EXPECT_THAT(cna.header, Not(Contains(kC1)));
  EXPECT_THAT(cna.header, Contains(kD1));  // profiled, nothing found: a column of 0
  for (const auto& row : cna.rows) EXPECT_THAT(row, Not(Contains("NA")));
  EXPECT_THAT(Ids(ReadMeta(Path("case_lists/cases_cna.txt"))), Not(Contains(kC1)));
  EXPECT_THAT(Ids(ReadMeta(Path("case_lists/cases_cnaseq.txt"))), Not(Contains(kC1)));
  EXPECT_THAT(Ids(ReadMeta(Path("case_lists/cases_sequenced.txt"))), Contains(kC1));
  EXPECT_EQ(summary.cna_samples, 4);
}

TEST_F(CbioportalStudy, RefusesAGeneBothAmplifiedAndDeletedInOneSample) {
  std::vector<v1::Case> cases = Cases();
  Add(cases[3].mutable_tests(0), "ERBB2", v1::ALTERATION_KIND_DEL, "Deletion");
  absl::StatusOr<StudySummary> s = WriteCbioportalStudy(cases, Options());
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.status().message()), ::testing::HasSubstr("ERBB2"));
  EXPECT_THAT(std::string(s.status().message()), ::testing::HasSubstr("ncch-000000000A"));
}

// --- meta files and case lists ----------------------------------------------

TEST_F(CbioportalStudy, ProfileMetaFilesUseCbioportalsTypesAndStableIds) {
  Write();
  struct Expect {
    const char* file;
    const char* type;
    const char* datatype;
    const char* stable_id;
    const char* data;
  };
  for (const Expect& e : {Expect{"meta_mutations.txt", "MUTATION_EXTENDED", "MAF", "mutations", "data_mutations.txt"},
                          Expect{"meta_sv.txt", "STRUCTURAL_VARIANT", "SV", "structural_variants", "data_sv.txt"},
                          Expect{"meta_cna.txt", "COPY_NUMBER_ALTERATION", "DISCRETE", "cna", "data_cna.txt"}}) {
    SCOPED_TRACE(e.file);
    auto m = ReadMeta(Path(e.file));
    // cbioportal_common.META_FIELD_MAP: required fields of these types.
    for (const char* field : {"cancer_study_identifier", "genetic_alteration_type", "datatype", "stable_id",
                              "show_profile_in_analysis_tab", "profile_name", "profile_description", "data_filename"})
      EXPECT_EQ(m.count(field), 1u) << field;
    EXPECT_EQ(m["cancer_study_identifier"], "fedreg_rare_cancer");
    EXPECT_EQ(m["genetic_alteration_type"], e.type);
    EXPECT_EQ(m["datatype"], e.datatype);
    EXPECT_EQ(m["stable_id"], e.stable_id);
    EXPECT_EQ(m["data_filename"], e.data);
    EXPECT_TRUE(fs::exists(Path(e.data)));
  }
  for (const auto& [file, datatype] : std::map<std::string, std::string>{
           {"meta_clinical_patient.txt", "PATIENT_ATTRIBUTES"}, {"meta_clinical_sample.txt", "SAMPLE_ATTRIBUTES"}}) {
    auto m = ReadMeta(Path(file));
    EXPECT_EQ(m["genetic_alteration_type"], "CLINICAL");
    EXPECT_EQ(m["datatype"], datatype);
    EXPECT_TRUE(fs::exists(Path(m["data_filename"])));
  }
}

TEST_F(CbioportalStudy, CaseListsCoverEverySampleOfTheirProfile) {
  Write();
  const std::vector<std::string> all = {kC1, kA1, kA2, kB1, kD1};
  struct Expect {
    const char* file;
    const char* suffix;
    const char* category;
  };
  for (const Expect& e : {Expect{"cases_all.txt", "all", "all_cases_in_study"},
                          Expect{"cases_sequenced.txt", "sequenced", "all_cases_with_mutation_data"},
                          Expect{"cases_cna.txt", "cna", "all_cases_with_cna_data"},
                          Expect{"cases_cnaseq.txt", "cnaseq", "all_cases_with_mutation_and_cna_data"},
                          Expect{"cases_sv.txt", "sv", "all_cases_with_sv_data"}}) {
    SCOPED_TRACE(e.file);
    auto m = ReadMeta(Path(std::string("case_lists/") + e.file));
    for (const char* field :
         {"cancer_study_identifier", "stable_id", "case_list_name", "case_list_description", "case_list_ids"})
      EXPECT_EQ(m.count(field), 1u) << field;
    EXPECT_EQ(m["cancer_study_identifier"], "fedreg_rare_cancer");
    EXPECT_EQ(m["stable_id"], std::string("fedreg_rare_cancer_") + e.suffix);
    EXPECT_EQ(m["case_list_category"], e.category);
    // Every sample is profiled for all three here; the samples with no
    // alteration (C, D) are in every list, _sequenced included.
    EXPECT_THAT(Ids(m), UnorderedElementsAreArray(all));
  }
}

// --- the directory ----------------------------------------------------------

TEST_F(CbioportalStudy, RefusesADirectoryHoldingOtherFiles) {
  fs::create_directories(Options().dir);
  std::ofstream(Path("notes.txt")) << "keep me\n";
  absl::StatusOr<StudySummary> s = WriteCbioportalStudy(Cases(), Options());
  EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(s.status().message()), ::testing::HasSubstr("notes.txt"));
  EXPECT_THAT(ListDir(Options().dir), ElementsAre("notes.txt"));
  EXPECT_EQ(Read(Path("notes.txt")), "keep me\n");
}

TEST_F(CbioportalStudy, ReplacesAPreviousStudyAndRemovesWhatItNoLongerHas) {
  Write();
  ASSERT_TRUE(fs::exists(Path("data_cna.txt")));
  // Second export: no copy-number change left, so no CNA profile.
  std::vector<v1::Case> cases = Cases();
  cases[3].mutable_tests(0)->mutable_alterations()->RemoveLast();  // ERBB2 AMP
  cases[3].mutable_tests(1)->clear_alterations();                  // CDKN2A DEL
  StudySummary summary = Write(cases, Options());
  for (const char* gone : {"data_cna.txt", "meta_cna.txt", "case_lists/cases_cna.txt", "case_lists/cases_cnaseq.txt"})
    EXPECT_FALSE(fs::exists(Path(gone))) << gone;
  EXPECT_EQ(summary.cna_samples, 0);
  // What is left is exactly what was written, with no temporary file.
  EXPECT_EQ(ListDir(Options().dir), summary.files);
}

TEST_F(CbioportalStudy, SameCasesGiveTheSameBytesInAnyOrder) {
  Write();
  std::map<std::string, std::string> first;
  for (const std::string& rel : ListDir(Options().dir)) first[rel] = Read(Path(rel));
  std::vector<v1::Case> cases = Cases();
  std::mt19937 rng(7);
  std::shuffle(cases.begin(), cases.end(), rng);
  std::reverse(cases.begin(), cases.end());
  Write(cases, Options());
  std::map<std::string, std::string> second;
  for (const std::string& rel : ListDir(Options().dir)) second[rel] = Read(Path(rel));
  EXPECT_EQ(first, second);
}

TEST_F(CbioportalStudy, SummaryCountsWhatTheFilesHold) {
  StudySummary s = Write();
  EXPECT_EQ(s.patients, static_cast<int64_t>(ReadTsv(Path("data_clinical_patient.txt")).rows.size()));
  EXPECT_EQ(s.samples, static_cast<int64_t>(ReadTsv(Path("data_clinical_sample.txt")).rows.size()));
  EXPECT_EQ(s.mutations, static_cast<int64_t>(ReadTsv(Path("data_mutations.txt")).rows.size()));
  EXPECT_EQ(s.structural_variants, static_cast<int64_t>(ReadTsv(Path("data_sv.txt")).rows.size()));
  EXPECT_EQ(s.patients, 4);
  EXPECT_EQ(s.samples, 5);
  EXPECT_EQ(s.mutations, 5);  // BRAF, TP53, APC, NF1, EGFR
  EXPECT_EQ(s.structural_variants, 2);
  EXPECT_TRUE(std::is_sorted(s.files.begin(), s.files.end()));
  EXPECT_EQ(ListDir(Options().dir), s.files);
}

}  // namespace
}  // namespace fedreg::cli
