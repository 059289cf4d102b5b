// The genomic tests of a synthetic case (common/synth.h): which panel on
// which specimen, the alterations it finds (the priors of synth_data.h, the
// changes and fusions of synth_spectrum.h), and MSI and TMB tied to the
// cancer type and to each other (an MSI-H tumour always measures at least
// 10 mut/Mb). A later test of the same tumour (a metastasis biopsy or a
// liquid biopsy at progression) finds most of the first test's alterations
// again, sometimes a new one, and, after a drug matched to a driver, a
// change acquired under it.
//
// Alterations are written in canonical form (the export forms are applied
// later, synth_defects.h). Pure functions of their arguments and the Rng;
// any thread with its own Rng.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/synth_data.h"
#include "common/synth_random.h"
#include "common/synth_row.h"

namespace fedreg::synth {

// What every test of one tumour shares.
struct Tumour {
  bool msi_high = false;
  double tmb = 0;  // mut/Mb of the tumour tissue
};

// The test at registration, reported on `report_day`. Sets `*tumour`.
TestRow DrawFirstTest(Rng& rng, const CaseMixEntry& entry, int64_t report_day, Tumour* tumour);

// A later test of the same tumour reported on `report_day` (after the
// first's). `treated_driver` is the gene of the first test that a matched
// drug targeted before `report_day`, or empty.
TestRow DrawLaterTest(Rng& rng, const CaseMixEntry& entry, const TestRow& first,
                      const Tumour& tumour, int64_t report_day, std::string_view treated_driver);

// True when `test` reports MSI-H, or a TMB of at least 10 mut/Mb.
bool ReportsMsiHigh(const TestRow& test);
bool ReportsTmbHigh(const TestRow& test);

}  // namespace fedreg::synth
