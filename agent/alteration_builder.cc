#include "agent/alteration_builder.h"

#include "common/fusion.h"
#include "common/gene_symbols.h"
#include "common/hgvs.h"
#include "common/text_fold.h"
#include "common/utf8.h"

namespace fedreg::agent {
namespace {

bool Fail(AlterationError* e, std::string field, std::string reason, std::string kind) {
  e->field = std::move(field);
  e->reason = std::move(reason);
  e->kind = std::move(kind);
  return false;
}

}  // namespace

bool BuildAlteration(const SourceAlteration& in, size_t index, const absl::StatusOr<VafUnit>& vaf_unit,
                     v1::Alteration* a, std::map<std::string, int>* normalised, AlterationError* e) {
  const std::string p = "alterations[" + std::to_string(index) + "]";
  bool rewritten = false;
  a->set_origin(v1::ORIGIN_SOMATIC);

  const std::string kind = FoldCode(in.kind);
  if (kind != in.kind) {
    ++(*normalised)["kind"];
    rewritten = true;
  }

  if (kind == "FUSION") {
    a->set_kind(v1::ALTERATION_KIND_FUSION);
    // The change names the partners; the gene column names one of them.
    auto f = ParseFusion(in.change);
    if (!f.ok()) return Fail(e, p + ".change", std::string(f.status().message()), "fusion");
    std::string gene = in.gene.empty() ? (f->gene.empty() ? f->gene_3p : f->gene) : "";
    if (!in.gene.empty()) {
      auto g = CanonicalGene(in.gene, nullptr);
      if (!g.ok()) return Fail(e, p + ".gene", std::string(g.status().message()), "gene");
      gene = *g;
      if (gene != f->gene_5p && gene != f->gene_3p && gene != f->gene)
        return Fail(e, p + ".gene",
                    "gene " + gene + " is not a partner of the fusion " + f->canonical +
                        ": write the fusion's gene in the gene column",
                    "fusion");
    }
    if (gene != in.gene) ++(*normalised)["gene"], rewritten = true;
    if (f->canonical != in.change) ++(*normalised)["fusion"], rewritten = true;
    a->set_gene(gene);
    a->set_fusion(f->canonical);
    switch (f->partner_kind) {
      case FusionPartnerKind::kIntergenic: a->set_partner_kind("intergenic"); break;
      case FusionPartnerKind::kIntragenic: a->set_partner_kind("intragenic"); break;
      case FusionPartnerKind::kUnknown: a->set_partner_kind("unknown"); break;
      case FusionPartnerKind::kGene: break;
    }
    a->set_variant_class("Fusion");
  } else {
    auto g = CanonicalGene(in.gene, nullptr);
    if (!g.ok()) return Fail(e, p + ".gene", std::string(g.status().message()), "gene");
    if (*g != in.gene) ++(*normalised)["gene"], rewritten = true;
    a->set_gene(*g);
    if (kind == "SNV" || kind == "INDEL") {
      a->set_kind(kind == "SNV" ? v1::ALTERATION_KIND_SNV : v1::ALTERATION_KIND_INDEL);
      auto v = CanonicalizeVariant(in.change, *g);
      if (!v.ok()) return Fail(e, p + ".change", std::string(v.status().message()), "hgvs");
      if (!v->gene.empty() && v->gene != *g)
        return Fail(e, p + ".change", "the change names gene " + v->gene + ", the row names " + *g, "hgvs");
      if (v->rewritten) ++(*normalised)["hgvs"], rewritten = true;
      a->set_protein_change(v->protein_change);
      a->set_hgvs_c(v->hgvs_c);
      if (v->exon > 0) {
        a->set_exon(v->exon);
        a->set_exon_event(v->cls == VariantClass::kExonSkipping   ? "skipping"
                          : v->cls == VariantClass::kExonDeletion ? "deletion"
                                                                  : "insertion");
      }
      a->set_variant_class(std::string(VariantClassName(v->cls)));
    } else if (kind == "AMP" || kind == "DEL") {
      a->set_kind(kind == "AMP" ? v1::ALTERATION_KIND_AMP : v1::ALTERATION_KIND_DEL);
      if (!TrimCell(in.change).empty())
        return Fail(e, p + ".change", "must be empty for AMP and DEL (got '" + Utf8Prefix(in.change, 40) + "')",
                    "kind");
      a->set_variant_class(kind == "AMP" ? "Amplification" : "Deletion");
    } else {
      return Fail(e, p + ".kind",
                  "'" + VisibleSpaces(Utf8Prefix(in.kind, 24)) + "': must be SNV, INDEL, FUSION, AMP or DEL", "kind");
    }
  }

  // A unit in doubt for the file's assay: the alteration goes in without its
  // VAF (the importer says why once for the file).
  if (!TrimCell(in.vaf).empty() && vaf_unit.ok()) {
    auto v = ParseVaf(in.vaf, *vaf_unit);
    if (!v.ok()) return Fail(e, p + ".vaf", std::string(v.status().message()), "vaf");
    if (*vaf_unit == VafUnit::kPercent || in.vaf.find('%') != std::string::npos) ++(*normalised)["vaf_unit"], rewritten = true;
    a->set_vaf(*v);
  }
  if (rewritten) {
    a->set_source_text(Utf8Prefix(in.gene + "|" + in.kind + "|" + in.change + "|" + in.vaf, 256));
  }
  return true;
}

}  // namespace fedreg::agent
