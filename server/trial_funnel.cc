#include "server/trial_funnel.h"

#include <algorithm>
#include <functional>
#include <map>
#include <string>

namespace fedreg::server {
namespace {

struct Column {
  const char* name;
  int64_t (v1::FunnelRow::*get)() const;
  void (v1::FunnelRow::*set)(int64_t);
};

const std::vector<Column>& Columns() {
  static const std::vector<Column> cols = {
      {"matched", &v1::FunnelRow::matched, &v1::FunnelRow::set_matched},
      {"open", &v1::FunnelRow::open, &v1::FunnelRow::set_open},
      {"contacted", &v1::FunnelRow::contacted, &v1::FunnelRow::set_contacted},
      {"referred", &v1::FunnelRow::referred, &v1::FunnelRow::set_referred},
      {"screening", &v1::FunnelRow::screening, &v1::FunnelRow::set_screening},
      {"enrolled", &v1::FunnelRow::enrolled, &v1::FunnelRow::set_enrolled},
      {"screen_failed", &v1::FunnelRow::screen_failed, &v1::FunnelRow::set_screen_failed},
      {"declined", &v1::FunnelRow::declined, &v1::FunnelRow::set_declined},
      {"not_eligible", &v1::FunnelRow::not_eligible, &v1::FunnelRow::set_not_eligible},
      {"deferred", &v1::FunnelRow::deferred, &v1::FunnelRow::set_deferred},
      {"ended", &v1::FunnelRow::ended, &v1::FunnelRow::set_ended},
      {"cancelled", &v1::FunnelRow::cancelled, &v1::FunnelRow::set_cancelled},
  };
  return cols;
}

double Median(std::vector<double> v) {
  if (v.empty()) return -1;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct Acc {
  v1::FunnelRow row;
  std::vector<double> to_referral, to_enrolment;
  void Add(const v1::TrialMatch& m) {
    row.set_matched(row.matched() + 1);
    if (m.state() == v1::MATCH_STATE_OPEN) row.set_open(row.open() + 1);
    if (m.state() == v1::MATCH_STATE_ENDED) row.set_ended(row.ended() + 1);
    if (m.state() == v1::MATCH_STATE_CANCELLED) row.set_cancelled(row.cancelled() + 1);
    if (m.contacted_unix() > 0) row.set_contacted(row.contacted() + 1);
    if (m.referred_unix() > 0) {
      row.set_referred(row.referred() + 1);
      to_referral.push_back(static_cast<double>(m.referred_unix() - m.matched_unix()) / 86400.0);
    }
    if (m.screening_unix() > 0) row.set_screening(row.screening() + 1);
    if (m.enrolled_unix() > 0) {
      row.set_enrolled(row.enrolled() + 1);
      to_enrolment.push_back(static_cast<double>(m.enrolled_unix() - m.matched_unix()) / 86400.0);
    }
    switch (m.status()) {
      case v1::NOTICE_STATUS_SCREEN_FAILED: row.set_screen_failed(row.screen_failed() + 1); break;
      case v1::NOTICE_STATUS_DECLINED: row.set_declined(row.declined() + 1); break;
      case v1::NOTICE_STATUS_NOT_ELIGIBLE: row.set_not_eligible(row.not_eligible() + 1); break;
      case v1::NOTICE_STATUS_DEFERRED: row.set_deferred(row.deferred() + 1); break;
      default: break;
    }
  }
  v1::FunnelRow Done() {
    row.set_median_days_to_referral(Median(to_referral));
    row.set_median_days_to_enrolment(Median(to_enrolment));
    return row;
  }
};

bool IsHidden(const v1::FunnelRow& r, const char* name) {
  return std::find(r.suppressed().begin(), r.suppressed().end(), name) != r.suppressed().end();
}

void Hide(v1::FunnelRow* r, const Column& c) {
  if (IsHidden(*r, c.name)) return;
  (r->*c.set)(0);
  r->add_suppressed(c.name);
}

}  // namespace

v1::TrialFunnel BuildFunnel(const std::vector<v1::TrialMatch>& matches) {
  std::map<std::string, Acc> sites;
  Acc total;
  for (const auto& m : matches) {
    sites[m.site_id()].Add(m);
    total.Add(m);
  }
  v1::TrialFunnel f;
  for (auto& [site, acc] : sites) {
    acc.row.set_site_id(site);
    *f.add_sites() = acc.Done();
  }
  *f.mutable_total() = total.Done();
  return f;
}

void SuppressFunnel(int k, v1::TrialFunnel* f) {
  f->set_suppression_k(k);
  auto small = [k](int64_t v) { return v > 0 && v < k; };
  std::vector<v1::FunnelRow*> rows;
  for (auto& r : *f->mutable_sites()) rows.push_back(&r);
  for (const Column& c : Columns()) {
    // The small cells, remembering their values before any is zeroed.
    std::vector<v1::FunnelRow*> hidden;
    for (auto* r : rows)
      if (small((r->*c.get)())) hidden.push_back(r);
    if (hidden.size() == 1) {
      // Complementary: also the smallest other non-zero cell of the column.
      v1::FunnelRow* next = nullptr;
      for (auto* r : rows)
        if (r != hidden[0] && (r->*c.get)() > 0 && (next == nullptr || (r->*c.get)() < (next->*c.get)())) next = r;
      if (next != nullptr) hidden.push_back(next);
    }
    for (auto* r : hidden) Hide(r, c);
    if (small((f->total().*c.get)())) Hide(f->mutable_total(), c);
  }
  // Within a row, open + ended + cancelled = matched: one hidden part would
  // be the difference of the others.
  const Column* parts[] = {&Columns()[1], &Columns()[10], &Columns()[11]};
  for (auto* r : rows) {
    int hidden = 0;
    const Column* next = nullptr;
    for (const Column* c : parts) {
      if (IsHidden(*r, c->name)) ++hidden;
      else if ((r->*c->get)() > 0 && (next == nullptr || (r->*c->get)() < (r->*next->get)())) next = c;
    }
    if (hidden == 1 && next != nullptr) Hide(r, *next);
  }
  auto hide_medians = [](v1::FunnelRow* r) {
    if (IsHidden(*r, "referred")) r->set_median_days_to_referral(-1);
    if (IsHidden(*r, "enrolled")) r->set_median_days_to_enrolment(-1);
  };
  for (auto* r : rows) hide_medians(r);
  hide_medians(f->mutable_total());
}

}  // namespace fedreg::server
