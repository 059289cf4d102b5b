// Baseline (d) of bench/run.sh: what a DBA would build instead of fedreg,
// PostgreSQL logical replication from a publisher to a subscriber, measured on
// the same records fedreg moves. bench/pg_clusters.sh makes the two clusters
// (TLS with client certificates, fsync and synchronous_commit on, the
// subscription's synchronous_commit on); this program drives them:
//
//   fedreg_pg_baseline --pub CONNINFO --sub CONNINFO --backfill DIR --catchup DIR --trickle DIR
//                      [--publishers 11] [--txn-rows 256] [--rounds 1] [--rate 100] [--seconds 10]
//                      [--rows-per-txn 10] --samples FILE
//
// DIR holds synthetic exports named <site>.<ext> (fedregctl synth); each
// site's export is imported with the agent's own importer (bench/case_pool.h)
// and its serialized cases become rows (site, case_id, body bytea).
//
// Scenarios (the table is `cases` on both sides, published FOR TABLE cases):
// - backfill: --publishers connections (one per site) COPY their rows,
//   --txn-rows per transaction; from the first COPY to the last row of every
//   site visible at the subscriber (the apply worker applies in commit order,
//   so each site's last row marks the site done). Best and median of --rounds.
// - catch-up: the subscription is disabled, one connection COPYs the catch-up
//   rows, the subscription is enabled: from ENABLE to the last row visible.
// - freshness: an ENABLE ALWAYS trigger at the subscriber NOTIFYs each row's
//   key; a listener connection records when each arrives. Rows are COPYed at
//   --rate rows/s in transactions of --rows-per-txn, round-robin over the
//   publishing connections; a row's freshness runs from its COPY's return
//   (committed at the publisher) to its notification, in ms, one per line in
//   --samples (a notification that beats the commit's return counts 0).
//
// Prints one line of key=value figures for bench/run.sh. Exit 1 on any
// PostgreSQL error (the message names the statement).
#include <libpq-fe.h>
#include <poll.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <spdlog/spdlog.h>

#include "bench/case_pool.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Row {
  std::string site, case_id, body;
};

class Conn {
 public:
  explicit Conn(const std::string& conninfo) : c_(PQconnectdb(conninfo.c_str())) {
    if (PQstatus(c_) != CONNECTION_OK) throw std::runtime_error(std::string("connect: ") + PQerrorMessage(c_));
  }
  ~Conn() { PQfinish(c_); }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;
  PGconn* get() { return c_; }

  // Runs `sql`; returns the first column of the first row ("" when none).
  std::string Exec(const std::string& sql) {
    PGresult* r = PQexec(c_, sql.c_str());
    const auto st = PQresultStatus(r);
    std::string out;
    if (st == PGRES_TUPLES_OK && PQntuples(r) > 0) out = PQgetvalue(r, 0, 0);
    const std::string err = PQresultErrorMessage(r);
    PQclear(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) throw std::runtime_error(sql + ": " + err);
    return out;
  }

  // One transaction: COPY rows [begin, end) in PostgreSQL's binary format.
  void CopyRows(const std::vector<const Row*>& rows, size_t begin, size_t end) {
    PGresult* r = PQexec(c_, "COPY cases (site, case_id, body) FROM STDIN (FORMAT binary)");
    if (PQresultStatus(r) != PGRES_COPY_IN) {
      const std::string err = PQresultErrorMessage(r);
      PQclear(r);
      throw std::runtime_error("COPY: " + err);
    }
    PQclear(r);
    std::string buf("PGCOPY\n\377\r\n\0", 11);
    PutInt32(&buf, 0);  // flags
    PutInt32(&buf, 0);  // header extension length
    for (size_t i = begin; i < end; ++i) {
      PutInt16(&buf, 3);
      for (const std::string* f : {&rows[i]->site, &rows[i]->case_id, &rows[i]->body}) {
        PutInt32(&buf, static_cast<uint32_t>(f->size()));
        buf += *f;
      }
    }
    PutInt16(&buf, 0xffff);  // trailer
    if (PQputCopyData(c_, buf.data(), static_cast<int>(buf.size())) != 1 || PQputCopyEnd(c_, nullptr) != 1)
      throw std::runtime_error(std::string("COPY data: ") + PQerrorMessage(c_));
    while ((r = PQgetResult(c_)) != nullptr) {
      const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
      const std::string err = PQresultErrorMessage(r);
      PQclear(r);
      if (!ok) throw std::runtime_error("COPY: " + err);
    }
  }

 private:
  static void PutInt32(std::string* b, uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) b->push_back(static_cast<char>((v >> s) & 0xff));
  }
  static void PutInt16(std::string* b, uint16_t v) {
    b->push_back(static_cast<char>(v >> 8));
    b->push_back(static_cast<char>(v & 0xff));
  }
  PGconn* c_;
};

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char ch : s) q += ch == '\'' ? std::string("''") : std::string(1, ch);
  return q + "'";
}

// Each site's rows, in import order, from DIR/<site>.<ext>.
std::map<std::string, std::vector<Row>> LoadRows(const std::string& dir, const std::string& scratch) {
  std::map<std::string, std::vector<std::string>> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    files[name.substr(0, name.find('.'))].push_back(e.path().string());
  }
  std::map<std::string, std::vector<Row>> rows;
  for (const auto& [site, paths] : files) {
    for (const auto& c : fedreg::bench::ImportedCases(site, paths, scratch)) {
      rows[site].push_back({site, c.case_id(), c.SerializeAsString()});
    }
  }
  return rows;
}

double Seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

// Polls the subscriber every 2 ms until every key in `last` is there.
void WaitVisible(Conn& sub, const std::vector<const Row*>& last) {
  std::string sql = "SELECT count(*) FROM cases WHERE (site, case_id) IN (";
  for (size_t i = 0; i < last.size(); ++i)
    sql += (i ? "," : "") + std::string("(") + Quote(last[i]->site) + "," + Quote(last[i]->case_id) + ")";
  sql += ")";
  const auto deadline = Clock::now() + std::chrono::minutes(30);
  while (std::stoul(sub.Exec(sql)) < last.size()) {
    if (Clock::now() > deadline) throw std::runtime_error("rows not visible at the subscriber after 30 min");
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

// Empties both sides (TRUNCATE replicates) and waits for the subscriber.
void Empty(Conn& pub, Conn& sub) {
  pub.Exec("TRUNCATE cases");
  for (int i = 0; i < 30000 && sub.Exec("SELECT count(*) FROM cases") != "0"; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  sub.Exec("CHECKPOINT");
  pub.Exec("CHECKPOINT");
}

double Backfill(const std::string& pub_info, Conn& sub, const std::map<std::string, std::vector<Row>>& rows,
                int publishers, size_t txn_rows) {
  // Sites are dealt to the publishing connections round-robin.
  std::vector<std::vector<const Row*>> share(static_cast<size_t>(publishers));
  std::vector<const Row*> last;
  size_t i = 0;
  for (const auto& [site, rs] : rows) {
    for (const auto& r : rs) share[i % share.size()].push_back(&r);
    if (!rs.empty()) last.push_back(&rs.back());
    ++i;
  }
  std::vector<std::unique_ptr<Conn>> conns;
  for (int p = 0; p < publishers; ++p) conns.push_back(std::make_unique<Conn>(pub_info));
  std::atomic<bool> failed{false};
  std::string error;
  std::mutex error_mu;
  const auto t0 = Clock::now();
  std::vector<std::thread> threads;
  for (size_t p = 0; p < share.size(); ++p) {
    threads.emplace_back([&, p] {
      try {
        for (size_t b = 0; b < share[p].size(); b += txn_rows)
          conns[p]->CopyRows(share[p], b, std::min(share[p].size(), b + txn_rows));
      } catch (const std::exception& e) {
        failed = true;
        std::lock_guard<std::mutex> l(error_mu);
        error = e.what();
      }
    });
  }
  for (auto& t : threads) t.join();
  if (failed) throw std::runtime_error(error);
  WaitVisible(sub, last);
  return Seconds(t0, Clock::now());
}

double CatchUp(Conn& pub, Conn& sub, const std::vector<Row>& rows, size_t txn_rows) {
  sub.Exec("ALTER SUBSCRIPTION fedreg_bench DISABLE");
  // The apply worker exits once it sees the subscription disabled.
  for (int i = 0; i < 5000 && !sub.Exec("SELECT pid FROM pg_stat_subscription WHERE subname = 'fedreg_bench'").empty();
       ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  std::vector<const Row*> ptrs;
  for (const auto& r : rows) ptrs.push_back(&r);
  for (size_t b = 0; b < ptrs.size(); b += txn_rows) pub.CopyRows(ptrs, b, std::min(ptrs.size(), b + txn_rows));
  pub.Exec("CHECKPOINT");
  const auto t0 = Clock::now();
  sub.Exec("ALTER SUBSCRIPTION fedreg_bench ENABLE");
  WaitVisible(sub, {&rows.back()});
  return Seconds(t0, Clock::now());
}

// Freshness samples in ms, one per row, in the order the rows were sent.
std::vector<double> Freshness(const std::string& pub_info, const std::string& sub_info, const std::vector<Row>& rows,
                              int publishers, double rate, size_t rows_per_txn) {
  Conn sub(sub_info);
  sub.Exec(
      "CREATE OR REPLACE FUNCTION fedreg_bench_seen() RETURNS trigger LANGUAGE plpgsql AS "
      "$$ BEGIN PERFORM pg_notify('fedreg_bench', NEW.site || '/' || NEW.case_id); RETURN NEW; END $$");
  sub.Exec("CREATE TRIGGER fedreg_bench_seen AFTER INSERT ON cases FOR EACH ROW EXECUTE FUNCTION fedreg_bench_seen()");
  // Triggers do not fire in an apply worker unless enabled ALWAYS (or REPLICA).
  sub.Exec("ALTER TABLE cases ENABLE ALWAYS TRIGGER fedreg_bench_seen");
  sub.Exec("LISTEN fedreg_bench");

  std::mutex mu;
  std::unordered_map<std::string, Clock::time_point> seen;
  std::atomic<bool> stop{false};
  std::thread listener([&] {
    pollfd pfd{PQsocket(sub.get()), POLLIN, 0};
    while (!stop) {
      if (::poll(&pfd, 1, 20) <= 0) continue;
      const auto now = Clock::now();
      PQconsumeInput(sub.get());
      while (PGnotify* n = PQnotifies(sub.get())) {
        {
          std::lock_guard<std::mutex> l(mu);
          seen.emplace(n->extra, now);
        }
        PQfreemem(n);
      }
    }
  });

  std::vector<std::unique_ptr<Conn>> conns;
  for (int p = 0; p < publishers; ++p) conns.push_back(std::make_unique<Conn>(pub_info));
  std::vector<const Row*> ptrs;
  for (const auto& r : rows) ptrs.push_back(&r);
  std::vector<Clock::time_point> committed(ptrs.size());
  const auto every = std::chrono::duration<double>(static_cast<double>(rows_per_txn) / rate);
  auto next = Clock::now();
  for (size_t b = 0, txn = 0; b < ptrs.size(); b += rows_per_txn, ++txn) {
    std::this_thread::sleep_until(next);
    next += std::chrono::duration_cast<Clock::duration>(every);
    const size_t end = std::min(ptrs.size(), b + rows_per_txn);
    conns[txn % conns.size()]->CopyRows(ptrs, b, end);
    const auto done = Clock::now();
    for (size_t i = b; i < end; ++i) committed[i] = done;
  }
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  for (;;) {
    {
      std::lock_guard<std::mutex> l(mu);
      if (seen.size() >= ptrs.size()) break;
    }
    if (Clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  stop = true;
  listener.join();
  std::vector<double> samples;
  for (size_t i = 0; i < ptrs.size(); ++i) {
    auto it = seen.find(ptrs[i]->site + "/" + ptrs[i]->case_id);
    if (it == seen.end()) throw std::runtime_error("row " + ptrs[i]->case_id + " never became visible (30 s)");
    samples.push_back(std::max(0.0, std::chrono::duration<double, std::milli>(it->second - committed[i]).count()));
  }
  sub.Exec("DROP TRIGGER fedreg_bench_seen ON cases");
  return samples;
}

}  // namespace

int main(int argc, char** argv) {
  std::string pub_info, sub_info, backfill_dir, catchup_dir, trickle_dir, samples_file;
  std::string scratch = std::filesystem::temp_directory_path() / "fedreg-pg-baseline";
  int publishers = 11, rounds = 1;
  size_t txn_rows = 256, rows_per_txn = 10;
  double rate = 100, seconds = 10;
  CLI::App app{"fedreg_pg_baseline: PostgreSQL logical replication on fedreg's records (bench baseline d)"};
  app.add_option("--pub", pub_info, "libpq conninfo of the publisher")->required();
  app.add_option("--sub", sub_info, "libpq conninfo of the subscriber")->required();
  app.add_option("--backfill", backfill_dir, "the backfill's exports")->required()->check(CLI::ExistingDirectory);
  app.add_option("--catchup", catchup_dir, "the catch-up's exports")->required()->check(CLI::ExistingDirectory);
  app.add_option("--trickle", trickle_dir, "the freshness scenario's exports")->required()->check(CLI::ExistingDirectory);
  app.add_option("--samples", samples_file, "where the freshness samples (ms) are written")->required();
  app.add_option("--scratch", scratch, "scratch store for the imports (removed)")->capture_default_str();
  app.add_option("--publishers", publishers, "publishing connections")->check(CLI::Range(1, 64))->capture_default_str();
  app.add_option("--txn-rows", txn_rows, "rows per transaction in backfill and catch-up")->capture_default_str();
  app.add_option("--rounds", rounds, "backfill rounds (best and median)")->check(CLI::Range(1, 9))->capture_default_str();
  app.add_option("--rate", rate, "freshness: rows per second")->capture_default_str();
  app.add_option("--seconds", seconds, "freshness: duration")->capture_default_str();
  app.add_option("--rows-per-txn", rows_per_txn, "freshness: rows per transaction")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::err);
  try {
    const auto backfill = LoadRows(backfill_dir, scratch);
    const auto catchup = LoadRows(catchup_dir, scratch);
    const auto trickle_by_site = LoadRows(trickle_dir, scratch);
    size_t n_backfill = 0, body_bytes = 0;
    for (const auto& [site, rs] : backfill) {
      n_backfill += rs.size();
      for (const auto& r : rs) body_bytes += r.body.size();
    }
    if (n_backfill == 0 || catchup.empty()) throw std::runtime_error("no rows to send");
    // The trickle's rows interleaved across the sites, as fedreg's trickle imports them.
    std::vector<Row> trickle;
    for (size_t i = 0;; ++i) {
      bool any = false;
      for (const auto& [site, rs] : trickle_by_site)
        if (i < rs.size()) trickle.push_back(rs[i]), any = true;
      if (!any) break;
    }
    trickle.resize(std::min(trickle.size(), static_cast<size_t>(rate * seconds)));

    Conn pub(pub_info), sub(sub_info);
    std::vector<double> rounds_s;
    for (int r = 0; r < rounds; ++r) {
      Empty(pub, sub);
      rounds_s.push_back(Backfill(pub_info, sub, backfill, publishers, txn_rows));
    }
    std::vector<double> sorted = rounds_s;
    std::sort(sorted.begin(), sorted.end());
    const double median_s = sorted[sorted.size() / 2];
    const double catchup_s = CatchUp(pub, sub, catchup.begin()->second, txn_rows);
    const auto samples = Freshness(pub_info, sub_info, trickle, publishers, rate, rows_per_txn);
    std::ofstream out(samples_file);
    for (double ms : samples) out << ms << "\n";
    if (!out) throw std::runtime_error("cannot write " + samples_file);
    std::string each;
    for (double s : rounds_s) each += (each.empty() ? "" : ",") + std::to_string(static_cast<long>(n_backfill / s));
    std::printf(
        "pg rows=%zu mean_body_bytes=%zu backfill_rows_per_s=%.0f backfill_s=%.2f backfill_rounds_rows_per_s=%s "
        "catchup_rows=%zu catchup_s=%.2f freshness_samples=%zu\n",
        n_backfill, body_bytes / n_backfill, n_backfill / median_s, median_s, each.c_str(),
        catchup.begin()->second.size(), catchup_s, samples.size());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pg_baseline: %s\n", e.what());
    return 1;
  }
  return 0;
}
