// One synthetic patient and the row a hospital exports for them
// (common/synth.h): diagnosis, age, sex and name; extent and performance
// status; survival and follow-up (a death after registration, last contact
// for the living); the genomic tests (synth_genomics.h) and the lines of
// systemic therapy, a biomarker-matched one among them where the tumour
// qualifies.
//
// A person's survival is drawn once, so that every hospital that registers
// them agrees on a death (a second hospital may not have heard of it: its
// row then says alive or unknown with a last contact before the death).
// Pure functions of their arguments and the Rng; any thread with its own Rng.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/synth_dates.h"
#include "common/synth_names.h"
#include "common/synth_random.h"
#include "common/synth_row.h"

namespace fedreg::synth {

// A person as first registered; second registrations copy it.
struct Person {
  int site = 0;  // index into Sites()
  int code = 0;  // index into CaseMix()
  PersonName name;
  int64_t birth_day = 0;
  char sex = 'U';
  int64_t reg_day = 0;
  int64_t diag_day = kNoDay;
  int ecog = -1;              // 0..4, -1 unknown
  int64_t death_day = kNoDay;  // kNoDay: alive at the data cut-off
};

// A new person first registered at `site`, with a diagnosis drawn from
// `code_weights` (one weight per CaseMix() entry).
Person NewPerson(Rng& rng, int site, const std::vector<double>& code_weights);

// The days on which `p` can be registered again at `site`: after the site
// joined, the first birthday and the diagnosis, and before the death.
// Returns false when there is no such day.
bool SecondRegistrationWindow(const Person& p, int site, int64_t* lo, int64_t* hi);

struct RowOptions {
  int64_t reg_day = 0;
  bool first_registration = true;  // else a second hospital's
  bool later_tests = true;         // may have genomic tests after the first
  std::string family_name, given_name;
};

// The row of `p` at one hospital. The record number is left empty.
Row MakeRow(Rng& rng, const Person& p, RowOptions options);

}  // namespace fedreg::synth
