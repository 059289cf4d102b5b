// How fedregctl shows why a case matched a trial: one line per arm (with
// its rank: variant- or gene-level, exact cancer type or broader), then the
// arm's why lines, the same at the centre (`trials matches`) and at the
// hospital (`agent notices`).
#pragma once

#include <iostream>
#include <string>

#include "fedreg/v1/notice.pb.h"

namespace fedreg::cli {

inline void PrintArms(const google::protobuf::RepeatedPtrField<v1::ArmMatchRecord>& arms, const std::string& indent) {
  for (const auto& a : arms) {
    std::cout << indent << "arm " << a.arm_id() << (a.variant_level() ? " (variant-level" : " (gene-level")
              << (a.exact_cancer_type() ? ", exact cancer type)" : ")") << ":\n";
    for (const auto& w : a.why()) std::cout << indent << "  " << w << "\n";
  }
}

}  // namespace fedreg::cli
