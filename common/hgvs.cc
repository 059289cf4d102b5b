// Hand-written scanners for the grammars documented in hgvs.h (no regex: the
// importer calls this once per alteration row).
#include "common/hgvs.h"

#include <unicode/normalizer2.h>
#include <unicode/unistr.h>
#include <unicode/utf16.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <iterator>
#include <string>

#include "absl/status/status.h"
#include "common/utf8.h"

namespace fedreg {
namespace {

constexpr size_t kMaxInputBytes = 200;
constexpr size_t kQuoteBytes = 80;
constexpr int kMaxProteinDigits = 5;  // positions up to 99999 (titin has ~35,000 residues)
constexpr int kMaxCdnaDigits = 7;     // c. positions and offsets up to 9999999
constexpr int kMaxExon = 400;         // TTN, the gene with the most exons, has 363; validate.cc uses 400 too
constexpr size_t kMaxTokens = 6;

// String building. (Debian's abseil has its own absl::string_view, which
// absl::StrCat's AlphaNum does not take from a std::string_view.)
void AppendPiece(std::string* o, std::string_view s) { o->append(s.data(), s.size()); }
void AppendPiece(std::string* o, int n) { *o += std::to_string(n); }
void AppendPiece(std::string* o, size_t n) { *o += std::to_string(n); }
void AppendPiece(std::string* o, int64_t n) { *o += std::to_string(n); }

template <typename... T>
void Append(std::string* o, const T&... parts) {
  (AppendPiece(o, parts), ...);
}

template <typename... T>
std::string Cat(const T&... parts) {
  std::string o;
  (AppendPiece(&o, parts), ...);
  return o;
}

constexpr std::string_view kHintProtein = "write e.g. p.V600E or p.Val600Glu";
constexpr std::string_view kHintAny =
    "write a protein change (p.V600E), a c. change (c.1799T>A, c.-124C>T) or an exon event "
    "(exon 19 deletion)";

// ---------------------------------------------------------------- notes

enum NoteBit : uint32_t {
  kNoteFolded = 1u << 0,
  kNoteDashes = 1u << 1,
  kNoteTrimmed = 1u << 2,
  kNoteInnerSpace = 1u << 3,
  kNoteSeparators = 1u << 4,
  kNoteGeneMoved = 1u << 5,
  kNoteReferenceMoved = 1u << 6,
  kNoteSplit = 1u << 7,
  kNotePrefixCase = 1u << 8,
  kNotePAdded = 1u << 9,
  kNoteCAdded = 1u << 10,
  kNoteParens = 1u << 11,
  kNoteLowerCase = 1u << 12,
  kNoteThreeLetter = 1u << 13,
  kNoteXStop = 1u << 14,
  kNoteSpelledResidues = 1u << 15,
  kNoteFsTail = 1u << 16,  // text built from Ctx::fs_tail
  kNoteSynonymous = 1u << 17,
  kNoteDelinsSubst = 1u << 18,
  kNoteFsAtStop = 1u << 19,
  kNoteSpliceRef = 1u << 20,
  kNoteNucleotideCase = 1u << 21,
  kNoteSpelledNucleotides = 1u << 22,
  kNoteMetEx14 = 1u << 23,
  kNoteTert = 1u << 24,
  kNoteExonPhrase = 1u << 25,
  kNoteP0 = 1u << 26,
  kNoteExtOld = 1u << 27,
  kNoteStopRetained = 1u << 28,
};

struct NoteText {
  uint32_t bit;
  std::string_view text;
};

constexpr NoteText kNoteTexts[] = {
    {kNoteFolded, "full-width characters folded (NFKC)"},
    {kNoteDashes, "dash characters written as '-'"},
    {kNoteTrimmed, "surrounding spaces removed"},
    {kNoteInnerSpace, "space after the prefix removed"},
    {kNoteSeparators, "',' and ';' separators removed"},
    {kNoteGeneMoved, "gene symbol moved to gene"},
    {kNoteReferenceMoved, "reference sequence moved to reference_sequence"},
    {kNoteSplit, "c. and p. descriptions split into hgvs_c and protein_change"},
    {kNotePrefixCase, "prefix written in lower case"},
    {kNotePAdded, "'p.' prefix added"},
    {kNoteCAdded, "'c.' prefix added"},
    {kNoteParens, "parentheses removed"},
    {kNoteLowerCase, "lower-case amino acids upper-cased"},
    {kNoteThreeLetter, "three-letter amino acids written as one-letter codes"},
    {kNoteXStop, "'X' read as stop '*'"},
    {kNoteSpelledResidues, "spelled-out residues after del/dup dropped"},
    {kNoteFsTail, ""},
    {kNoteSynonymous, "unchanged residue written as '='"},
    {kNoteDelinsSubst, "one-residue delins written as a substitution"},
    {kNoteFsAtStop, "frameshift starting with a stop written as a nonsense change"},
    {kNoteSpliceRef, "splice-site residue written as X (vcf2maf form)"},
    {kNoteNucleotideCase, "nucleotides upper-cased"},
    {kNoteSpelledNucleotides, "spelled-out nucleotides or count after del/dup/inv dropped"},
    {kNoteMetEx14, "MET exon 14 event read as exon 14 skipping"},
    {kNoteTert, "TERT promoter nickname written as its c. position"},
    {kNoteExonPhrase, "exon event written in canonical form"},
    {kNoteP0, "p.0? written as p.0"},
    {kNoteExtOld, "p.Met1extMet-N written as p.M1ext-N"},
    {kNoteStopRetained, "stop retained written as p.*N="},
};

// Per-call state: the input as given (for messages) and what was rewritten.
struct Ctx {
  std::string_view input;
  uint32_t notes = 0;
  std::string fs_tail;  // the frameshift tail that was dropped, for the note
};

std::string ComposeNote(const Ctx& ctx) {
  std::string out;
  for (const NoteText& n : kNoteTexts) {
    if ((ctx.notes & n.bit) == 0) continue;
    if (!out.empty()) out += "; ";
    if (n.bit == kNoteFsTail) {
      Append(&out, "frameshift tail '", ctx.fs_tail, "' dropped");
    } else {
      out += n.text;
    }
  }
  return out;
}

absl::Status Refuse(const Ctx& ctx, std::string_view what, std::string_view hint = {}) {
  std::string m = Cat("'", Utf8Prefix(ctx.input, kQuoteBytes), "': ", what);
  if (!hint.empty()) Append(&m, "; ", hint);
  return absl::InvalidArgumentError(m);
}

// ---------------------------------------------------------------- characters

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsAlpha(char c) { return IsUpper(c) || IsLower(c); }
char ToUpper(char c) { return IsLower(c) ? static_cast<char>(c - 'a' + 'A') : c; }
char ToLower(char c) { return IsUpper(c) ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ToLower(a[i]) != ToLower(b[i])) return false;
  }
  return true;
}

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && EqualsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

bool HasUpper(std::string_view s) {
  for (char c : s) {
    if (IsUpper(c)) return true;
  }
  return false;
}

bool HasLower(std::string_view s) {
  for (char c : s) {
    if (IsLower(c)) return true;
  }
  return false;
}

// ---------------------------------------------------------------- amino acids

// IUPAC-IUB one-letter codes of the 20 standard amino acids plus
// selenocysteine (U) and pyrrolysine (O). B, J, Z (ambiguity) and X (unknown)
// are not in the set.
bool IsOneLetterAa(char c) {
  return c != 0 && std::string_view("ACDEFGHIKLMNOPQRSTUVWY").find(c) != std::string_view::npos;
}

struct ThreeLetter {
  char key[4];  // lower case, sorted for binary search
  char one;
};

// IUPAC-IUB three-letter codes (HGVS "Standards: amino acids"); Ter is the
// HGVS stop. Sorted by key.
constexpr ThreeLetter kThreeLetter[] = {
    {"ala", 'A'}, {"arg", 'R'}, {"asn", 'N'}, {"asp", 'D'}, {"cys", 'C'}, {"gln", 'Q'}, {"glu", 'E'}, {"gly", 'G'},
    {"his", 'H'}, {"ile", 'I'}, {"leu", 'L'}, {"lys", 'K'}, {"met", 'M'}, {"phe", 'F'}, {"pro", 'P'}, {"pyl", 'O'},
    {"sec", 'U'}, {"ser", 'S'}, {"ter", '*'}, {"thr", 'T'}, {"trp", 'W'}, {"tyr", 'Y'}, {"val", 'V'},
};

// The one-letter code of a three-letter code (any case), or 0.
char LookupThreeLetter(std::string_view three) {
  if (three.size() != 3) return 0;
  char k[3] = {ToLower(three[0]), ToLower(three[1]), ToLower(three[2])};
  size_t lo = 0, hi = std::size(kThreeLetter);
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    int cmp = std::char_traits<char>::compare(kThreeLetter[mid].key, k, 3);
    if (cmp == 0) return kThreeLetter[mid].one;
    if (cmp < 0) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return 0;
}

bool StartsWithKeyword(std::string_view s) {
  for (std::string_view kw : {"fs", "ext", "del", "dup", "ins", "_splice"}) {
    if (s.substr(0, kw.size()) == kw) return true;
  }
  return false;
}

// ---------------------------------------------------------------- protein

// Parses the part after "p." (parentheses already removed). `lower` = the
// description is wholly lower case (then residues are read case-insensitively).
class ProteinParser {
 public:
  ProteinParser(std::string_view body, bool lower, Ctx* ctx) : s_(body), lower_(lower), ctx_(ctx) {}

  absl::Status Parse(CanonicalVariant* v);

  // True once the first position was read: before that, a bare token that
  // fails is "not an alteration" rather than a broken protein change.
  bool read_position() const { return read_position_; }

 private:
  enum class Style { kAuto, kOne, kThree };

  bool AtEnd() const { return i_ >= s_.size(); }
  char Peek(size_t k = 0) const { return i_ + k < s_.size() ? s_[i_ + k] : '\0'; }
  std::string_view Rest() const { return i_ < s_.size() ? s_.substr(i_) : std::string_view(); }
  bool Consume(std::string_view kw) {
    if (Rest().substr(0, kw.size()) != kw) return false;
    i_ += kw.size();
    return true;
  }
  absl::Status Fail(std::string_view what, std::string_view hint = kHintProtein) const {
    return Refuse(*ctx_, what, hint);
  }

  absl::Status ReadResidue(char* aa, std::string_view what);
  absl::Status ReadPosition(int* pos, char ref);
  absl::Status ReadInserted(std::string* seq, std::string_view kw);
  absl::Status ReadSpelled(char ref1, int pos1, char ref2, int pos2, std::string_view kw);
  absl::Status ReadStopCount(std::string* count, bool required, std::string_view where);
  absl::Status ExpectEnd(std::string_view after) const {
    if (AtEnd()) return absl::OkStatus();
    return Fail(Cat("unexpected '", Rest(), "' after ", after));
  }

  std::string_view s_;
  size_t i_ = 0;
  bool lower_;
  Style style_ = Style::kAuto;
  Ctx* ctx_;
  bool read_position_ = false;
};

absl::Status ProteinParser::ReadResidue(char* aa, std::string_view what) {
  if (AtEnd()) return Fail(Cat("ends where ", what, " is expected"));
  const char c = Peek();
  if (c == '*') {
    ++i_;
    *aa = '*';
    return absl::OkStatus();
  }
  if (lower_) {
    if (!IsLower(c)) return Fail(Cat("'", std::string_view(&c, 1), "' where ", what, " is expected"));
    if (style_ != Style::kOne && i_ + 3 <= s_.size()) {
      if (char one = LookupThreeLetter(s_.substr(i_, 3)); one != 0) {
        i_ += 3;
        *aa = one;
        ctx_->notes |= kNoteThreeLetter;
        return absl::OkStatus();
      }
    }
    if (style_ == Style::kThree && c != 'x') {
      return Fail(Cat("'", s_.substr(i_, 3), "' is not an amino-acid code"));
    }
    const char up = ToUpper(c);
    if (!IsOneLetterAa(up) && up != 'X') {
      return Fail(Cat("'", std::string_view(&c, 1), "' is not an amino-acid code"));
    }
    ++i_;
    *aa = up;
    return absl::OkStatus();
  }
  if (IsUpper(c) && IsLower(Peek(1)) && IsLower(Peek(2))) {
    std::string_view three = s_.substr(i_, 3);
    if (char one = LookupThreeLetter(three); one != 0) {
      i_ += 3;
      *aa = one;
      ctx_->notes |= kNoteThreeLetter;
      return absl::OkStatus();
    }
    // A one-letter code followed by a keyword ("Lfs*12", "Qext*17").
    if (!((IsOneLetterAa(c) || c == 'X') && StartsWithKeyword(s_.substr(i_ + 1)))) {
      return Fail(Cat("'", three, "' is not an amino-acid code"));
    }
  }
  if (IsUpper(c)) {
    if (c == 'B' || c == 'J' || c == 'Z') {
      return Fail(Cat("'", std::string_view(&c, 1), "' is not an amino-acid code (B, J, Z are ambiguity codes)"));
    }
    ++i_;
    *aa = c;  // 'X' is returned as such; callers decide (stop, splice, or refused)
    return absl::OkStatus();
  }
  if (IsLower(c)) {
    return Fail(Cat("'", std::string_view(&c, 1),
                    "' is not an amino-acid code (one-letter codes are upper case; a description "
                    "wholly in lower case is also read)"));
  }
  return Fail(Cat("'", std::string_view(&c, 1), "' where ", what, " is expected"));
}

absl::Status ProteinParser::ReadPosition(int* pos, char ref) {
  const size_t start = i_;
  while (IsDigit(Peek())) ++i_;
  std::string_view digits = s_.substr(start, i_ - start);
  if (digits.empty()) {
    return Fail(Cat("expected the position (digits) after '", std::string_view(&ref, 1), "'"));
  }
  if (digits.find_first_not_of('0') == std::string_view::npos) {
    return Fail("position 0 does not exist (residues are numbered from 1, the initiator Met is p.M1)");
  }
  if (digits[0] == '0') return Fail(Cat("position '", digits, "' has a leading zero"));
  if (digits.size() > kMaxProteinDigits) {
    return Fail(Cat("position ", digits, " is too large (at most 99999)"));
  }
  int n = 0;
  for (char d : digits) n = n * 10 + (d - '0');
  *pos = n;
  read_position_ = true;
  return absl::OkStatus();
}

// The inserted residues after ins/delins: at least one; '*' only last.
absl::Status ProteinParser::ReadInserted(std::string* seq, std::string_view kw) {
  const std::string hint = Cat("spell the inserted residues, e.g. p.N771_P772insH");
  if (AtEnd()) return Fail(Cat("'", kw, "' without the inserted residues"), hint);
  if (IsDigit(Peek()) || Peek() == '(' || Peek() == '[') {
    return Fail("length-only insertions are not supported", hint);
  }
  while (!AtEnd()) {
    if (!seq->empty() && seq->back() == '*') return Fail("residues after the stop '*' in an inserted sequence", hint);
    char aa;
    if (absl::Status st = ReadResidue(&aa, "an inserted residue"); !st.ok()) return st;
    if (aa == 'X') {
      return Fail("'X' (unknown amino acid) in an inserted sequence; length-only insertions are not supported", hint);
    }
    seq->push_back(aa);
  }
  return absl::OkStatus();
}

// Optional residues spelled after del/dup: checked against the range, dropped.
absl::Status ProteinParser::ReadSpelled(char ref1, int pos1, char ref2, int pos2, std::string_view kw) {
  if (AtEnd()) return absl::OkStatus();
  const std::string canonical =
      pos1 == pos2 ? Cat("p.", std::string_view(&ref1, 1), pos1, kw)
                   : Cat("p.", std::string_view(&ref1, 1), pos1, "_", std::string_view(&ref2, 1), pos2, kw);
  const std::string hint = Cat("write ", canonical);
  if (IsDigit(Peek())) return Fail(Cat("a count after '", kw, "' is not part of a protein description"), hint);
  const size_t start = i_;
  std::string spelled;
  const size_t expected = static_cast<size_t>(pos2 - pos1 + 1);
  while (!AtEnd()) {
    char aa;
    if (absl::Status st = ReadResidue(&aa, "a residue"); !st.ok()) return st;
    spelled.push_back(aa);
    if (spelled.size() > expected) break;
  }
  if (spelled.size() != expected || spelled.front() != ref1 || spelled.back() != ref2 ||
      spelled.find_first_of("*X") != std::string::npos) {
    std::string range = pos1 == pos2 ? Cat(std::string_view(&ref1, 1), pos1)
                                     : Cat(std::string_view(&ref1, 1), pos1, "_", std::string_view(&ref2, 1), pos2);
    return Fail(Cat("'", s_.substr(start), "' does not spell ", range, " (", expected,
                    expected == 1 ? " residue)" : " residues)"),
                hint);
  }
  ctx_->notes |= kNoteSpelledResidues;
  return absl::OkStatus();
}

// "*17", "Ter17", "X17", "*?" after fs/ext; `count` gets "17" or "?".
absl::Status ProteinParser::ReadStopCount(std::string* count, bool required, std::string_view where) {
  bool marker = false;
  if (Consume("*")) {
    marker = true;
  } else if (Consume(lower_ ? "ter" : "Ter")) {
    marker = true;
    ctx_->notes |= kNoteThreeLetter;
  } else if (Consume(lower_ ? "x" : "X")) {
    marker = true;
    ctx_->notes |= kNoteXStop;
  }
  if (!marker) {
    if (required) return Fail(Cat("'", where, "' needs the new stop, e.g. ext*17 or ext*?"));
    return absl::OkStatus();
  }
  if (Consume("?")) {
    *count = "?";
    return absl::OkStatus();
  }
  const size_t start = i_;
  while (IsDigit(Peek())) ++i_;
  std::string_view digits = s_.substr(start, i_ - start);
  if (digits.empty()) {
    if (required) return Fail(Cat("'", where, "' needs the position of the new stop, e.g. *17 or *?"));
    return absl::OkStatus();
  }
  if (digits[0] == '0' || digits.size() > kMaxProteinDigits) {
    return Fail(Cat("'", digits, "' is not a stop position (1..99999, no leading zero)"));
  }
  *count = std::string(digits);
  return absl::OkStatus();
}

absl::Status ProteinParser::Parse(CanonicalVariant* v) {
  if (s_.empty()) return Fail("nothing after 'p.'");
  if (s_ == "?") {
    v->protein_change = "p.?";
    v->cls = VariantClass::kUnknownConsequence;
    return absl::OkStatus();
  }
  if (s_ == "0" || s_ == "0?") {
    if (s_ == "0?") ctx_->notes |= kNoteP0;
    v->protein_change = "p.0";
    v->cls = VariantClass::kNoProtein;
    return absl::OkStatus();
  }
  if (s_ == "=") {
    v->protein_change = "p.=";
    v->cls = VariantClass::kSynonymous;
    return absl::OkStatus();
  }
  if (IsDigit(s_[0])) return Fail("the reference amino acid is missing before the position");
  if (s_[0] == '[' || s_.find(';') != std::string_view::npos) {
    return Fail("alleles (p.[...;...]) are not supported; give one alteration per entry");
  }
  if (lower_) {
    if (IsAlpha(Peek(0)) && IsAlpha(Peek(1)) && IsAlpha(Peek(2)) && IsDigit(Peek(3))) {
      style_ = Style::kThree;
    } else if (IsAlpha(Peek(0)) && IsDigit(Peek(1))) {
      style_ = Style::kOne;
    }
  }

  char ref1;
  if (absl::Status st = ReadResidue(&ref1, "the reference amino acid"); !st.ok()) return st;
  int pos1;
  if (absl::Status st = ReadPosition(&pos1, ref1); !st.ok()) return st;
  const std::string first = Cat(std::string_view(&ref1, 1), pos1);
  v->codon = pos1;

  // vcf2maf's splice-site form.
  if (Consume("_splice")) {
    if (ref1 == '*') return Fail("a stop codon cannot be a splice site", "write e.g. p.X123_splice");
    if (absl::Status st = ExpectEnd("'_splice'"); !st.ok()) return st;
    if (ref1 != 'X') {
      ctx_->notes |= kNoteSpliceRef;
      v->ref_aa = ref1;
    }
    v->protein_change = Cat("p.X", pos1, "_splice");
    v->cls = VariantClass::kSplice;
    return absl::OkStatus();
  }
  if (ref1 == 'X') {
    return Fail("'X' as the reference residue is an unknown amino acid, not a stop",
                Cat("give the residue (e.g. p.R", pos1, "*), or for a splice site write p.X", pos1, "_splice"));
  }
  v->ref_aa = ref1;

  if (Consume("_")) {  // a range
    if (ref1 == '*') return Fail("a range cannot start at the stop codon");
    char ref2;
    if (absl::Status st = ReadResidue(&ref2, "the last residue of the range"); !st.ok()) return st;
    if (ref2 == 'X') return Fail("'X' as a reference residue is an unknown amino acid");
    if (ref2 == '*') {
      return Fail("a range cannot end at the stop codon (a change of the stop is an extension or a frameshift)");
    }
    int pos2;
    if (absl::Status st = ReadPosition(&pos2, ref2); !st.ok()) return st;
    if (pos2 <= pos1) {
      return Fail(Cat("the range ", first, "_", std::string_view(&ref2, 1), pos2,
                      " must run from the lower to the higher position"),
                  "write e.g. p.E746_A750del");
    }
    const std::string range = Cat(first, "_", std::string_view(&ref2, 1), pos2);
    if (Consume("delins")) {
      std::string seq;
      if (absl::Status st = ReadInserted(&seq, "delins"); !st.ok()) return st;
      v->protein_change = Cat("p.", range, "delins", seq);
      v->cls = VariantClass::kInframeDelins;
      return absl::OkStatus();
    }
    if (Consume("del")) {
      if (absl::Status st = ReadSpelled(ref1, pos1, ref2, pos2, "del"); !st.ok()) return st;
      v->protein_change = Cat("p.", range, "del");
      v->cls = VariantClass::kInframeDeletion;
      return absl::OkStatus();
    }
    if (Consume("dup")) {
      if (absl::Status st = ReadSpelled(ref1, pos1, ref2, pos2, "dup"); !st.ok()) return st;
      v->protein_change = Cat("p.", range, "dup");
      v->cls = VariantClass::kDuplication;
      return absl::OkStatus();
    }
    if (Consume("ins")) {
      if (pos2 != pos1 + 1) {
        return Fail(Cat("an insertion lies between two adjacent residues, not ", range), "write e.g. p.N771_P772insH");
      }
      std::string seq;
      if (absl::Status st = ReadInserted(&seq, "ins"); !st.ok()) return st;
      v->protein_change = Cat("p.", range, "ins", seq);
      v->cls = VariantClass::kInframeInsertion;
      return absl::OkStatus();
    }
    if (AtEnd()) return Fail(Cat("the range ", range, " is not followed by del, dup, ins or delins"));
    return Fail(Cat("unexpected '", Rest(), "' after the range ", range),
                "a range takes del, dup, ins or delins, e.g. p.E746_A750del");
  }

  if (ref1 == '*') {  // the stop codon: retained, or lost (extension)
    if (Consume("=")) {
      if (absl::Status st = ExpectEnd(first); !st.ok()) return st;
      v->protein_change = Cat("p.*", pos1, "=");
      v->cls = VariantClass::kSynonymous;
      return absl::OkStatus();
    }
    if (Consume("?")) {
      if (absl::Status st = ExpectEnd(first); !st.ok()) return st;
      v->protein_change = Cat("p.*", pos1, "?");
      v->cls = VariantClass::kUnknownConsequence;
      return absl::OkStatus();
    }
    if (StartsWithKeyword(Rest())) {
      return Fail(Cat("the stop codon ", first, " is either replaced (an extension) or retained"),
                  Cat("write e.g. p.", first, "Qext*17 or p.", first, "="));
    }
    char alt;
    if (absl::Status st = ReadResidue(&alt, "the amino acid that replaces the stop"); !st.ok()) return st;
    if (alt == 'X') return Fail("'X' cannot replace a stop", "write e.g. p.*110Qext*17");
    if (alt == '*') {
      if (absl::Status st = ExpectEnd(first); !st.ok()) return st;
      ctx_->notes |= kNoteStopRetained;
      v->protein_change = Cat("p.*", pos1, "=");
      v->cls = VariantClass::kSynonymous;
      return absl::OkStatus();
    }
    std::string tail;
    if (Consume("ext")) {
      std::string count;
      if (absl::Status st = ReadStopCount(&count, /*required=*/true, "ext"); !st.ok()) return st;
      tail = Cat("ext*", count);
    }
    if (absl::Status st = ExpectEnd(Cat("p.*", pos1, std::string_view(&alt, 1), tail)); !st.ok()) {
      return st;
    }
    v->protein_change = Cat("p.*", pos1, std::string_view(&alt, 1), tail);
    v->cls = VariantClass::kStopLost;
    return absl::OkStatus();
  }

  if (ref1 == 'M' && pos1 == 1 && Consume("ext")) {  // N-terminal extension, p.M1ext-5
    if (IsAlpha(Peek())) {
      char met;
      if (absl::Status st = ReadResidue(&met, "the new initiator Met"); !st.ok()) return st;
      if (met != 'M') return Fail("an N-terminal extension starts at a new Met", "write e.g. p.M1ext-5");
      ctx_->notes |= kNoteExtOld;
    }
    if (!Consume("-")) return Fail("an N-terminal extension needs the new start position", "write e.g. p.M1ext-5");
    const size_t start = i_;
    while (IsDigit(Peek())) ++i_;
    std::string_view digits = s_.substr(start, i_ - start);
    if (digits.empty() || digits[0] == '0' || digits.size() > kMaxProteinDigits) {
      return Fail("an N-terminal extension needs the new start position", "write e.g. p.M1ext-5");
    }
    if (absl::Status st = ExpectEnd(Cat("p.M1ext-", digits)); !st.ok()) return st;
    v->protein_change = Cat("p.M1ext-", digits);
    v->cls = VariantClass::kStartLost;
    return absl::OkStatus();
  }

  char alt = 0;
  bool frameshift = false;
  if (Consume("delins")) {
    std::string seq;
    if (absl::Status st = ReadInserted(&seq, "delins"); !st.ok()) return st;
    if (seq.size() > 1) {
      v->protein_change = Cat("p.", first, "delins", seq);
      v->cls = VariantClass::kInframeDelins;
      return absl::OkStatus();
    }
    ctx_->notes |= kNoteDelinsSubst;  // HGVS: one residue by one other is a substitution
    alt = seq[0];
  } else if (Consume("del")) {
    if (absl::Status st = ReadSpelled(ref1, pos1, ref1, pos1, "del"); !st.ok()) return st;
    v->protein_change = Cat("p.", first, "del");
    v->cls = VariantClass::kInframeDeletion;
    return absl::OkStatus();
  } else if (Consume("dup")) {
    if (absl::Status st = ReadSpelled(ref1, pos1, ref1, pos1, "dup"); !st.ok()) return st;
    v->protein_change = Cat("p.", first, "dup");
    v->cls = VariantClass::kDuplication;
    return absl::OkStatus();
  } else if (Consume("ins")) {
    return Fail("an insertion needs the two residues it lies between", "write e.g. p.N771_P772insH");
  } else if (Consume("ext")) {
    return Fail("only a stop (p.*110Qext*17) or the initiator Met (p.M1ext-5) can be extended");
  } else if (Consume("=")) {
    if (absl::Status st = ExpectEnd(Cat("p.", first, "=")); !st.ok()) return st;
    v->protein_change = Cat("p.", first, "=");
    v->cls = VariantClass::kSynonymous;
    return absl::OkStatus();
  } else if (Consume("?")) {
    if (absl::Status st = ExpectEnd(Cat("p.", first, "?")); !st.ok()) return st;
    v->protein_change = Cat("p.", first, "?");
    v->cls = (ref1 == 'M' && pos1 == 1) ? VariantClass::kStartLost : VariantClass::kUnknownConsequence;
    return absl::OkStatus();
  } else if (Consume("fs")) {
    frameshift = true;  // "p.P34fs": no new residue
  } else if (Peek() == '[') {
    return Fail("repeated sequences (p.Ala2[10]) are not supported");
  } else {
    if (AtEnd()) {
      return Fail(Cat("ends after ", first, " where the new amino acid or the change is expected"));
    }
    if (absl::Status st = ReadResidue(&alt, "the new amino acid"); !st.ok()) return st;
    if (alt == 'X') {
      alt = '*';
      ctx_->notes |= kNoteXStop;
    }
    frameshift = Consume("fs");
    if (!frameshift && Rest().substr(0, 3) == "ext") {
      return Fail("only a stop (p.*110Qext*17) or the initiator Met (p.M1ext-5) can be extended");
    }
  }

  if (frameshift) {  // everything after the position is dropped (see hgvs.h)
    const size_t tail_start = i_;
    std::string count;
    if (absl::Status st = ReadStopCount(&count, /*required=*/false, "fs"); !st.ok()) return st;
    Consume("?");  // "fs*7?" (uncertain count), as some HGVSp_Short files have it
    if (absl::Status st = ExpectEnd(Cat("p.", first, "fs")); !st.ok()) return st;
    if (alt == '*') {  // HGVS: not p.Tyr4TerfsTer1 but p.Tyr4Ter
      ctx_->notes |= kNoteFsAtStop;
      v->protein_change = Cat("p.", first, "*");
      v->cls = VariantClass::kNonsense;
      return absl::OkStatus();
    }
    if (alt != 0 || i_ > tail_start) {
      ctx_->notes |= kNoteFsTail;
      ctx_->fs_tail =
          Cat(alt != 0 ? std::string_view(&alt, 1) : std::string_view(), "fs", s_.substr(tail_start, i_ - tail_start));
    }
    v->protein_change = Cat("p.", first, "fs");
    v->cls = VariantClass::kFrameshift;
    return absl::OkStatus();
  }

  if (absl::Status st = ExpectEnd(Cat("p.", first, std::string_view(&alt, 1))); !st.ok()) return st;
  if (alt == ref1) {  // HGVS: p.(Leu54Leu) should not be used; p.Leu54=
    ctx_->notes |= kNoteSynonymous;
    v->protein_change = Cat("p.", first, "=");
    v->cls = VariantClass::kSynonymous;
    return absl::OkStatus();
  }
  v->protein_change = Cat("p.", first, std::string_view(&alt, 1));
  if (alt == '*') {
    v->cls = VariantClass::kNonsense;
  } else if (ref1 == 'M' && pos1 == 1) {
    v->cls = VariantClass::kStartLost;
  } else {
    v->cls = VariantClass::kMissense;
  }
  return absl::OkStatus();
}

// `body` is what follows "p." (or the whole bare token): strips the
// parentheses of a predicted change and detects a wholly lower-case text.
absl::Status ParseProteinBody(std::string_view body, Ctx* ctx, CanonicalVariant* v, bool* read_position) {
  if (!body.empty() && body.front() == '(') {
    if (body.size() < 2 || body.back() != ')') return Refuse(*ctx, "unbalanced parentheses", kHintProtein);
    body = body.substr(1, body.size() - 2);
    ctx->notes |= kNoteParens;
  }
  const bool lower = !HasUpper(body) && HasLower(body);
  if (lower) ctx->notes |= kNoteLowerCase;
  ProteinParser parser(body, lower, ctx);
  absl::Status st = parser.Parse(v);
  if (read_position != nullptr) *read_position = parser.read_position();
  return st;
}

// ---------------------------------------------------------------- coding DNA

struct CPos {
  int region = 1;  // 0: c.-N (5' of the ATG), 1: coding, 2: c.*N (3' of the stop)
  int base = 0;    // N
  int offset = 0;  // intronic offset (+M / -M), 0 when exonic
  std::string_view text;

  // Total order along the transcript, for range checks.
  bool Before(const CPos& o) const {
    const int64_t a = region == 0 ? -static_cast<int64_t>(base) : base;
    const int64_t b = o.region == 0 ? -static_cast<int64_t>(o.base) : o.base;
    if (region != o.region) return region < o.region;
    if (a != b) return a < b;
    return offset < o.offset;
  }
  int64_t Signed() const { return region == 0 ? -static_cast<int64_t>(base) : base; }
};

bool IsNucleotide(char c) { return c != 0 && std::string_view("ACGTacgt").find(c) != std::string_view::npos; }

class CdnaParser {
 public:
  CdnaParser(std::string_view body, Ctx* ctx) : s_(body), ctx_(ctx) {}

  absl::Status Parse(CanonicalVariant* v);
  // A single-nucleotide substitution at a coding position without offset:
  // its codon can be checked against a p. substitution given with it.
  bool coding_snv() const { return coding_snv_; }

 private:
  bool AtEnd() const { return i_ >= s_.size(); }
  char Peek(size_t k = 0) const { return i_ + k < s_.size() ? s_[i_ + k] : '\0'; }
  std::string_view Rest() const { return i_ < s_.size() ? s_.substr(i_) : std::string_view(); }
  bool Consume(std::string_view kw) {
    if (Rest().substr(0, kw.size()) != kw) return false;
    i_ += kw.size();
    return true;
  }
  absl::Status Fail(std::string_view what,
                    std::string_view hint = "write e.g. c.1799T>A, c.-124C>T, c.1234+1G>A or c.2235_2249del") const {
    return Refuse(*ctx_, what, hint);
  }
  absl::Status ReadNumber(int* n, std::string_view what);
  absl::Status ReadPos(CPos* p);
  absl::Status ReadNucleotides(std::string* seq, std::string_view kw);
  absl::Status DropSpelled(const CPos& p1, const CPos* p2, std::string_view kw);

  std::string_view s_;
  size_t i_ = 0;
  Ctx* ctx_;
  bool coding_snv_ = false;
};

absl::Status CdnaParser::ReadNumber(int* n, std::string_view what) {
  const size_t start = i_;
  while (IsDigit(Peek())) ++i_;
  std::string_view digits = s_.substr(start, i_ - start);
  if (digits.empty()) {
    if (Peek() == '(' || Peek() == '?') return Fail("uncertain positions are not supported");
    return Fail(Cat("expected ", what, " (digits)"));
  }
  if (digits.find_first_not_of('0') == std::string_view::npos) {
    return Fail(Cat(what, " 0 does not exist (c.1 is the A of the ATG, c.-1 the nucleotide before it)"));
  }
  if (digits[0] == '0') return Fail(Cat(what, " '", digits, "' has a leading zero"));
  if (digits.size() > kMaxCdnaDigits) return Fail(Cat(what, " ", digits, " is too large"));
  int v = 0;
  for (char d : digits) v = v * 10 + (d - '0');
  *n = v;
  return absl::OkStatus();
}

absl::Status CdnaParser::ReadPos(CPos* p) {
  const size_t start = i_;
  if (Consume("-")) {
    p->region = 0;
  } else if (Consume("*")) {
    p->region = 2;
  }
  if (absl::Status st = ReadNumber(&p->base, "a position"); !st.ok()) return st;
  if ((Peek() == '+' || Peek() == '-') && IsDigit(Peek(1))) {
    const bool minus = Peek() == '-';
    ++i_;
    int off;
    if (absl::Status st = ReadNumber(&off, "an intronic offset"); !st.ok()) return st;
    p->offset = minus ? -off : off;
  }
  p->text = s_.substr(start, i_ - start);
  return absl::OkStatus();
}

absl::Status CdnaParser::ReadNucleotides(std::string* seq, std::string_view kw) {
  while (!AtEnd() && IsNucleotide(Peek())) {
    if (IsLower(Peek())) ctx_->notes |= kNoteNucleotideCase;
    seq->push_back(ToUpper(Peek()));
    ++i_;
  }
  if (seq->empty()) {
    return Fail(Cat("'", kw, "' needs the inserted nucleotides (A, C, G, T)"), "write e.g. c.2300_2301insGCATAC");
  }
  return absl::OkStatus();
}

// Optional nucleotides or a count after del/dup/inv: checked when the range
// length is known, then dropped (HGVS: c.6_8del, not c.6_8delTGC).
absl::Status CdnaParser::DropSpelled(const CPos& p1, const CPos* p2, std::string_view kw) {
  if (AtEnd()) return absl::OkStatus();
  int64_t expected = -1;  // unknown when a position is intronic or the range crosses c.-1/c.1 or the stop
  if (p2 == nullptr) {
    if (p1.offset == 0) expected = 1;
  } else if (p1.offset == 0 && p2->offset == 0 && p1.region == p2->region) {
    expected = p2->Signed() - p1.Signed() + 1;
  }
  int64_t got = 0;
  const size_t start = i_;
  if (IsDigit(Peek())) {
    int n;
    if (absl::Status st = ReadNumber(&n, "a length"); !st.ok()) return st;
    got = n;
  } else {
    while (!AtEnd() && (IsNucleotide(Peek()) || ToUpper(Peek()) == 'N')) {
      ++got;
      ++i_;
    }
    if (got == 0) return absl::OkStatus();  // the caller reports what follows
  }
  if (expected >= 0 && got != expected) {
    return Fail(Cat("'", s_.substr(start, i_ - start), "' after '", kw, "' gives ", got,
                    " nucleotides but the range covers ", expected));
  }
  ctx_->notes |= kNoteSpelledNucleotides;
  return absl::OkStatus();
}

absl::Status CdnaParser::Parse(CanonicalVariant* v) {
  if (s_.empty()) return Fail("nothing after 'c.'");
  if (s_.find_first_of("()[];/") != std::string_view::npos) {
    return Fail("uncertain positions, alleles and mosaics are not supported; give one alteration");
  }
  CPos p1, p2;
  if (absl::Status st = ReadPos(&p1); !st.ok()) return st;
  const bool range = Consume("_");
  if (range) {
    if (absl::Status st = ReadPos(&p2); !st.ok()) return st;
    if (!p1.Before(p2)) {
      return Fail(Cat("the range ", p1.text, "_", p2.text, " must run from 5' to 3'"), "write e.g. c.2235_2249del");
    }
  }
  std::string where = range ? Cat(p1.text, "_", p2.text) : std::string(p1.text);
  std::string edit;
  bool snv = false;
  if (!range && IsNucleotide(Peek()) && Peek(1) == '>') {
    const char ref = ToUpper(Peek());
    i_ += 2;
    if (AtEnd() || !IsNucleotide(Peek())) return Fail("a substitution needs the new nucleotide (A, C, G, T)");
    const char alt = ToUpper(Peek());
    if (IsLower(s_[i_ - 2]) || IsLower(Peek())) ctx_->notes |= kNoteNucleotideCase;
    ++i_;
    if (ref == alt) return Fail(Cat("'", std::string_view(&ref, 1), ">", std::string_view(&alt, 1), "' is no change"));
    edit = Cat(std::string_view(&ref, 1), ">", std::string_view(&alt, 1));
    snv = true;
  } else if (Consume("delins")) {
    std::string seq;
    if (absl::Status st = ReadNucleotides(&seq, "delins"); !st.ok()) return st;
    edit = Cat("delins", seq);
  } else if (Consume("del")) {
    if (absl::Status st = DropSpelled(p1, range ? &p2 : nullptr, "del"); !st.ok()) return st;
    edit = "del";
  } else if (Consume("dup")) {
    if (absl::Status st = DropSpelled(p1, range ? &p2 : nullptr, "dup"); !st.ok()) return st;
    edit = "dup";
  } else if (Consume("ins")) {
    if (!range) return Fail("an insertion needs the two nucleotides it lies between", "write e.g. c.2300_2301insGCA");
    if (p1.offset == 0 && p2.offset == 0 && p1.region == p2.region && p2.Signed() != p1.Signed() + 1) {
      return Fail(Cat("an insertion lies between two adjacent nucleotides, not ", where),
                  "write e.g. c.2300_2301insGCA");
    }
    std::string seq;
    if (absl::Status st = ReadNucleotides(&seq, "ins"); !st.ok()) return st;
    edit = Cat("ins", seq);
  } else if (Consume("inv")) {
    if (!range) return Fail("an inversion needs a range", "write e.g. c.100_102inv");
    if (absl::Status st = DropSpelled(p1, &p2, "inv"); !st.ok()) return st;
    edit = "inv";
  } else if (Consume("=")) {
    return Fail("'=' describes no change");
  } else if (AtEnd()) {
    return Fail(Cat("ends after ", where, " where the change is expected"));
  } else {
    return Fail(Cat("unexpected '", Rest(), "' after ", where));
  }
  if (!AtEnd()) return Fail(Cat("unexpected '", Rest(), "' after c.", where, edit));

  v->hgvs_c = Cat("c.", where, edit);
  // Classification by position (HGVS c. numbering; SO splice_donor/acceptor
  // = the 2 intronic nucleotides next to the exon).
  bool splice = false, intron = false;
  for (const CPos* p : {&p1, range ? &p2 : nullptr}) {
    if (p == nullptr || p->offset == 0) continue;
    if (p->offset >= -2 && p->offset <= 2) {
      splice = true;
    } else {
      intron = true;
    }
  }
  if (range) {
    if ((p1.offset == 0) != (p2.offset == 0)) splice = true;  // crosses an exon/intron boundary
    if (p1.offset != 0 && p2.offset != 0 && (p1.region != p2.region || p2.Signed() > p1.Signed() + 1)) {
      splice = true;  // from one intron to another: an exon is inside
    }
  }
  if (splice) {
    v->cls = VariantClass::kSplice;
  } else if (intron) {
    v->cls = VariantClass::kIntron;
  } else if (range && p1.region == 0 && p2.region >= 1) {
    v->cls = VariantClass::kStartLost;  // spans the ATG
  } else if (range && p1.region <= 1 && p2.region == 2) {
    v->cls = VariantClass::kStopLost;  // spans the stop codon
  } else if (p1.region == 0) {
    v->cls = VariantClass::kFivePrime;
  } else if (p1.region == 2) {
    v->cls = VariantClass::kThreePrime;
  } else {
    v->cls = VariantClass::kUnknownConsequence;  // coding, protein consequence not given
  }
  // The codon of an exonic or splice-site position; a deep intronic change
  // is not matched to the codon before it.
  if (p1.region == 1 && (p1.offset == 0 || splice)) v->codon = (p1.base + 2) / 3;
  coding_snv_ = snv && p1.region == 1 && p1.offset == 0;
  return absl::OkStatus();
}

// ---------------------------------------------------------------- tokens

// [A-Z][A-Za-z0-9-]*, at most 24: the shape of an HGNC symbol ("C9orf72").
bool IsGeneLike(std::string_view s) {
  if (s.empty() || s.size() > 24 || !IsUpper(s[0])) return false;
  for (char c : s) {
    if (!(IsAlpha(c) || IsDigit(c) || c == '-')) return false;
  }
  return true;
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

// A reference sequence identifier: RefSeq (NM_004333.4, NP_004324.2, NC_, NG_,
// NR_, XM_, XP_), Ensembl (ENST..., ENSP..., with optional version) or LRG
// (LRG_199t1, LRG_199p1).
bool IsAccession(std::string_view s) {
  auto versioned_digits = [](std::string_view d) {
    const size_t dot = d.find('.');
    if (dot == std::string_view::npos) return AllDigits(d);
    return AllDigits(d.substr(0, dot)) && AllDigits(d.substr(dot + 1));
  };
  if (s.size() > 3 && IsUpper(s[0]) && IsUpper(s[1]) && s[2] == '_' && s.substr(0, 3) != "LRG") {
    return versioned_digits(s.substr(3));
  }
  if (s.size() > 4 && (s.substr(0, 4) == "ENST" || s.substr(0, 4) == "ENSP" || s.substr(0, 4) == "ENSG")) {
    return versioned_digits(s.substr(4));
  }
  if (s.size() > 4 && s.substr(0, 4) == "LRG_") {
    std::string_view r = s.substr(4);
    size_t k = 0;
    while (k < r.size() && IsDigit(r[k])) ++k;
    if (k == 0) return false;
    if (k == r.size()) return true;
    return (r[k] == 't' || r[k] == 'p') && AllDigits(r.substr(k + 1));
  }
  return false;
}

// Index of "ex"/"Ex" starting an exon reference ("ex14", "exon14", "exon 14"
// once spaces are gone) in `s`, at 0 or after a gene symbol glued in front
// ("METex14"); npos when there is none. The 'x' must be lower case after a
// gene, so that a symbol such as TEX14 is not split.
size_t FindExon(std::string_view s) {
  for (size_t k = 0; k + 2 < s.size(); ++k) {
    const bool head = (k == 0 && (s[0] == 'e' || s[0] == 'E') && (s[1] == 'x' || s[1] == 'X')) ||
                      (k > 0 && (s[k] == 'e' || s[k] == 'E') && s[k + 1] == 'x');
    if (!head) {
      if (k > 0 && !(IsUpper(s[k]) || IsDigit(s[k]) || s[k] == '-')) return std::string_view::npos;
      if (k == 0 && !IsUpper(s[0])) return std::string_view::npos;
      continue;
    }
    std::string_view r = s.substr(k + 2);
    if (StartsWithIgnoreCase(r, "on")) r = r.substr(2);
    if (!r.empty() && (r[0] == '-' || r[0] == '_')) r = r.substr(1);
    if (!r.empty() && IsDigit(r[0])) return k;
    if (k == 0) return std::string_view::npos;
  }
  return std::string_view::npos;
}

// Matches the longest of `words` (case-insensitive) at the start of `*s`.
bool ConsumeWord(std::string_view* s, std::initializer_list<std::string_view> words) {
  for (std::string_view w : words) {
    if (StartsWithIgnoreCase(*s, w)) {
      s->remove_prefix(w.size());
      return true;
    }
  }
  return false;
}

absl::Status CheckGene(const Ctx& ctx, std::string_view text_gene, std::string_view gene) {
  if (!gene.empty() && !text_gene.empty() && !EqualsIgnoreCase(text_gene, gene)) {
    return Refuse(ctx, Cat("names gene '", text_gene, "' but the alteration is for '", Utf8Prefix(gene, 32), "'"));
  }
  return absl::OkStatus();
}

// An exon event. `words` are the input's words; `compact` is them joined
// without spaces.
absl::Status ParseExon(const std::string& compact, std::string_view word_gene, std::string_view gene, Ctx* ctx,
                       CanonicalVariant* v) {
  const std::string_view hint = "write e.g. 'exon 19 deletion', 'exon 20 insertion' or 'exon 14 skipping'";
  std::string_view s = compact;
  const size_t k = FindExon(s);
  if (k == std::string_view::npos) return Refuse(*ctx, "not an exon event", hint);
  std::string_view text_gene = word_gene;
  if (k > 0) {
    if (!text_gene.empty()) return Refuse(*ctx, "names two genes", hint);
    text_gene = s.substr(0, k);
    if (!IsGeneLike(text_gene)) return Refuse(*ctx, Cat("'", text_gene, "' is not a gene symbol"), hint);
  }
  s.remove_prefix(k + 2);
  ConsumeWord(&s, {"on"});
  ConsumeWord(&s, {"-", "_"});
  size_t d = 0;
  while (d < s.size() && IsDigit(s[d])) ++d;
  std::string_view digits = s.substr(0, d);
  int exon = 0;
  for (size_t k = 0; k < digits.size() && k < 4; ++k) exon = exon * 10 + (digits[k] - '0');
  if (digits.size() > 3 || digits[0] == '0' || exon > kMaxExon) {
    return Refuse(*ctx, Cat("exon '", digits, "' is not an exon number (1..", kMaxExon, ")"), hint);
  }
  s.remove_prefix(d);
  ConsumeWord(&s, {"-", "_"});
  enum { kNone, kSkip, kDel, kIns } event = kNone;
  if (ConsumeWord(&s, {"skipping", "skipped", "skip"})) {
    event = kSkip;
  } else if (ConsumeWord(&s, {"deletions", "deletion", "deleted", "del"})) {
    event = kDel;
  } else if (ConsumeWord(&s, {"insertions", "insertion", "inserted", "ins"})) {
    event = kIns;
  }
  ConsumeWord(&s, {"mutations", "mutation", "mut", "alterations", "alteration", "variants", "variant"});
  if (!s.empty()) return Refuse(*ctx, Cat("unexpected '", s, "' after exon ", exon), hint);
  if (absl::Status st = CheckGene(*ctx, text_gene, gene); !st.ok()) return st;
  const std::string_view effective = gene.empty() ? text_gene : gene;
  if (EqualsIgnoreCase(effective, "MET") && exon == 14 && (event == kNone || event == kDel)) {
    ctx->notes |= kNoteMetEx14;
    event = kSkip;
  }
  if (event == kNone) {
    return Refuse(*ctx, Cat("names exon ", exon, " but not what happened to it"),
                  Cat("write 'exon ", exon, " deletion', 'exon ", exon, " insertion' or 'exon ", exon, " skipping'"));
  }
  v->exon = exon;
  switch (event) {
    case kSkip:
      v->text = Cat("exon ", exon, " skipping");
      v->cls = VariantClass::kExonSkipping;
      break;
    case kDel:
      v->text = Cat("exon ", exon, " deletion");
      v->cls = VariantClass::kExonDeletion;
      break;
    default:
      v->text = Cat("exon ", exon, " insertion");
      v->cls = VariantClass::kExonInsertion;
      break;
  }
  if (!text_gene.empty()) {
    v->gene = std::string(text_gene);
    ctx->notes |= kNoteGeneMoved;
  }
  return absl::OkStatus();
}

enum class TokenKind { kProtein, kCdna, kOther };

// Strips "accession:" / "accession(GENE):" / "GENE:" and whole-token
// parentheses; says which prefix the rest has.
struct Token {
  std::string_view body;  // after the prefix ("V600E" of "p.V600E"), or the bare token
  TokenKind kind = TokenKind::kOther;
  bool prefixed = false;
  std::string_view reference;
  std::string_view gene;
};

absl::Status SplitToken(std::string_view t, Ctx* ctx, Token* out) {
  const size_t colon = t.rfind(':');
  if (colon != std::string_view::npos) {
    std::string_view ref = t.substr(0, colon);
    t = t.substr(colon + 1);
    std::string_view gene;
    if (!ref.empty() && ref.back() == ')') {
      const size_t open = ref.find('(');
      if (open != std::string_view::npos) {
        gene = ref.substr(open + 1, ref.size() - open - 2);
        ref = ref.substr(0, open);
      }
    }
    if (IsAccession(ref) && (gene.empty() || IsGeneLike(gene))) {
      out->reference = ref;
      out->gene = gene;
      ctx->notes |= kNoteReferenceMoved;
      if (!gene.empty()) ctx->notes |= kNoteGeneMoved;
    } else if (gene.empty() && IsGeneLike(ref)) {
      out->gene = ref;
      ctx->notes |= kNoteGeneMoved;
    } else {
      return Refuse(*ctx, Cat("'", ref, "' before ':' is not a reference sequence or a gene symbol"),
                    "write e.g. NM_004333.4:c.1799T>A or p.V600E");
    }
  }
  if (t.size() > 2 && t.front() == '(' && t.back() == ')' && t[2] == '.' &&
      (t[1] == 'p' || t[1] == 'P' || t[1] == 'c' || t[1] == 'C')) {
    t = t.substr(1, t.size() - 2);
    ctx->notes |= kNoteParens;
  }
  if (t.size() >= 2 && t[1] == '.') {
    const char prefix = ToLower(t[0]);
    if (prefix == 'p') {
      out->kind = TokenKind::kProtein;
    } else if (prefix == 'c') {
      out->kind = TokenKind::kCdna;
    } else if (std::string_view("gnrmo").find(prefix) != std::string_view::npos) {
      return Refuse(*ctx, Cat("'", t.substr(0, 2), "' descriptions are not accepted; give the p. or c. change"),
                    "write e.g. p.V600E or c.1799T>A");
    }
    if (out->kind != TokenKind::kOther) {
      if (IsUpper(t[0])) ctx->notes |= kNotePrefixCase;
      out->prefixed = true;
      t = t.substr(2);
    }
  }
  out->body = t;
  return absl::OkStatus();
}

bool LooksLikeDna(std::string_view s) {
  return s.find('>') != std::string_view::npos || s.find("del") != std::string_view::npos ||
         s.find("dup") != std::string_view::npos || s.find("ins") != std::string_view::npos ||
         s.find("inv") != std::string_view::npos;
}

// One token: p., c., bare protein or bare DNA.
absl::Status ParseToken(std::string_view t, std::string_view gene, Ctx* ctx, CanonicalVariant* v, bool* coding_snv) {
  Token tok;
  if (absl::Status st = SplitToken(t, ctx, &tok); !st.ok()) return st;
  if (absl::Status st = CheckGene(*ctx, tok.gene, gene); !st.ok()) return st;
  v->reference_sequence = std::string(tok.reference);
  v->gene = std::string(tok.gene);
  const std::string_view effective = gene.empty() ? tok.gene : gene;
  std::string_view b = tok.body;
  *coding_snv = false;
  if (tok.kind == TokenKind::kCdna) {
    CdnaParser p(b, ctx);
    absl::Status st = p.Parse(v);
    *coding_snv = p.coding_snv();
    return st;
  }
  if (tok.kind == TokenKind::kProtein) return ParseProteinBody(b, ctx, v, nullptr);
  if (b.empty()) return Refuse(*ctx, "empty", kHintAny);
  // TERT promoter nicknames (hg19 chr5:1,295,228 / 1,295,250; see hgvs.h).
  if (EqualsIgnoreCase(effective, "TERT") && (b == "C228T" || b == "C250T")) {
    ctx->notes |= kNoteTert;
    v->hgvs_c = b == "C228T" ? "c.-124C>T" : "c.-146C>T";
    v->cls = VariantClass::kFivePrime;
    return absl::OkStatus();
  }
  if ((IsDigit(b[0]) || b[0] == '-') && LooksLikeDna(b)) {
    ctx->notes |= kNoteCAdded;
    CdnaParser p(b, ctx);
    absl::Status st = p.Parse(v);
    *coding_snv = p.coding_snv();
    return st;
  }
  bool read_position = false;
  Ctx attempt = *ctx;
  attempt.notes |= kNotePAdded;
  absl::Status st = ParseProteinBody(b, &attempt, v, &read_position);
  if (st.ok()) {
    *ctx = std::move(attempt);
    return st;
  }
  if (b[0] == '*' && LooksLikeDna(b)) {  // c.*100A>G written without the prefix
    Ctx dna = *ctx;
    dna.notes |= kNoteCAdded;
    CanonicalVariant w;
    CdnaParser p(b, &dna);
    if (p.Parse(&w).ok()) {
      w.reference_sequence = v->reference_sequence;
      w.gene = v->gene;
      *v = std::move(w);
      *ctx = std::move(dna);
      return absl::OkStatus();
    }
  }
  // Shaped like a protein change ("v600E", "V600"): its own message says
  // what is wrong; anything else is not an alteration at all.
  size_t letters = 0;
  while (letters < b.size() && letters < 3 && (IsAlpha(b[letters]) || b[letters] == '*')) ++letters;
  const bool protein_shaped = letters > 0 && letters < b.size() && IsDigit(b[letters]);
  if (!read_position && !protein_shaped) return Refuse(*ctx, "not an alteration", kHintAny);
  return st;
}

// Splits on spaces, tabs, ',' and ';'; also before a "(p." glued to a c.
// change (VEP's "c.1799T>A(p.Val600Glu)").
size_t Tokenise(std::string_view s, std::array<std::string_view, kMaxTokens + 1>* out) {
  size_t n = 0;
  size_t i = 0;
  auto is_sep = [](char c) { return c == ' ' || c == '\t' || c == ',' || c == ';'; };
  while (i < s.size() && n <= kMaxTokens) {
    while (i < s.size() && is_sep(s[i])) ++i;
    if (i >= s.size()) break;
    size_t j = i;
    while (j < s.size() && !is_sep(s[j])) {
      if (j > i && s[j] == '(' && j + 2 < s.size() && (s[j + 1] == 'p' || s[j + 1] == 'P') && s[j + 2] == '.') break;
      ++j;
    }
    (*out)[n++] = s.substr(i, j - i);
    i = j;
  }
  return n;
}

// Folds full-width forms and spaces (NFKC) and Unicode dashes; refuses any
// other non-ASCII character.
absl::Status FoldToAscii(std::string_view s, Ctx* ctx, std::string* out) {
  UErrorCode err = U_ZERO_ERROR;
  static const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(err);
  if (nfkc == nullptr) return absl::InternalError("ICU NFKC normaliser unavailable");
  err = U_ZERO_ERROR;
  const icu::UnicodeString norm =
      nfkc->normalize(icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size()))), err);
  if (U_FAILURE(err)) return Refuse(*ctx, "cannot be normalised (NFKC)");
  ctx->notes |= kNoteFolded;
  out->clear();
  for (int32_t i = 0; i < norm.length();) {
    const UChar32 c = norm.char32At(i);
    i += U16_LENGTH(c);
    if (c < 0x80) {
      out->push_back(static_cast<char>(c));
    } else if ((c >= 0x2010 && c <= 0x2015) || c == 0x2212) {  // hyphens, dashes, minus sign
      out->push_back('-');
      ctx->notes |= kNoteDashes;
    } else {
      std::string ch;
      icu::UnicodeString(c).toUTF8String(ch);
      char code[16];
      snprintf(code, sizeof code, "U+%04X", static_cast<unsigned>(c));
      return Refuse(*ctx, Cat("contains '", ch, "' (", code, "), which is not part of a description"), kHintAny);
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<CanonicalVariant> CanonicalizeVariant(std::string_view text, std::string_view gene) {
  Ctx ctx;
  ctx.input = text;
  if (text.size() > kMaxInputBytes) {
    return absl::InvalidArgumentError(Cat("'", Utf8Prefix(text, 40), "': longer than ", kMaxInputBytes, " bytes (",
                                          text.size(), "); give one alteration"));
  }
  if (!IsValidUtf8(text)) return Refuse(ctx, "not valid UTF-8");
  std::string folded;
  std::string_view s = text;
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) {
      if (absl::Status st = FoldToAscii(text, &ctx, &folded); !st.ok()) return st;
      s = folded;
      break;
    }
  }
  for (char c : s) {
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) {
      return Refuse(ctx, "contains a control character", kHintAny);
    }
  }
  const size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return Refuse(ctx, text.empty() ? "empty" : "blank", kHintAny);
  const size_t e = s.find_last_not_of(" \t");
  if (b != 0 || e + 1 != s.size()) ctx.notes |= kNoteTrimmed;
  s = s.substr(b, e + 1 - b);
  if (s.find_first_of(",;") != std::string_view::npos) ctx.notes |= kNoteSeparators;

  // "p. V600E": a lone prefix joins the next word.
  std::string joined;
  for (size_t i = 0; i + 2 < s.size(); ++i) {
    const bool at_word = i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t' || s[i - 1] == '(';
    if (at_word && (s[i] == 'p' || s[i] == 'P' || s[i] == 'c' || s[i] == 'C') && s[i + 1] == '.' &&
        (s[i + 2] == ' ' || s[i + 2] == '\t')) {
      size_t j = i + 2;
      while (j < s.size() && (s[j] == ' ' || s[j] == '\t')) ++j;
      joined = Cat(s.substr(0, i + 2), s.substr(j));
      ctx.notes |= kNoteInnerSpace;
      break;
    }
  }
  if (!joined.empty()) s = joined;

  std::array<std::string_view, kMaxTokens + 1> tokens;
  const size_t n = Tokenise(s, &tokens);
  if (n > kMaxTokens) return Refuse(ctx, "too many words for one alteration", kHintAny);

  CanonicalVariant v;
  // Exon events: "exon 14 skipping", "MET exon 14", "METex14", "ex19del".
  // "exon" / "ex" as a word of its own, followed by the number.
  auto exon_word = [&](size_t i) {
    return i + 1 < n && (EqualsIgnoreCase(tokens[i], "exon") || EqualsIgnoreCase(tokens[i], "ex")) &&
           IsDigit(tokens[i + 1][0]);
  };
  const bool exon_first = FindExon(tokens[0]) != std::string_view::npos || exon_word(0);
  const bool exon_second = !exon_first && n >= 2 && IsGeneLike(tokens[0]) && (FindExon(tokens[1]) == 0 || exon_word(1));
  if (exon_first || exon_second) {
    std::string compact;
    for (size_t i = exon_first ? 0 : 1; i < n; ++i) compact += tokens[i];
    if (absl::Status st = ParseExon(compact, exon_first ? std::string_view() : tokens[0], gene, &ctx, &v); !st.ok()) {
      return st;
    }
    if (!exon_first) {
      v.gene = std::string(tokens[0]);
      ctx.notes |= kNoteGeneMoved;
    }
    if (!gene.empty() && !v.gene.empty()) v.gene = std::string(gene);  // matched case-insensitively
    v.rewritten = v.text != text;
    if (v.rewritten) {
      ctx.notes |= kNoteExonPhrase;
      v.note = ComposeNote(ctx);
    }
    return v;
  }

  // A leading gene symbol: "BRAF V600E", "BRAF c.1799T>A p.V600E".
  size_t first = 0;
  std::string_view word_gene;
  if (n >= 2 && IsGeneLike(tokens[0]) && !(tokens[0].size() >= 2 && tokens[0][1] == '.')) {
    Ctx probe;
    probe.input = tokens[0];
    CanonicalVariant ignored;
    bool snv;
    if (!ParseToken(tokens[0], {}, &probe, &ignored, &snv).ok()) {
      word_gene = tokens[0];
      first = 1;
      ctx.notes |= kNoteGeneMoved;
      if (absl::Status st = CheckGene(ctx, word_gene, gene); !st.ok()) return st;
    }
  }
  const std::string_view effective_gene = gene.empty() ? word_gene : gene;
  const size_t rest = n - first;
  bool coding_snv = false;
  if (rest == 1) {
    if (absl::Status st = ParseToken(tokens[first], effective_gene, &ctx, &v, &coding_snv); !st.ok()) return st;
  } else if (rest == 2) {
    Token a, c;
    Ctx scratch = ctx;
    if (!SplitToken(tokens[first], &scratch, &a).ok() || !SplitToken(tokens[first + 1], &scratch, &c).ok() ||
        a.kind == c.kind || a.kind == TokenKind::kOther || c.kind == TokenKind::kOther) {
      return Refuse(ctx, "more than one description",
                    "give one alteration, e.g. p.V600E, or its c. and p. changes: c.1799T>A p.V600E");
    }
    const std::string_view ptok = a.kind == TokenKind::kProtein ? tokens[first] : tokens[first + 1];
    const std::string_view ctok = a.kind == TokenKind::kProtein ? tokens[first + 1] : tokens[first];
    CanonicalVariant cv;
    if (absl::Status st = ParseToken(ctok, effective_gene, &ctx, &cv, &coding_snv); !st.ok()) return st;
    bool unused;
    if (absl::Status st = ParseToken(ptok, effective_gene, &ctx, &v, &unused); !st.ok()) return st;
    if (coding_snv &&
        (v.cls == VariantClass::kMissense || v.cls == VariantClass::kNonsense || v.cls == VariantClass::kStartLost ||
         (v.cls == VariantClass::kSynonymous && v.codon != 0)) &&
        v.codon != cv.codon) {
      return Refuse(ctx,
                    Cat(cv.hgvs_c, " lies in codon ", cv.codon, " but ", v.protein_change, " is at codon ", v.codon));
    }
    if (!cv.gene.empty() && !v.gene.empty() && !EqualsIgnoreCase(cv.gene, v.gene)) {
      return Refuse(ctx, "the c. and p. changes name different genes");
    }
    if (v.gene.empty()) v.gene = cv.gene;
    if (v.reference_sequence.empty()) v.reference_sequence = cv.reference_sequence;
    v.hgvs_c = cv.hgvs_c;
    if (v.cls == VariantClass::kUnknownConsequence && cv.cls != VariantClass::kUnknownConsequence) v.cls = cv.cls;
    if (v.codon == 0) v.codon = cv.codon;
    ctx.notes |= kNoteSplit;
  } else {
    return Refuse(ctx, "more than one description",
                  "give one alteration, e.g. p.V600E, or its c. and p. changes: c.1799T>A p.V600E");
  }
  if (!word_gene.empty()) {
    if (!v.gene.empty() && !EqualsIgnoreCase(v.gene, word_gene)) return Refuse(ctx, "names two genes");
    v.gene = std::string(word_gene);
  }
  if (!gene.empty() && !v.gene.empty()) v.gene = std::string(gene);  // matched case-insensitively
  v.text = !v.protein_change.empty() ? v.protein_change : v.hgvs_c;
  v.rewritten = v.text != text;
  if (v.rewritten) {
    v.note = ComposeNote(ctx);
    if (v.note.empty()) v.note = "rewritten to the canonical form";
  }
  return v;
}

namespace {

// A stored change can be canonical only if it is printable ASCII, within the
// input limit, after `prefix` ("p." or "c.").
bool CanBeCanonical(std::string_view change, std::string_view prefix) {
  if (change.size() < 3 || change.size() > kMaxInputBytes || change.substr(0, 2) != prefix) return false;
  for (char c : change) {
    if (static_cast<unsigned char>(c) >= 0x80 || static_cast<unsigned char>(c) <= 0x20) return false;
  }
  return true;
}

}  // namespace

bool IsCanonicalProteinChange(std::string_view change) {
  if (!CanBeCanonical(change, "p.")) return false;
  Ctx ctx;
  ctx.input = change;
  CanonicalVariant v;
  return ParseProteinBody(change.substr(2), &ctx, &v, nullptr).ok() && v.protein_change == change;
}

bool IsCanonicalCodingChange(std::string_view change) {
  if (!CanBeCanonical(change, "c.")) return false;
  Ctx ctx;
  ctx.input = change;
  CanonicalVariant v;
  CdnaParser parser(change.substr(2), &ctx);
  return parser.Parse(&v).ok() && v.hgvs_c == change;
}

std::string_view VariantClassName(VariantClass cls) {
  switch (cls) {
    case VariantClass::kMissense:
      return "Missense_Mutation";
    case VariantClass::kNonsense:
      return "Nonsense_Mutation";
    case VariantClass::kSynonymous:
      return "Silent";
    case VariantClass::kInframeDeletion:
      return "In_Frame_Del";
    case VariantClass::kInframeInsertion:
      return "In_Frame_Ins";
    case VariantClass::kInframeDelins:
      return "In_Frame_Delins";
    case VariantClass::kDuplication:
      return "In_Frame_Ins";
    case VariantClass::kFrameshift:
      return "Frame_Shift";
    case VariantClass::kStopLost:
      return "Nonstop_Mutation";
    case VariantClass::kStartLost:
      return "Translation_Start_Site";
    case VariantClass::kNoProtein:
      return "No_Protein";
    case VariantClass::kSplice:
      return "Splice_Site";
    case VariantClass::kFivePrime:
      return "5'Flank";
    case VariantClass::kThreePrime:
      return "3'UTR";
    case VariantClass::kIntron:
      return "Intron";
    case VariantClass::kExonSkipping:
      return "Exon_Skipping";
    case VariantClass::kExonDeletion:
      return "Exon_Deletion";
    case VariantClass::kExonInsertion:
      return "Exon_Insertion";
    case VariantClass::kUnknownConsequence:
      return "Unknown";
    case VariantClass::kUnspecified:
      break;
  }
  return "";
}

}  // namespace fedreg
