// AgentAdmin: the data manager's quarantine (list, show, export, retry,
// drop). Identifying fields go only to the agent's own user (owner token).
#include <spdlog/spdlog.h>

#include <limits>
#include <set>

#include "agent/admin_service.h"
#include "agent/export_parser.h"
#include "agent/quarantine_retry.h"
#include "agent/quarantine_rows.h"
#include "common/grpc_status.h"
#include "common/owner_token.h"
#include "common/utf8.h"

namespace fedreg::agent {
namespace {

constexpr uint32_t kDefaultLimit = 1000;

const char kOwnerOnly[] =
    "the rows hold identifiers (record number, names, birth date): run fedregctl as the agent's user or root "
    "(e.g. 'sudo -u fedreg-agent fedregctl agent quarantine export FILE')";

}  // namespace

bool AgentAdminServiceImpl::IsOwner(const grpc::ServerContext* ctx) const {
  const auto& md = ctx->client_metadata();
  auto it = md.find(kOwnerTokenMetadata);
  if (it == md.end()) return false;
  return OwnerTokenMatches(std::string(it->second.data(), it->second.size()), owner_token_);
}

v1::QuarantineItem AgentAdminServiceImpl::Item(uint64_t id, const v1::QuarantineEntry& entry, bool owner,
                                               bool with_raw) const {
  v1::QuarantineItem item;
  item.set_id(id);
  *item.mutable_entry() = entry;
  item.mutable_entry()->clear_raw();
  auto raw = UnsealRow(entry, importer_.reid_key());
  if (!raw.ok()) {
    item.mutable_entry()->set_reason(entry.reason() + " [" + std::string(raw.status().message()) + "]");
    return item;
  }
  std::vector<std::pair<std::string, std::string>> fields;
  if (RowFields(entry, *raw, &fields)) {
    for (const auto& [name, value] : fields) {
      if (!owner && IsIdentifyingColumn(name)) {
        item.set_identifiers_withheld(true);
        continue;
      }
      auto* f = item.add_fields();
      f->set_name(Utf8Prefix(name, 64));
      f->set_value(Utf8Prefix(value, 4096));
    }
  } else if (!raw->empty() && !owner) {
    item.set_identifiers_withheld(true);  // a row that cannot be split is shown whole, to the owner only
  }
  if (with_raw && owner) item.set_raw_row(Utf8Prefix(*raw, 1 << 20));
  return item;
}

grpc::Status AgentAdminServiceImpl::ListQuarantine(grpc::ServerContext* ctx, const v1::ListQuarantineRequest* req,
                                                   v1::ListQuarantineResponse* resp) {
  ++actions_.list;
  if (!req->source().empty() && req->source() != "import" && req->source() != "centre")
    return {grpc::StatusCode::INVALID_ARGUMENT, "source: '" + Utf8Prefix(req->source(), 32) +
                                                    "' is not a source: write import or centre"};
  const size_t limit = req->limit() == 0 ? kDefaultLimit : req->limit();
  auto page = store_.ListQuarantine(req->after_id(), limit, req->include_closed(), req->source());
  if (!page.ok()) return ToGrpc(page.status());
  const bool owner = IsOwner(ctx);
  for (const auto& r : *page) *resp->add_items() = Item(r.id, r.entry, owner, false);
  resp->set_open(store_.quarantine_open());
  resp->set_closed(store_.quarantined_count() - store_.quarantine_open());
  return grpc::Status::OK;
}

grpc::Status AgentAdminServiceImpl::ShowQuarantine(grpc::ServerContext* ctx, const v1::ShowQuarantineRequest* req,
                                                   v1::QuarantineItem* resp) {
  ++actions_.show;
  auto e = store_.FindQuarantine(req->id());
  if (absl::IsNotFound(e.status()))
    return {grpc::StatusCode::NOT_FOUND, std::string(e.status().message()) +
                                             " ('fedregctl agent quarantine list' shows the ids)"};
  if (!e.ok()) return ToGrpc(e.status());
  *resp = Item(req->id(), *e, IsOwner(ctx), true);
  return grpc::Status::OK;
}

grpc::Status AgentAdminServiceImpl::ExportQuarantine(grpc::ServerContext* ctx, const v1::ExportQuarantineRequest* req,
                                                     v1::ExportQuarantineResponse* resp) {
  ++actions_.export_rows;
  if (!IsOwner(ctx)) return {grpc::StatusCode::PERMISSION_DENIED, kOwnerOnly};
  std::vector<HeldRow> rows;
  auto add = [&](uint64_t id, const v1::QuarantineEntry& entry) -> grpc::Status {
    auto raw = UnsealRow(entry, importer_.reid_key());
    if (!raw.ok()) {
      resp->add_skipped("entry " + std::to_string(id) + ": " + std::string(raw.status().message()));
      return grpc::Status::OK;
    }
    rows.push_back({id, entry, std::move(*raw)});
    return grpc::Status::OK;
  };
  if (req->ids().empty()) {
    auto all = store_.ListQuarantine(0, std::numeric_limits<size_t>::max(), false, "import");
    if (!all.ok()) return ToGrpc(all.status());
    for (const auto& r : *all) add(r.id, r.entry);
  } else {
    for (uint64_t id : std::set<uint64_t>(req->ids().begin(), req->ids().end())) {
      auto e = store_.FindQuarantine(id);
      if (!e.ok()) return ToGrpc(e.status());
      add(id, *e);
    }
  }
  std::vector<std::pair<uint64_t, std::string>> skipped;
  for (RowGroup& g : GroupRows(rows, &skipped)) {
    auto* f = resp->add_files();
    f->set_source_file(g.text.name);
    f->set_format(g.format);
    f->set_rows(static_cast<int64_t>(g.text.lines.size()));
    f->set_content(std::move(g.text.text));
    for (uint64_t id : g.ids) f->add_ids(id);
  }
  for (const auto& [id, why] : skipped) resp->add_skipped("entry " + std::to_string(id) + ": " + why);
  spdlog::info("quarantine export: {} files, {} entries skipped", resp->files_size(), resp->skipped_size());
  return grpc::Status::OK;
}

grpc::Status AgentAdminServiceImpl::RetryQuarantine(grpc::ServerContext* ctx, const v1::RetryQuarantineRequest* req,
                                                    v1::RetryQuarantineResponse* resp) {
  ++actions_.retry;
  ImportOptions options;
  options.accept_identity_changes = req->accept_identity_changes();
  options.accept_same_person = req->accept_same_person();
  auto r = RetryQuarantined(store_, importer_, {req->ids().begin(), req->ids().end()}, options);
  if (!r.ok()) return ToGrpc(r.status());
  *resp = std::move(*r);
  for (auto& o : *resp->mutable_outcomes()) o.set_detail(Utf8Prefix(o.detail(), 2000));
  return grpc::Status::OK;
}

grpc::Status AgentAdminServiceImpl::DropQuarantine(grpc::ServerContext* ctx, const v1::DropQuarantineRequest* req,
                                                   v1::QuarantineItem* resp) {
  ++actions_.drop;
  if (req->reason().find_first_not_of(" \t") == std::string::npos)
    return {grpc::StatusCode::INVALID_ARGUMENT,
            "--reason is required: say why the row is given up (e.g. 'duplicate of a corrected row')"};
  if (auto s = store_.CloseQuarantine({req->id()}, "dropped", {Utf8Prefix(req->reason(), 500)}); !s.ok())
    return ToGrpc(s);
  auto e = store_.FindQuarantine(req->id());
  if (!e.ok()) return ToGrpc(e.status());
  spdlog::info("quarantine entry {} dropped: {}", req->id(), req->reason());
  *resp = Item(req->id(), *e, IsOwner(ctx), false);
  return grpc::Status::OK;
}

}  // namespace fedreg::agent
