#include "common/sites.h"

namespace fedreg {

const std::vector<SiteInfo>& Sites() {
  static const auto* sites = new std::vector<SiteInfo>{
      {"ncch", "National Cancer Center Hospital", "国立がん研究センター中央病院"},
      {"kyoto", "Kyoto University Hospital", "京都大学医学部附属病院"},
      {"hokkaido", "Hokkaido University Hospital", "北海道大学病院"},
      {"kyushu", "Kyushu University Hospital", "九州大学病院"},
      {"tohoku", "Tohoku University Hospital", "東北大学病院"},
      {"ncchd", "National Center for Child Health and Development", "国立成育医療研究センター"},
      {"aichi", "Aichi Cancer Center", "愛知県がんセンター"},
      {"komagome", "Tokyo Metropolitan Komagome Hospital", "都立駒込病院"},
      {"toyama", "Toyama University Hospital", "富山大学附属病院"},
      {"okayama", "Okayama University Hospital", "岡山大学病院"},
      {"kindai", "Kindai University Hospital", "近畿大学病院"},
  };
  return *sites;
}

const SiteInfo* FindSite(std::string_view id) {
  for (const auto& s : Sites()) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

}  // namespace fedreg
