// The compiled-in OncoTree table. Every code of the registry's rare-cancer case mix,
// plus common cancers that trials exclude. Class follows tissue: Lymphoid and
// Myeloid are hematologic, all else solid.
#include <unordered_map>

#include "common/oncotree.h"

namespace fedreg {
namespace {
constexpr v1::CancerClass kSolid = v1::CANCER_CLASS_SOLID;
constexpr v1::CancerClass kHeme = v1::CANCER_CLASS_HEMATOLOGIC;
}  // namespace

const std::vector<OncoTreeEntry>& OncoTreeTable() {
  static const auto* table = new std::vector<OncoTreeEntry>{
      {"LMS", "Leiomyosarcoma", "Soft Tissue", kSolid},
      {"DDLS", "Dedifferentiated Liposarcoma", "Soft Tissue", kSolid},
      {"MFH", "Undifferentiated Pleomorphic Sarcoma", "Soft Tissue", kSolid},
      {"GIST", "Gastrointestinal Stromal Tumor", "Soft Tissue", kSolid},
      {"SYNS", "Synovial Sarcoma", "Soft Tissue", kSolid},
      {"ANGS", "Angiosarcoma", "Soft Tissue", kSolid},
      {"MPNST", "Malignant Peripheral Nerve Sheath Tumor", "Peripheral Nervous System", kSolid},
      {"ASPS", "Alveolar Soft Part Sarcoma", "Soft Tissue", kSolid},
      {"DSRCT", "Desmoplastic Small-Round-Cell Tumor", "Soft Tissue", kSolid},
      {"EHAE", "Epithelioid Hemangioendothelioma", "Soft Tissue", kSolid},
      {"EPIS", "Epithelioid Sarcoma", "Soft Tissue", kSolid},
      {"PECOMA", "Perivascular Epithelioid Cell Tumor", "Soft Tissue", kSolid},
      {"IMT", "Inflammatory Myofibroblastic Tumor", "Soft Tissue", kSolid},
      {"CCS", "Clear Cell Sarcoma", "Soft Tissue", kSolid},
      {"IFS", "Infantile Fibrosarcoma", "Soft Tissue", kSolid},
      {"OS", "Osteosarcoma", "Bone", kSolid},
      {"ES", "Ewing Sarcoma", "Bone", kSolid},
      {"CHS", "Chondrosarcoma", "Bone", kSolid},
      {"CHDM", "Chordoma", "Bone", kSolid},
      {"PANET", "Pancreatic Neuroendocrine Tumor", "Pancreas", kSolid},
      {"MCC", "Merkel Cell Carcinoma", "Skin", kSolid},
      {"PHC", "Pheochromocytoma", "Adrenal Gland", kSolid},
      {"GB", "Glioblastoma, IDH-Wildtype", "CNS/Brain", kSolid},
      {"ODG", "Oligodendroglioma, IDH-mut, 1p/19q-codel", "CNS/Brain", kSolid},
      {"EPM", "Ependymoma", "CNS/Brain", kSolid},
      {"MBL", "Medulloblastoma", "CNS/Brain", kSolid},
      {"ACYC", "Adenoid Cystic Carcinoma", "Head and Neck", kSolid},
      {"MUCC", "Mucoepidermoid Carcinoma", "Head and Neck", kSolid},
      {"SDCA", "Salivary Duct Carcinoma", "Head and Neck", kSolid},
      {"HNMASC", "Mammary Analogue Secretory Carcinoma (salivary)", "Head and Neck", kSolid},
      {"THYC", "Thymic Carcinoma", "Thymus", kSolid},
      {"THYM", "Thymoma", "Thymus", kSolid},
      {"PLMESO", "Pleural Mesothelioma", "Pleura", kSolid},
      {"PEMESO", "Peritoneal Mesothelioma", "Peritoneum", kSolid},
      {"IHCH", "Intrahepatic Cholangiocarcinoma", "Biliary Tract", kSolid},
      {"EHCH", "Extrahepatic Cholangiocarcinoma", "Biliary Tract", kSolid},
      {"GBC", "Gallbladder Cancer", "Biliary Tract", kSolid},
      {"AMPCA", "Ampullary Carcinoma", "Ampulla of Vater", kSolid},
      {"SBC", "Small Bowel Cancer", "Bowel", kSolid},
      {"ACC", "Adrenocortical Carcinoma", "Adrenal Gland", kSolid},
      {"THAP", "Anaplastic Thyroid Cancer", "Thyroid", kSolid},
      {"UM", "Uveal Melanoma", "Eye", kSolid},
      {"CUPNOS", "Cancer of Unknown Primary, NOS", "Other", kSolid},
      {"NBL", "Neuroblastoma", "Peripheral Nervous System", kSolid},
      {"LIHB", "Hepatoblastoma", "Liver", kSolid},
      {"JSCB", "Juvenile Secretory Carcinoma of the Breast", "Breast", kSolid},
      {"ALCL", "Anaplastic Large Cell Lymphoma", "Lymphoid", kHeme},
      {"PTCL", "Peripheral T-Cell Lymphoma, NOS", "Lymphoid", kHeme},
      {"MCL", "Mantle Cell Lymphoma", "Lymphoid", kHeme},
      {"PCM", "Plasma Cell Myeloma", "Lymphoid", kHeme},
      {"HCL", "Hairy Cell Leukemia", "Lymphoid", kHeme},
      {"WM", "Waldenstrom Macroglobulinemia", "Lymphoid", kHeme},
      {"AML", "Acute Myeloid Leukemia", "Myeloid", kHeme},
      {"LCH", "Langerhans Cell Histiocytosis", "Myeloid", kHeme},
      {"ECD", "Erdheim-Chester Disease", "Myeloid", kHeme},
      {"SM", "Systemic Mastocytosis", "Myeloid", kHeme},
      {"BPDCN", "Blastic Plasmacytoid Dendritic Cell Neoplasm", "Myeloid", kHeme},
      {"ENKL", "Extranodal NK/T-Cell Lymphoma, Nasal Type", "Lymphoid", kHeme},
      {"NSCLC", "Non-Small Cell Lung Cancer", "Lung", kSolid},
      {"LUAD", "Lung Adenocarcinoma", "Lung", kSolid},
      {"COAD", "Colon Adenocarcinoma", "Bowel", kSolid},
      {"BRCA", "Invasive Breast Carcinoma", "Breast", kSolid},
      {"PAAD", "Pancreatic Adenocarcinoma", "Pancreas", kSolid},
      {"DLBCLNOS", "Diffuse Large B-Cell Lymphoma, NOS", "Lymphoid", kHeme},
      {"CML", "Chronic Myelogenous Leukemia", "Myeloid", kHeme},
      {"MESO", "Mesothelioma", "Pleura", kSolid},
  };
  return *table;
}

const OncoTreeEntry* FindOncoTree(std::string_view code) {
  static const auto* index = [] {
    auto* m = new std::unordered_map<std::string_view, const OncoTreeEntry*>;
    for (const auto& e : OncoTreeTable()) (*m)[e.code] = &e;
    return m;
  }();
  auto it = index->find(code);
  return it == index->end() ? nullptr : it->second;
}

}  // namespace fedreg
