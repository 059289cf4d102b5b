#!/usr/bin/env bash
# Regenerates the kanji variant table that name normalisation folds with
# (common/kanji_variants.h): common/data/kanji_variants.tsv (for review: one
# "variant<TAB>canonical<TAB>evidence" line per folded ideograph) and
# common/kanji_variants_data.inc (the same pairs, compiled in). Run by a
# developer when the table is to be updated; the build never runs it. The
# output is deterministic: run on the same packages it reproduces both
# committed files byte for byte.
#
# Sources (Debian 12 packages, pinned by version and sha256):
#   unicode-data 15.0.0-1   the Unihan database of Unicode 15.0.0 (Unicode
#                           License; (c) Unicode, Inc.)
#   kanjidic-xml 2022.08.23 KANJIDIC2 (EDRDG licence, CC BY-SA; (c) James
#                           William Breen and the Electronic Dictionary
#                           Research and Development Group)
#
# CHANGING THE TABLE CHANGES LINK TOKENS: a person whose name holds a character
# that moves gets another token. Bump kNameRulesVersion (common/normalize.h) and
# the fingerprint in tests/unit/names_test.cc together with the new table.
#
# Usage: deploy/data/make-kanji-variants.sh [UNICODE_DATA.deb KANJIDIC_XML.deb]
#   Without arguments it fetches the pinned packages with `apt-get download`
#   (run `apt-get update` first on a fresh machine).
# Needs: apt-get (or the two .deb files), dpkg-deb, sha256sum, python3.
#
# The rule (the reasons are in common/kanji_variants.h):
#   Standard characters, never folded and never merged with one another: the
#   2,136 Joyo kanji (kJoyoKanji "2010") and the Jinmeiyo kanji that are
#   characters in their own right (kJinmeiyoKanji without a ":U+" reference).
#   Every other ideograph folds to the ONE standard character its evidence
#   reaches, trying the evidence tiers in order; if the first tier that reaches
#   a standard character reaches two or more, the ideograph is left alone.
#     tier 1  kZVariant; kJoyoKanji "U+X" and kJinmeiyoKanji "YYYY:U+X" (the
#             official Japanese lists name the character as a form of X);
#             kSemanticVariant entries typed T or Z by kMorohashi (Dai Kan-Wa
#             Jiten says "the same as" / "the preferred form").
#     tier 2  KANJIDIC2 <variant> cross-references of type jis208, jis212,
#             jis213 or ucs (a Japanese kanji dictionary's variant forms).
#     tier 3  one kSemanticVariant link (any source), only from ideographs
#             outside JIS X 0208/0212/0213 and KANJIDIC2 (vendor and extension
#             forms such as U+9AD9, which no Japanese dictionary in Debian
#             describes), then tiers 1-2 from there.
#   Not used: kSimplifiedVariant/kTraditionalVariant (China's 1956 reform
#   merges characters Japanese keeps apart), kSpecializedSemanticVariant
#   (interchangeable only in some contexts), kSpoofingVariant (look-alikes,
#   e.g. U+59B9/U+59BA, U+6CAB/U+6CAC), kCompatibilityVariant (NFKC, which runs
#   first, already folds those: ideographs with a decomposition are never keys,
#   and a CJK compatibility ideograph named by any source, e.g. U+FA12 in the
#   Jinmeiyo list, stands for the unified ideograph it decomposes to).
set -euo pipefail
cd "$(dirname "$0")/../.."

UNICODE_PKG=unicode-data
UNICODE_VERSION=15.0.0-1
UNICODE_SHA256=5efef23bbb1c6a133ecbdd63a2cfa07159ccacf5466a49e2426101c5ecd691fc
KANJIDIC_PKG=kanjidic-xml
KANJIDIC_VERSION=2022.08.23
KANJIDIC_SHA256=d85c61495d3ea4acd3e7e78a9b6616e5511533d0909120ae038652c97d54e2e9
OUT_TSV=common/data/kanji_variants.tsv
OUT_INC=common/kanji_variants_data.inc

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ $# -ge 2 ]; then
  unicode_deb=$1
  kanjidic_deb=$2
else
  (cd "$work" && apt-get download "$UNICODE_PKG=$UNICODE_VERSION" "$KANJIDIC_PKG=$KANJIDIC_VERSION")
  unicode_deb=$(ls "$work"/${UNICODE_PKG}_*.deb)
  kanjidic_deb=$(ls "$work"/${KANJIDIC_PKG}_*.deb)
fi
check() {
  local got
  got=$(sha256sum "$1" | cut -d' ' -f1)
  if [ "$got" != "$2" ]; then
    echo "make-kanji-variants: $1 has sha256 $got, expected $2" >&2
    exit 1
  fi
}
check "$unicode_deb" "$UNICODE_SHA256"
check "$kanjidic_deb" "$KANJIDIC_SHA256"
dpkg-deb -x "$unicode_deb" "$work/u"
dpkg-deb -x "$kanjidic_deb" "$work/k"
ucd="$work/u/usr/share/unicode"
kd="$work/k/usr/share/edict/kanjidic2.xml.gz"
for f in "$ucd/Unihan_Variants.txt.bz2" "$ucd/Unihan_OtherMappings.txt.bz2" "$ucd/UnicodeData.txt" "$kd"; do
  [ -f "$f" ] || { echo "make-kanji-variants: missing $f" >&2; exit 1; }
done

python3 - "$ucd" "$kd" "$UNICODE_VERSION" "$KANJIDIC_VERSION" "$work/out.tsv" "$work/out.inc" <<'PY'
import bz2
import collections
import gzip
import re
import sys

ucd, kd_path, unicode_pkg_version, kanjidic_pkg_version, out_tsv, out_inc = sys.argv[1:]


def unihan(name):
    fields = collections.defaultdict(dict)
    version = None
    with bz2.open(f"{ucd}/{name}.bz2", "rt", encoding="utf-8") as f:
        for line in f:
            if line.startswith("# Unicode version:"):
                version = line.split(":", 1)[1].strip()
            if line.startswith("#") or not line.strip():
                continue
            code, field, value = line.rstrip("\n").split("\t")
            fields[field][int(code[2:], 16)] = value
    return fields, version


def cp(token):  # "U+9AD8<kFenn" -> 0x9AD8
    return int(token.split("<")[0][2:], 16)


variants, unicode_version = unihan("Unihan_Variants.txt")
mappings, _ = unihan("Unihan_OtherMappings.txt")

# Code points that NFKC changes (a canonical or compatibility decomposition):
# normalisation runs before the table, so they are never keys. The CJK
# compatibility ideographs decompose to one unified ideograph, which stands
# for them everywhere below (the Jinmeiyo list names some, e.g. U+FA12 for
# U+7950, and NFKC turns them into the unified one before the table is used).
decomposes = set()
singleton = {}
with open(f"{ucd}/UnicodeData.txt", encoding="utf-8") as f:
    for line in f:
        parts = line.split(";")
        if parts[5]:
            decomposes.add(int(parts[0], 16))
            if not parts[5].startswith("<") and " " not in parts[5]:
                singleton[int(parts[0], 16)] = int(parts[5], 16)


def nf(c):
    return singleton.get(c, c)


# Standard characters: fixed points of the fold.
standard = {nf(c) for c, v in mappings["kJoyoKanji"].items() if not v.startswith("U+")}
standard |= {nf(c) for c, v in mappings["kJinmeiyoKanji"].items() if ":" not in v}

edges = {1: collections.defaultdict(set), 2: collections.defaultdict(set)}
evidence = {}


def add(tier, a, b, why):
    a, b = nf(a), nf(b)
    if a == b:
        return
    edges[tier][a].add(b)
    edges[tier][b].add(a)
    evidence.setdefault((tier, min(a, b), max(a, b)), why)


# Tier 1.
for c, v in variants["kZVariant"].items():
    for t in v.split():
        add(1, c, cp(t), "kZVariant")
for c, v in mappings["kJoyoKanji"].items():
    if v.startswith("U+"):
        add(1, c, cp(v), "kJoyoKanji")
for c, v in mappings["kJinmeiyoKanji"].items():
    if ":" in v:
        add(1, c, cp(v.split(":", 1)[1]), "kJinmeiyoKanji")
for c, v in variants["kSemanticVariant"].items():
    for t in v.split():
        sources = t.partition("<")[2].split(",") if "<" in t else []
        if any(s.startswith("kMorohashi:") and set(s.split(":", 1)[1]) & set("TZ") for s in sources):
            add(1, c, cp(t), "kSemanticVariant kMorohashi:T/Z")

# Tier 2: KANJIDIC2 cross-references, JIS kuten resolved through Unihan.
jis = {}
for c, v in mappings["kJis0"].items():
    jis[("jis208", 1, int(v[:2]), int(v[2:]))] = c
for c, v in mappings["kJis1"].items():
    jis[("jis212", 1, int(v[:2]), int(v[2:]))] = c
for c, v in mappings["kJIS0213"].items():
    plane, row, cell = map(int, v.split(","))
    jis[("jis213", plane, row, cell)] = c
with gzip.open(kd_path, "rt", encoding="utf-8") as f:
    kd = f.read()
kd_version = re.search(r"<database_version>([^<]*)</database_version>", kd).group(1)
kd_date = re.search(r"<date_of_creation>([^<]*)</date_of_creation>", kd).group(1)
in_kanjidic = set()
unresolved = 0
for m in re.finditer(r"<character>(.*?)</character>", kd, re.S):
    body = m.group(1)
    literal = ord(re.search(r"<literal>(.*?)</literal>", body).group(1))
    in_kanjidic.add(literal)
    for kind, value in re.findall(r'<variant var_type="([a-z0-9_]+)">([^<]*)</variant>', body):
        if kind == "ucs":
            target = int(value, 16)
        elif kind in ("jis208", "jis212", "jis213"):
            plane, row, cell = map(int, value.split("-"))
            target = jis.get((kind, plane, row, cell))
        else:
            continue  # dictionary index numbers, not characters
        if target is None:
            unresolved += 1
            continue
        add(2, literal, target, "KANJIDIC2")

# Tier 3: semantic variants of ideographs no Japanese source describes.
japanese_sets = set(mappings["kJis0"]) | set(mappings["kJis1"]) | set(mappings["kJIS0213"]) | in_kanjidic
tier3_from = collections.defaultdict(set)  # only from ideographs outside the Japanese sets
for c, v in variants["kSemanticVariant"].items():
    for t in v.split():
        d = cp(t)
        for a, b in ((nf(c), nf(d)), (nf(d), nf(c))):
            if a not in japanese_sets and a != b:
                tier3_from[a].add(b)
                evidence.setdefault((3, min(a, b), max(a, b)), "kSemanticVariant")

# Tier 4: a supplementary-plane ideograph (U+20000 and above) with
# kSpoofingVariant links to exactly one standard (Joyo/Jinmeiyo) character,
# when tiers 1-3 reach nothing. In a Japanese name these are the itaiji of a
# common character that CP932-era hospital systems could not store, so the
# other hospital writes the common one (U+20BB7 𠮷, "tsuchi-yoshi", of 吉);
# Unihan records such glyph-level pairs only as spoofing variants (𠮷 has no
# other variant field and no Japanese source). BMP spoofing variants stay
# excluded: there they link different characters that merely look alike
# (妹/妺, 沫/沬, 柿/杮).
tier4 = {}
for c, v in variants["kSpoofingVariant"].items():
    a = nf(c)
    if a < 0x20000:
        continue
    targets = {nf(cp(t)) for t in v.split()} & standard
    if len(targets) == 1:
        tier4[a] = targets.pop()

nodes = set()
for tier in (1, 2):
    nodes |= set(edges[tier])
nodes |= set(tier3_from)

table = {}
ambiguous = 0
for n in sorted(nodes):
    if n in standard or n in decomposes:
        continue
    for tier in (1, 2, 3):
        if tier == 3 and n in japanese_sets:
            break
        # Tier 3 adds ONE semantic hop from n (chains of semantic variants
        # drift: a character's variant's variant is often another character).
        start = [n] + (sorted(tier3_from[n]) if tier == 3 else [])
        seen, stack, reached = set(start), [], set()
        for y in start[1:]:
            (reached.add if y in standard else stack.append)(y)
        stack.append(n)
        while stack:
            x = stack.pop()
            nexts = [y for t in range(1, min(tier, 2) + 1) for y in edges[t][x]]
            for y in sorted(nexts):
                if y in seen:
                    continue
                seen.add(y)
                if y in standard:
                    reached.add(y)
                else:
                    stack.append(y)
        if len(reached) == 1:
            target = reached.pop()
            key = (min(n, target), max(n, target))
            direct = [evidence[(t,) + key] for t in (1, 2, 3) if t <= tier and (t,) + key in evidence]
            table[n] = (target, tier, direct[0] if direct else "chain")
            break
        if len(reached) > 1:
            ambiguous += 1
            break

for n, target in sorted(tier4.items()):
    if n not in table and n not in standard and n not in decomposes:
        table[n] = (target, 4, "kSpoofingVariant supplementary plane")

assert all(t not in table for t, _, _ in table.values()), "a canonical character is itself folded"
assert not any(t in decomposes for t, _, _ in table.values()), "a canonical character is not NFKC-stable"
assert unicode_version == "15.0.0", unicode_version

TIER_NAME = {1: "tier1", 2: "tier2", 3: "tier3", 4: "tier4"}
header = [
    f"Kanji variants folded by name normalisation (common/kanji_variants.h), {len(table)} pairs.",
    f"Derived from the Unihan database, Unicode {unicode_version} (Debian unicode-data {unicode_pkg_version}),",
    "(c) Unicode, Inc., Unicode License: https://www.unicode.org/license.txt; and from KANJIDIC2",
    f"database version {kd_version} of {kd_date} (Debian kanjidic-xml {kanjidic_pkg_version}), (c) James William Breen and",
    "the Electronic Dictionary Research and Development Group, CC BY-SA: https://www.edrdg.org/edrdg/licence.html.",
    "Generated by deploy/data/make-kanji-variants.sh: do not edit. Evidence: the tier and the source of the",
    "pair's direct link (\"chain\" when the variant reaches its canonical through another variant).",
]
with open(out_tsv, "w", encoding="utf-8", newline="\n") as f:
    for line in header:
        f.write(f"# {line}\n")
    f.write("variant\tcanonical\tevidence\n")
    for n in sorted(table):
        target, tier, why = table[n]
        f.write(f"{chr(n)}\t{chr(target)}\t{TIER_NAME[tier]} {why}\n")
with open(out_inc, "w", encoding="utf-8", newline="\n") as f:
    for line in header:
        f.write(f"// {line}\n")
    f.write(f'#define FEDREG_KANJI_VARIANTS_UNICODE_VERSION "{unicode_version}"\n')
    f.write(f'#define FEDREG_KANJI_VARIANTS_KANJIDIC_VERSION "{kd_version}"\n')
    f.write("// {variant, canonical}, sorted by variant.\n")
    for n in sorted(table):
        target = table[n][0]
        f.write(f"{{0x{n:04X}, 0x{target:04X}}},  // {chr(n)} -> {chr(target)}\n")
print(f"make-kanji-variants: {len(table)} pairs "
      f"(tier 1: {sum(1 for v in table.values() if v[1] == 1)}, "
      f"tier 2: {sum(1 for v in table.values() if v[1] == 2)}, "
      f"tier 3: {sum(1 for v in table.values() if v[1] == 3)}, "
      f"tier 4: {sum(1 for v in table.values() if v[1] == 4)}); "
      f"{ambiguous} ideographs left alone as ambiguous; {unresolved} unresolved KANJIDIC2 references",
      file=sys.stderr)
PY

mkdir -p "$(dirname "$OUT_TSV")"
cp "$work/out.tsv" "$OUT_TSV"
cp "$work/out.inc" "$OUT_INC"
echo "make-kanji-variants: wrote $OUT_TSV and $OUT_INC" >&2
