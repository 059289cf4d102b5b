#include "cli/export_commands.h"

#include <iostream>

#include "absl/time/clock.h"
#include "cli/cbioportal_study.h"
#include "cli/ndjson_export.h"
#include "common/utf8.h"

namespace fedreg::cli {
namespace {

// Every case the centre sends for the criteria (all when none).
std::vector<v1::Case> FetchCases(const Globals& g, const std::optional<v1::MatchNode>& criteria, const char* what) {
  auto stub = AdminStub(g);
  grpc::ClientContext ctx;
  WithDeadline(&ctx, std::max(g.timeout_s, 600));  // a national export takes longer than a query
  v1::ExportCasesRequest req;
  if (criteria) *req.mutable_criteria() = *criteria;
  auto reader = stub->ExportCases(&ctx, req);
  std::vector<v1::Case> cases;
  v1::ExportCasesResponse chunk;
  while (reader->Read(&chunk))
    for (auto& c : *chunk.mutable_cases()) cases.push_back(std::move(c));
  DieOnRpc(reader->Finish(), what);
  return cases;
}

void CmdCbioportal(const Globals& g, const std::optional<v1::MatchNode>& criteria, const std::string& dir,
                   const std::string& study_id) {
  auto cases = FetchCases(g, criteria, "export cbioportal");
  StudyOptions o;
  o.dir = dir;
  o.study_id = study_id;
  o.as_of_month = absl::FormatTime("%Y-%m", absl::Now(), absl::LocalTimeZone());
  if (criteria) o.description += " Cases meeting: " + Utf8Prefix(CriteriaText(*criteria, true), 600) + ".";
  auto summary = WriteCbioportalStudy(cases, o);
  if (!summary.ok()) Die("export cbioportal: " + std::string(summary.status().message()));
  if (g.json) {
    std::cout << "{\"dir\": \"" << dir << "\", \"patients\": " << summary->patients << ", \"samples\": "
              << summary->samples << ", \"mutations\": " << summary->mutations << ", \"structural_variants\": "
              << summary->structural_variants << ", \"cna_events\": " << summary->cna_events << "}\n";
    return;
  }
  std::cout << "cBioPortal study " << study_id << " written to " << dir << ": " << summary->patients << " patients, "
            << summary->samples << " samples, " << summary->mutations << " mutations, "
            << summary->structural_variants << " structural variants, " << summary->cna_events
            << " copy-number events\n";
  for (const auto& f : summary->files) std::cout << "  " << f << "\n";
}

void CmdNdjson(const Globals& g, const std::optional<v1::MatchNode>& criteria, const std::string& path) {
  auto cases = FetchCases(g, criteria, "export ndjson");
  auto lines = WriteNdjson(cases, path);
  if (!lines.ok()) Die("export ndjson: " + std::string(lines.status().message()));
  std::cout << *lines << " cases written to " << path << " (one JSON object per line)\n";
}

}  // namespace

ExportCommands::ExportCommands(CLI::App& app) {
  auto* exp = app.add_subcommand("export", "case-level exports for researchers' tools (operator; docs/exports.md)");
  exp->require_subcommand(1);
  cbioportal_ = exp->add_subcommand("cbioportal", "write a cBioPortal study directory");
  cbioportal_->add_option("DIR", path_, "study directory (created; a previous study there is replaced)")->required();
  cbioportal_->add_option("--study-id", study_id_, "cancer_study_identifier ([a-z0-9_])")->capture_default_str();
  criteria_.AddTo(cbioportal_);
  ndjson_ = exp->add_subcommand("ndjson", "write every case as one JSON object per line");
  ndjson_->add_option("FILE", path_, "output file")->required();
  criteria_.AddTo(ndjson_);
}

bool ExportCommands::Run(const Globals& g) const {
  if (*cbioportal_) CmdCbioportal(g, criteria_.Build(), path_, study_id_);
  else if (*ndjson_) CmdNdjson(g, criteria_.Build(), path_);
  else return false;
  return true;
}

}  // namespace fedreg::cli
