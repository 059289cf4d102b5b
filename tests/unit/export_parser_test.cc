#include "agent/export_parser.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/unit/temp_dir.h"

namespace fedreg::agent {
namespace {

struct Collected {
  std::vector<SourceRecord> records;
  std::vector<RowError> errors;
};

Collected Read(const std::string& path, absl::Status* status = nullptr) {
  Collected c;
  auto s = ReadExport(path, [&](const SourceRecord* r, const RowError* e) {
    if (r) c.records.push_back(*r);
    if (e) c.errors.push_back(*e);
  });
  if (status) *status = s;
  return c;
}

void Write(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

TEST(SplitCsvRecord, HandlesQuotesAndEmbeddedCommas) {
  std::vector<std::string> f;
  ASSERT_TRUE(SplitCsvRecord(R"(a,"b,c","say ""hi""",,e)", &f));
  EXPECT_EQ(f, (std::vector<std::string>{"a", "b,c", "say \"hi\"", "", "e"}));
  EXPECT_FALSE(SplitCsvRecord(R"(a,"unterminated)", &f));
}

TEST(ReadExport, CsvRowsCarryFileAndLine) {
  testing::TempDir dir;
  Write(dir / "x.csv",
        "\xEF\xBB\xBFrecord_number,family_name,alterations\n"
        "A-1,山田,BRAF|SNV|p.V600E|0.3;MDM2|AMP||\n"
        "A-2,\"Smith, Jr\",\n"
        "A-3,too,many,fields\n"
        "A-4,x,BRAF|SNV\n");
  auto c = Read(dir / "x.csv");
  ASSERT_EQ(c.records.size(), 2u);
  EXPECT_EQ(c.records[0].line, 2);
  EXPECT_EQ(c.records[0].Get("family_name"), "山田");
  ASSERT_EQ(c.records[0].alterations.size(), 2u);
  EXPECT_EQ(c.records[0].alterations[1].gene, "MDM2");
  EXPECT_EQ(c.records[1].Get("family_name"), "Smith, Jr");
  ASSERT_EQ(c.errors.size(), 2u);
  EXPECT_EQ(c.errors[0].line, 4);
  EXPECT_EQ(c.errors[1].line, 5);
  EXPECT_EQ(c.errors[1].field, "alterations");
}

TEST(ReadExport, UnknownCsvColumnFailsTheFile) {
  testing::TempDir dir;
  Write(dir / "x.csv", "record_number,famly_name\nA-1,x\n");
  absl::Status s;
  Read(dir / "x.csv", &s);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("famly_name"), std::string_view::npos);
}

TEST(ReadExport, NdjsonBadLinesAreReportedAndTheRestRead) {
  testing::TempDir dir;
  Write(dir / "x.ndjson",
        R"({"record_number":"A-1","ecog":2,"tmb":4.5,"alterations":[{"gene":"ALK","kind":"FUSION","change":"EML4::ALK"}],"treatments":[{"line":1,"drugs":["alectinib"],"start":"2023-01-01"}]})"
        "\n\n"
        "{not json}\n"
        R"({"record_number":"A-3","ecog":{"x":1}})"
        "\n"
        R"({"record_number":"A-4","nickname":"x"})"
        "\n");
  auto c = Read(dir / "x.ndjson");
  ASSERT_EQ(c.records.size(), 1u);
  EXPECT_EQ(c.records[0].Get("ecog"), "2");
  EXPECT_EQ(c.records[0].alterations[0].change, "EML4::ALK");
  EXPECT_EQ(c.records[0].treatments[0].drugs, "alectinib");
  ASSERT_EQ(c.errors.size(), 3u);
  EXPECT_EQ(c.errors[0].line, 3);
  EXPECT_EQ(c.errors[1].field, "ecog");
  EXPECT_EQ(c.errors[2].field, "nickname");
}

TEST(ReadExport, MissingFileFails) {
  absl::Status s;
  Read("/nonexistent/export.csv", &s);
  EXPECT_TRUE(absl::IsNotFound(s));
}

}  // namespace
}  // namespace fedreg::agent
