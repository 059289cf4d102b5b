// The data manager's quarantine at the store and importer level: entries
// carry their file's header and can be read as fields and written back;
// retry judges a file's rows together and says what happened to each;
// a centre refusal is re-sent; closing is checked; schema 1 stores migrate
// and newer ones are refused. (The admin socket, the owner token and
// fedregctl: tests/integration/quarantine_test.cc.)
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <fstream>
#include <sstream>

#include "agent/agent_store.h"
#include "agent/export_parser.h"
#include "agent/importer.h"
#include "agent/quarantine_retry.h"
#include "agent/quarantine_rows.h"
#include "tests/unit/temp_dir.h"

namespace fedreg::agent {
namespace {

const char kHeader[] = "record_number,family_name,given_name,birth_date,sex,registration_date,oncotree_code,vital_status";

class QuarantineTest : public ::testing::Test {
 protected:
  void SetUp() override { OpenStore(); }
  void OpenStore() {
    AgentStoreOptions o;
    o.path = dir_ / "store";
    auto s = AgentStore::Open(o);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
    importer_ = std::make_unique<Importer>(*store_, "ncch", SiteKeys{std::string(32, 'L'), std::string(32, 'R')});
  }
  void Close() {
    importer_.reset();
    store_.reset();
  }
  std::string Write(const std::string& name, const std::string& text) {
    std::string path = dir_ / name;
    std::ofstream(path) << text;
    return path;
  }
  std::vector<AgentStore::QuarantineRecord> Entries(bool include_closed = false) const {
    auto l = store_->ListQuarantine(0, 1000, include_closed, "");
    EXPECT_TRUE(l.ok()) << l.status();
    return *l;
  }
  std::vector<HeldRow> Held() const {
    std::vector<HeldRow> rows;
    for (auto& r : Entries()) {
      auto raw = UnsealRow(r.entry, importer_->reid_key());
      EXPECT_TRUE(raw.ok()) << raw.status();
      rows.push_back({r.id, r.entry, *raw});
    }
    return rows;
  }

  testing::TempDir dir_;
  std::unique_ptr<AgentStore> store_;
  std::unique_ptr<Importer> importer_;
};

TEST_F(QuarantineTest, ARefusedCsvRowKeepsItsHeaderAndReadsBackAsNamedFields) {
  std::string path = Write("e.csv", std::string(kHeader) +
                                        "\nR1,山田,太郎,1970-01-02,M,2024-01-05,LMS,alive\n"
                                        "R2,\"佐藤, 二\",花子,1971-02-03,F,2024-01-06,NOT_A_CODE,alive\n");
  auto sum = importer_->ImportFile(path);
  ASSERT_TRUE(sum.ok()) << sum.status();
  ASSERT_EQ(sum->quarantined, 1);
  auto held = Held();
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(held[0].entry.csv_header(), kHeader);
  EXPECT_EQ(held[0].entry.line(), 3);
  EXPECT_EQ(held[0].entry.field(), "oncotree_code");
  EXPECT_EQ(store_->quarantine_open(), 1);
  std::vector<std::pair<std::string, std::string>> fields;
  ASSERT_TRUE(RowFields(held[0].entry, held[0].raw, &fields));
  ASSERT_EQ(fields.size(), 8u);
  EXPECT_EQ(fields[1], (std::pair<std::string, std::string>{"family_name", "佐藤, 二"}));
  EXPECT_EQ(fields[6], (std::pair<std::string, std::string>{"oncotree_code", "NOT_A_CODE"}));
  EXPECT_TRUE(IsIdentifyingColumn("family_name"));
  EXPECT_TRUE(IsIdentifyingColumn("record_number"));
  EXPECT_TRUE(IsIdentifyingColumn("birth_date"));
  EXPECT_FALSE(IsIdentifyingColumn("oncotree_code"));
}

TEST_F(QuarantineTest, RowsWrittenBackFormAnExportThatReadsAsTheRowsThatWereRefused) {
  std::string csv = Write("a.csv", std::string(kHeader) +
                                       "\nR1,山田,太郎,1970-01-02,M,2024-01-05,NOPE,alive\n"
                                       "R2,佐藤,花子,1971-02-03,F,2024-01-06,LMS,alive\n"
                                       "R3,\"田中\n次郎\",一郎,1972-13-01,M,2024-01-07,LMS,alive\n");
  std::string nd = Write("b.ndjson",
                         "{\"record_number\":\"R9\",\"family_name\":\"鈴木\",\"given_name\":\"健\",\"birth_date\":"
                         "\"1980-01-01\",\"sex\":\"X\",\"registration_date\":\"2024-02-01\",\"oncotree_code\":\"LMS\","
                         "\"vital_status\":\"alive\"}\n");
  ASSERT_TRUE(importer_->ImportFile(csv).ok());
  ASSERT_TRUE(importer_->ImportFile(nd).ok());
  std::vector<std::pair<uint64_t, std::string>> skipped;
  auto groups = GroupRows(Held(), &skipped);
  EXPECT_TRUE(skipped.empty());
  ASSERT_EQ(groups.size(), 2u);
  for (const RowGroup& g : groups) {
    std::istringstream in(g.text.text);
    std::vector<std::string> numbers;
    std::vector<int64_t> lines;
    auto st = ReadExportStream(in, g.text.name, g.text.kind, [&](SourceRecord* r, const RowError* e) {
      ASSERT_EQ(e, nullptr) << e->reason;
      numbers.push_back(r->Get("record_number"));
      lines.push_back(g.text.lines.at(r->line));
    });
    ASSERT_TRUE(st.ok()) << st;
    if (g.format == "csv") {
      EXPECT_EQ(g.text.name, csv);
      EXPECT_EQ(numbers, (std::vector<std::string>{"R1", "R3"}));
      EXPECT_EQ(lines, (std::vector<int64_t>{2, 4}));  // the lines of a.csv, the quoted name's break included
    } else {
      EXPECT_EQ(g.format, "ndjson");
      EXPECT_EQ(numbers, (std::vector<std::string>{"R9"}));
    }
  }
}

TEST_F(QuarantineTest, RetryClosesEachEntrySayingWhetherTheRowPassedOrWhichNewEntryHoldsIt) {
  // R2 is R1's person under another number: held until the operator says
  // they are two patients; R3's code is wrong and stays wrong.
  std::string path = Write("c.csv", std::string(kHeader) +
                                        "\nR1,山田,太郎,1970-01-02,M,2024-01-05,LMS,alive\n"
                                        "R2,山田,太郎,1970-01-02,M,2024-01-05,GIST,alive\n"
                                        "R3,佐藤,花子,1971-02-03,F,2024-01-06,NOPE,alive\n");
  ASSERT_TRUE(importer_->ImportFile(path).ok());
  ASSERT_EQ(store_->case_count(), 1);
  auto before = Entries();
  ASSERT_EQ(before.size(), 2u);
  const uint64_t same_person = before[0].entry.line() == 3 ? before[0].id : before[1].id;
  const uint64_t bad_code = before[0].entry.line() == 4 ? before[0].id : before[1].id;

  ImportOptions accept;
  accept.accept_same_person = true;
  auto r = RetryQuarantined(*store_, *importer_, {}, accept);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->accepted(), 1);
  EXPECT_EQ(r->refused(), 1);
  EXPECT_EQ(store_->case_count(), 2);
  auto now_open = Entries();
  ASSERT_EQ(now_open.size(), 1u);
  EXPECT_GT(now_open[0].id, bad_code);
  EXPECT_EQ(now_open[0].entry.file(), path);
  EXPECT_EQ(now_open[0].entry.line(), 4);
  EXPECT_EQ(now_open[0].entry.field(), "oncotree_code");
  for (const auto& o : r->outcomes()) {
    if (o.id() == bad_code) {
      EXPECT_EQ(o.result(), "refused");
      EXPECT_EQ(o.new_id(), now_open[0].id);
    } else {
      EXPECT_EQ(o.id(), same_person);
      EXPECT_EQ(o.result(), "accepted");
    }
  }
  auto old = store_->GetQuarantine(bad_code);
  ASSERT_TRUE(old.ok() && old->has_value());
  EXPECT_EQ((*old)->state(), "retried");
  EXPECT_EQ((*old)->resolution(), "refused again on retry: entry " + std::to_string(now_open[0].id));
  EXPECT_EQ(store_->quarantine_open(), 1);
  // A closed entry is skipped, not retried twice.
  auto again = RetryQuarantined(*store_, *importer_, {same_person}, {});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->skipped(), 1);
  EXPECT_EQ(store_->case_count(), 2);
  EXPECT_EQ(RetryQuarantined(*store_, *importer_, {999}, {}).status().code(), absl::StatusCode::kNotFound);
}

TEST_F(QuarantineTest, ACaseTheCentreRefusedIsQueuedAgainOnRetry) {
  std::string path = Write("d.csv", std::string(kHeader) + "\nR1,山田,太郎,1970-01-02,M,2024-01-05,LMS,alive\n");
  ASSERT_TRUE(importer_->ImportFile(path).ok());
  auto cases = store_->AllCases();
  ASSERT_TRUE(cases.ok() && cases->size() == 1);
  v1::QuarantineEntry refusal;
  refusal.set_source("centre");
  refusal.set_case_id((*cases)[0].case_id());
  refusal.set_reason("the centre's reason");
  ASSERT_TRUE(store_->Acknowledge(store_->highest_seq(), {refusal}).ok());
  ASSERT_EQ(store_->quarantine_open(), 1);
  const uint64_t highest = store_->highest_seq();
  auto r = RetryQuarantined(*store_, *importer_, {}, {});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->resent(), 1);
  EXPECT_EQ(store_->highest_seq(), highest + 1);
  EXPECT_EQ(store_->case_count(), 1);  // re-sent, not counted twice
  v1::Batch batch;
  ASSERT_TRUE(store_->ReadOutbox(highest + 1, 10, 1 << 20, &batch).ok());
  ASSERT_EQ(batch.events_size(), 1);
  EXPECT_EQ(batch.events(0).case_id(), (*cases)[0].case_id());
  EXPECT_EQ(store_->quarantine_open(), 0);
}

TEST_F(QuarantineTest, ClosingNamesAnUnknownOrAlreadyClosedEntryAndWritesNothing) {
  std::string path = Write("e.csv", std::string(kHeader) + "\nR1,山田,太郎,1970-01-02,M,2024-01-05,NOPE,alive\n");
  ASSERT_TRUE(importer_->ImportFile(path).ok());
  const uint64_t id = Entries()[0].id;
  EXPECT_EQ(store_->CloseQuarantine({id, 77}, "dropped", {"a", "b"}).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->quarantine_open(), 1);
  ASSERT_TRUE(store_->CloseQuarantine({id}, "dropped", {"a duplicate"}).ok());
  EXPECT_EQ(store_->CloseQuarantine({id}, "dropped", {"again"}).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->quarantine_open(), 0);
  Close();
  OpenStore();  // the count and the state survive a restart
  EXPECT_EQ(store_->quarantine_open(), 0);
  EXPECT_EQ(Entries(true).at(0).entry.resolution(), "a duplicate");
}

// Rewrites meta keys of a closed agent store, as an older or newer release
// left it; `drop_person_index` removes what schema 3 added.
void SetMeta(const std::string& path, const std::string& version, bool drop_open_count,
             bool drop_person_index = false) {
  std::vector<rocksdb::ColumnFamilyDescriptor> descs;
  std::vector<std::string> names;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names).ok());
  for (const auto& n : names) descs.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> cfs;
  rocksdb::DB* db = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), path, descs, &cfs, &db).ok());
  rocksdb::ColumnFamilyHandle* meta = nullptr;
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == "meta") meta = cfs[i];
  ASSERT_NE(meta, nullptr);
  ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), meta, "schema_version", version).ok());
  if (drop_open_count) {
    ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), meta, "quarantine_open").ok());
  }
  if (drop_person_index) {
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] == "reid") {
        ASSERT_TRUE(db->DeleteRange(rocksdb::WriteOptions(), cfs[i], "p", "q").ok());
      }
    }
  }
  for (auto* cf : cfs) db->DestroyColumnFamilyHandle(cf);
  delete db;
}

TEST_F(QuarantineTest, ASchemaOneStoreIsMigratedAndANewerOneIsRefused) {
  std::string path = Write("f.csv", std::string(kHeader) +
                                        "\nR1,山田,太郎,1970-01-02,M,2024-01-05,NOPE,alive\n"
                                        "R2,佐藤,花子,1971-02-03,F,2024-01-06,NOPE,alive\n");
  ASSERT_TRUE(importer_->ImportFile(path).ok());
  Close();
  SetMeta(dir_ / "store", "1", /*drop_open_count=*/true);
  OpenStore();
  EXPECT_EQ(store_->quarantine_open(), 2);  // counted by the migration
  Close();
  SetMeta(dir_ / "store", "4", false);
  AgentStoreOptions o;
  o.path = dir_ / "store";
  auto refused = AgentStore::Open(o);
  ASSERT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("schema version 4, newer than this fedreg-agent (schema 3)"),
            std::string::npos)
      << refused.status();
}

// Schema 3: a schema-2 store has no person index; the migration builds it from
// the stored cases, so a stored person's new number is still held.
TEST_F(QuarantineTest, ASchemaTwoStoreGetsItsPersonIndexBuilt) {
  const std::string row = ",山田,太郎,1970-01-02,M,2024-01-05,LMS,alive";
  ASSERT_TRUE(importer_->ImportFile(Write("a.csv", std::string(kHeader) + "\nR1" + row + "\n")).ok());
  Close();
  SetMeta(dir_ / "store", "2", false, /*drop_person_index=*/true);
  OpenStore();
  auto held = importer_->ImportFile(Write("b.csv", std::string(kHeader) + "\nR9" + row + "\n"));
  ASSERT_TRUE(held.ok()) << held.status();
  EXPECT_EQ(held->quarantined, 1);
  ASSERT_FALSE(held->errors.empty());
  EXPECT_NE(held->errors[0].find("same person as record R1"), std::string::npos) << held->errors[0];
}

}  // namespace
}  // namespace fedreg::agent
