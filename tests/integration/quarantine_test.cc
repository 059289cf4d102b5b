// The data manager's quarantine through real processes (an agent and the
// aggregator over mutual TLS, fedregctl over the agent's socket): refused
// rows are listed with file, line, field and reason; identifying fields and
// export only with the owner token; an exported file, corrected, imports;
// retry and drop close entries; everything is counted on /metrics.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include <grpcpp/create_channel.h>

#include "agent/export_parser.h"
#include "common/owner_token.h"
#include "fedreg/v1/agent.grpc.pb.h"
#include "tests/integration/cluster.h"
#include "tests/integration/ctl.h"

namespace fedreg::testing {
namespace {

const char kHeader[] =
    "record_number,family_name,given_name,birth_date,sex,registration_date,oncotree_code,vital_status\n";

// fedregctl against ncch's agent alone: the quarantine commands need no centre.
int AgentCtl(Cluster& c, const std::vector<std::string>& args, std::string* out) {
  return RunFedregctl(c, "", args, out, c.AgentSocket("ncch"));
}

bool Has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::unique_ptr<v1::AgentAdmin::Stub> Stub(Cluster& c) {
  return v1::AgentAdmin::NewStub(grpc::CreateChannel("unix:" + c.AgentSocket("ncch"), grpc::InsecureChannelCredentials()));
}

TEST(Quarantine, ADataManagerSeesFixesRetriesAndDropsRefusedRowsWithoutReadingLogs) {
  Cluster c;
  c.StartAggregator();
  c.StartAgent("ncch");
  const std::string path = c.dir() + "/export.csv";
  std::ofstream(path) << kHeader << "R1,山田,太郎,1970-01-02,M,2024-01-05,LMS,alive\n"
                      << "R2,佐藤,花子,1971-02-03,F,2024-01-06,NOT_A_CODE,alive\n"    // line 3
                      << "R3,田中,一郎,1972-04-31,M,2024-01-07,GIST,alive\n"          // line 4: no 31 April
                      << "R4,山田,太郎,1970-01-02,M,2024-01-05,DDLS,alive\n";         // line 5: R1's person
  auto imported = c.Import("ncch", path);
  ASSERT_EQ(imported.accepted(), 1);
  ASSERT_EQ(imported.quarantined(), 3);

  // Without the owner token: file, line, field, reason and the row's other
  // fields; no record number, name or birth date.
  auto stub = Stub(c);
  v1::ListQuarantineResponse list;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub->ListQuarantine(&ctx, {}, &list).ok());
  }
  ASSERT_EQ(list.items_size(), 3);
  EXPECT_EQ(list.open(), 3);
  uint64_t bad_code = 0, bad_date = 0, same_person = 0;
  for (const auto& it : list.items()) {
    EXPECT_EQ(it.entry().file(), path);
    EXPECT_TRUE(it.identifiers_withheld());
    EXPECT_TRUE(it.entry().raw().empty());
    for (const auto& f : it.fields()) EXPECT_FALSE(agent::IsIdentifyingColumn(f.name())) << f.name();
    if (it.entry().line() == 3) bad_code = it.id();
    if (it.entry().line() == 4) bad_date = it.id();
    if (it.entry().line() == 5) same_person = it.id();
    if (it.entry().line() == 3) {
      EXPECT_EQ(it.entry().field(), "oncotree_code");
      bool shown = false;
      for (const auto& f : it.fields()) shown = shown || (f.name() == "oncotree_code" && f.value() == "NOT_A_CODE");
      EXPECT_TRUE(shown);
    }
  }
  ASSERT_TRUE(bad_code && bad_date && same_person);
  {
    grpc::ClientContext ctx;
    v1::ExportQuarantineResponse exported;
    EXPECT_EQ(stub->ExportQuarantine(&ctx, {}, &exported).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  }
  {  // a wrong token is no token
    grpc::ClientContext ctx;
    ctx.AddMetadata(kOwnerTokenMetadata, std::string(64, '0'));
    v1::ShowQuarantineRequest req;
    req.set_id(bad_code);
    v1::QuarantineItem item;
    ASSERT_TRUE(stub->ShowQuarantine(&ctx, req, &item).ok());
    EXPECT_TRUE(item.identifiers_withheld());
    EXPECT_TRUE(item.raw_row().empty());
  }
  struct stat st {};
  ASSERT_EQ(stat(OwnerTokenPath(c.AgentSocket("ncch")).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  // fedregctl, as the agent's user (it reads the token): the table, and one entry in full.
  std::string out;
  ASSERT_EQ(AgentCtl(c, {"agent", "quarantine", "list"}, &out), 0) << out;
  EXPECT_TRUE(Has(out, "3 open, 0 retried or dropped")) << out;
  EXPECT_TRUE(Has(out, "export.csv:3")) << out;
  EXPECT_TRUE(Has(out, "unknown OncoTree code 'NOT_A_CODE'")) << out;
  ASSERT_EQ(AgentCtl(c, {"agent", "quarantine", "show", std::to_string(bad_code)}, &out), 0) << out;
  EXPECT_TRUE(Has(out, "佐藤")) << out;
  EXPECT_TRUE(Has(out, "NOT_A_CODE")) << out;
  EXPECT_FALSE(Has(out, "withheld")) << out;
  EXPECT_EQ(AgentCtl(c, {"agent", "quarantine", "show", "999"}, &out), 1);
  EXPECT_TRUE(Has(out, "NOT_FOUND: no quarantine entry 999")) << out;

  // Export: the refused rows with their header, importable; corrected and imported.
  const std::string fix = c.dir() + "/fix.csv";
  ASSERT_EQ(
      AgentCtl(
          c, {"agent", "quarantine", "export", fix, "--id", std::to_string(bad_code), "--id", std::to_string(bad_date)},
          &out),
      0)
      << out;
  EXPECT_TRUE(Has(out, "2 rows from " + path)) << out;
  ASSERT_EQ(stat(fix.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::ifstream in(fix);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(text, std::string(kHeader) + "R2,佐藤,花子,1971-02-03,F,2024-01-06,NOT_A_CODE,alive\n" +
                      "R3,田中,一郎,1972-04-31,M,2024-01-07,GIST,alive\n");
  EXPECT_EQ(AgentCtl(c, {"agent", "quarantine", "export", fix}, &out), 1) << out;  // never overwritten silently
  EXPECT_TRUE(Has(out, "exists")) << out;
  std::ofstream(fix) << kHeader << "R2,佐藤,花子,1971-02-03,F,2024-01-06,LMS,alive\n"
                     << "R3,田中,一郎,1972-04-30,M,2024-01-07,GIST,alive\n";
  EXPECT_EQ(c.Import("ncch", fix).accepted(), 2);
  ASSERT_EQ(
      AgentCtl(c, {"agent", "quarantine", "drop", std::to_string(bad_code), "--reason", "corrected in fix.csv"}, &out),
      0)
      << out;
  EXPECT_TRUE(Has(out, "dropped: corrected in fix.csv")) << out;
  {
    grpc::ClientContext ctx;
    v1::DropQuarantineRequest req;
    req.set_id(bad_date);
    v1::QuarantineItem item;
    EXPECT_EQ(stub->DropQuarantine(&ctx, req, &item).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  }

  // Retry: the same person under another number, now confirmed as two patients.
  ASSERT_EQ(AgentCtl(c, {"agent", "quarantine", "retry", std::to_string(same_person), "--accept-same-person"}, &out), 0)
      << out;
  EXPECT_TRUE(Has(out, "entry " + std::to_string(same_person) + ": accepted")) << out;
  EXPECT_TRUE(Has(out, "retried: 1 accepted, 0 refused again")) << out;
  ASSERT_TRUE(c.WaitForDrain("ncch"));
  EXPECT_EQ(c.AgentStatus("ncch").cases(), 4);
  v1::GetStatsResponse stats;
  ASSERT_TRUE(c.GetStats(true, &stats).ok());
  EXPECT_EQ(stats.cases(), 4);
  EXPECT_TRUE(stats.verified());

  ASSERT_EQ(AgentCtl(c, {"agent", "quarantine", "list"}, &out), 0) << out;
  EXPECT_TRUE(Has(out, "1 open, 2 retried or dropped")) << out;  // bad_date: imported corrected, not yet dropped
  ASSERT_EQ(AgentCtl(c, {"agent", "quarantine", "list", "--all"}, &out), 0) << out;
  EXPECT_TRUE(Has(out, "dropped")) << out;
  EXPECT_TRUE(Has(out, "retried")) << out;
}

}  // namespace
}  // namespace fedreg::testing
