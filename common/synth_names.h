// Patient names for the synthetic exports (common/synth.h): drawn from the
// name tables of synth_data.h by birth cohort and sex, and written as a
// first or a second hospital writes them (kanji, katakana, hiragana,
// half-width kana, full-width or title-case latin, stray spaces), so that
// record linkage meets the variation of real exports.
// Pure functions of their arguments and the Rng; any thread with its own Rng.
#pragma once

#include <string>
#include <utility>

#include "common/synth_random.h"

namespace fedreg::synth {

enum class NameForm { kKanji, kKatakana, kHiragana };

// A person's name as indices into the name tables.
struct PersonName {
  bool latin = false;  // LatinFamilyNames()/LatinGivenNames(), else FamilyNames()/GivenNames()
  int family = 0;
  int given = 0;
  NameForm form = NameForm::kKanji;  // how the first hospital writes a Japanese name
};

// `sex` is 'M', 'F', 'O' or 'U' (given names of either sex for the last two).
PersonName DrawName(Rng& rng, int birth_year, char sex);

// {family, given} as the first hospital wrote them.
std::pair<std::string, std::string> Names(const PersonName& name);

// What the importer's person matching reads a name as, whatever the script:
// the katakana reading of a Japanese name, the letters of a latin one. Two
// persons of one hospital with the same key, birth date and sex look like one
// person to it (export-format.md, "Record numbers").
std::string NameKey(const PersonName& name);

// {family, given} as a second hospital wrote the same person: sometimes in
// another script, half-width, full-width or with a space.
std::pair<std::string, std::string> VariantNames(const PersonName& name, Rng& rng);

}  // namespace fedreg::synth
