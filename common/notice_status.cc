#include "common/notice_status.h"

namespace fedreg {

std::string NoticeStatusName(v1::NoticeStatus status) {
  switch (status) {
    case v1::NOTICE_STATUS_UNSPECIFIED: return "new";
    case v1::NOTICE_STATUS_CONTACTED: return "contacted";
    case v1::NOTICE_STATUS_REFERRED: return "referred";
    case v1::NOTICE_STATUS_SCREENING: return "screening";
    case v1::NOTICE_STATUS_ENROLLED: return "enrolled";
    case v1::NOTICE_STATUS_SCREEN_FAILED: return "screen_failed";
    case v1::NOTICE_STATUS_DECLINED: return "declined";
    case v1::NOTICE_STATUS_NOT_ELIGIBLE: return "not_eligible";
    case v1::NOTICE_STATUS_DEFERRED: return "deferred";
    default: return "";
  }
}

const std::vector<std::string>& NoticeStatusNames() {
  static const std::vector<std::string> names = {"contacted", "referred",      "screening",
                                                 "enrolled",  "screen_failed", "declined",
                                                 "not_eligible", "deferred"};
  return names;
}

bool ParseNoticeStatus(const std::string& name, v1::NoticeStatus* status) {
  for (int v = v1::NOTICE_STATUS_CONTACTED; v <= v1::NOTICE_STATUS_DEFERRED; ++v) {
    if (NoticeStatusName(static_cast<v1::NoticeStatus>(v)) == name) {
      *status = static_cast<v1::NoticeStatus>(v);
      return true;
    }
  }
  return false;
}

std::string MatchStateName(v1::MatchState state) {
  switch (state) {
    case v1::MATCH_STATE_OPEN: return "open";
    case v1::MATCH_STATE_ENDED: return "ended";
    case v1::MATCH_STATE_CANCELLED: return "cancelled";
    default: return "unknown";
  }
}

}  // namespace fedreg
