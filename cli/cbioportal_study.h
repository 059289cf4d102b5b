// Writes registry cases as a cBioPortal study directory: the files
// cBioPortal's importer (cbioportal-core's metaImport.py, checked first by
// validateData.py) loads. Every rule the files follow, with its source and
// the test that checks it, is in docs/exports.md, section "cBioPortal study".
// Pure library: no RPC, no global state; any thread may call it, but two
// calls must not write the same directory at once.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "fedreg/v1/case.pb.h"

namespace fedreg::cli {

struct StudyOptions {
  // The study directory. Created (with its parents) if missing. Refused
  // (FAILED_PRECONDITION) when it holds anything but the files this writer
  // writes (a previous study's): those are replaced, and the ones this study
  // does not have (e.g. data_cna.txt of an earlier export) are removed.
  std::string dir;
  // cancer_study_identifier, and the prefix of every case list's stable_id.
  // cBioPortal's character set: [a-z0-9_], at most 255 characters.
  std::string study_id = "fedreg_rare_cancer";
  // meta_study.txt's name (at most 255 characters) and description (at most
  // 1024 with the as-of sentence); one line each.
  std::string name = "fedreg national rare-cancer registry";
  std::string description =
      "Pseudonymized cases of the fedreg national rare-cancer genomic registry, one patient per "
      "hospital registration; survival is counted from the registration month.";
  // "hg19" or "hg38": meta_study.txt's reference_genome; NCBI_Build in
  // data_mutations.txt and data_sv.txt follows it (GRCh37 or GRCh38).
  std::string reference_genome = "hg38";
  // "YYYY-MM" or empty: when set, the description ends with "Data as of
  // YYYY-MM." Survival months come from day offsets, not from this month.
  std::string as_of_month;
  // Assays (GenomicTest.assay, exact) that do not report copy number: their
  // samples are left out of data_cna.txt and of cases_cna / cases_cnaseq.
  // Default: none; every test of the registry is taken as profiled for
  // mutations, fusions and copy number (the case model has no per-assay
  // capability).
  std::vector<std::string> assays_without_cna;
};

struct StudySummary {
  int64_t patients = 0;             // rows of data_clinical_patient.txt
  int64_t samples = 0;              // rows of data_clinical_sample.txt
  int64_t mutations = 0;            // rows of data_mutations.txt
  int64_t structural_variants = 0;  // rows of data_sv.txt
  int64_t cna_samples = 0;          // sample columns of data_cna.txt (0 when not written)
  int64_t cna_events = 0;           // its cells that are 2 or -2
  std::vector<std::string> files;   // relative paths written, sorted
};

// Writes the study for `cases` (any order; the files list cases by case_id)
// into options.dir: meta_study.txt, the clinical patient and sample files,
// data_mutations.txt, data_sv.txt, data_cna.txt (only when some sample is
// CNA-profiled and some gene is amplified or deleted), each with its meta
// file, and case_lists/. Each file is written to a dot-prefixed temporary
// name beside it and renamed into place. The same cases give the same bytes.
//
// Errors: INVALID_ARGUMENT for options outside cBioPortal's rules, for no
// sample at all, and for a case cBioPortal would refuse or that the files
// cannot represent as is (the message names the case): a case_id or sample
// id outside [A-Za-z0-9._-] or over 63 characters, a case_id given twice, a
// gene both amplified and deleted in one sample, a tab or line break in a
// value, a clinical value the validator reads as an Excel date ("may-..."),
// a protein change that is not one HGVSp_Short value, an OncoTree code not
// in the compiled table. Nothing is rewritten to make a case fit; nothing is
// written when a case is refused. FAILED_PRECONDITION for a directory with
// other files (left untouched). INTERNAL for a file that could not be
// written, renamed or removed: a temporary file that cannot be written
// leaves the directory as it was; a failed rename may leave part of the new
// study in place.
absl::StatusOr<StudySummary> WriteCbioportalStudy(const std::vector<fedreg::v1::Case>& cases,
                                                  const StudyOptions& options);

}  // namespace fedreg::cli
