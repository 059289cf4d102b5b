#!/usr/bin/env bash
# Makes a development PKI for a fedreg federation: a CA, the aggregator's
# server certificate, client certificates for the 11 hospitals, the operator,
# 13 sponsors and the auditor (identities as SPIFFE URIs), and the hospitals'
# shared linkage key. EC P-256 and SHA-256 throughout; openssl CLI only.
#
# Usage:
#   make-dev-pki.sh OUTDIR [--trust-domain fedreg.example]
#   make-dev-pki.sh OUTDIR [--trust-domain TD] issue site|operator|sponsor|auditor NAME
#
# Idempotent: an existing CA is kept and only missing files are made. Prints
# one line per file created. For development and tests only: keys are not
# encrypted.
set -euo pipefail

readonly SITES=(ncch kyoto hokkaido kyushu tohoku ncchd aichi komagome toyama okayama kindai)
readonly SPONSORS=(chugai daiichi takeda astellas eisai ono otsuka kyowakirin novartis roche
  pfizer lilly bayer)
readonly CA_DAYS=3650
readonly LEAF_DAYS=825
readonly DEFAULT_TD=fedreg.example

usage() {
  cat >&2 <<'EOF'
usage: make-dev-pki.sh OUTDIR [--trust-domain fedreg.example]
       make-dev-pki.sh OUTDIR [--trust-domain TD] issue site|operator|sponsor|auditor NAME
EOF
  exit 2
}

die() {
  echo "make-dev-pki.sh: $*" >&2
  exit 1
}

# --- arguments ---------------------------------------------------------------

outdir=""
td=""
issue_kind=""
issue_name=""
positional=()
while (($#)); do
  case "$1" in
    --trust-domain)
      (($# >= 2)) || usage
      td="$2"
      shift 2
      ;;
    --trust-domain=*)
      td="${1#*=}"
      shift
      ;;
    -h | --help) usage ;;
    -*) usage ;;
    *)
      positional+=("$1")
      shift
      ;;
  esac
done
case ${#positional[@]} in
  1) outdir="${positional[0]}" ;;
  4)
    [[ "${positional[1]}" == issue ]] || usage
    outdir="${positional[0]}"
    issue_kind="${positional[2]}"
    issue_name="${positional[3]}"
    case "$issue_kind" in
      site | operator | sponsor | auditor) ;;
      *) usage ;;
    esac
    [[ "$issue_name" =~ ^[a-z0-9][a-z0-9-]{0,62}$ ]] ||
      die "NAME must be lower-case letters, digits and '-': $issue_name"
    ;;
  *) usage ;;
esac
[[ -n "$outdir" ]] || usage
if [[ -n "$td" && ! "$td" =~ ^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$ ]]; then
  die "trust domain must be lower-case letters, digits, '.' and '-': $td"
fi

command -v openssl >/dev/null || die "openssl not found"

# --- setup -------------------------------------------------------------------

umask 077
mkdir -p -- "$outdir"
chmod 0700 -- "$outdir"

tmp="$(mktemp -d)"
trap 'rm -rf -- "$tmp"' EXIT

# A minimal config, so that the system openssl.cnf adds no extensions of its own.
cat >"$tmp/openssl.cnf" <<'EOF'
[req]
distinguished_name = dn
[dn]
EOF
export OPENSSL_CONF="$tmp/openssl.cnf"

created() { echo "created $1"; }

# Writes KEY and CERT via temporary names, so an interrupted run leaves no
# half-written files. Args: base (path without extension), then openssl req args.
make_pair() {
  local base="$1"
  shift
  local new_key=1
  local key_args=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -noenc -keyout "$tmp/key")
  if [[ -f "$base.key" ]]; then
    # Keep an existing key; only the certificate is missing.
    key_args=(-key "$base.key")
    new_key=0
  fi
  openssl req -new -x509 -sha256 -config "$OPENSSL_CONF" "${key_args[@]}" \
    -out "$tmp/pem" "$@" 2>"$tmp/err" || {
    cat "$tmp/err" >&2
    die "openssl failed for $base"
  }
  if ((new_key)); then
    chmod 0600 "$tmp/key"
    mv -f -- "$tmp/key" "$base.key"
    created "$base.key"
  fi
  chmod 0644 "$tmp/pem"
  mv -f -- "$tmp/pem" "$base.pem"
  created "$base.pem"
}

ca_subject_td() {
  # The trust domain is kept in the CA's subject (OU).
  openssl x509 -in "$outdir/ca.pem" -noout -subject -nameopt sep_multiline,sname 2>/dev/null |
    sed -n 's/^ *OU=//p' | head -n 1
}

# --- the CA ------------------------------------------------------------------

if [[ -f "$outdir/ca.pem" ]]; then
  [[ -f "$outdir/ca.key" ]] || die "$outdir/ca.pem exists but ca.key is missing"
  ca_td="$(ca_subject_td)"
  if [[ -n "$ca_td" ]]; then
    if [[ -n "$td" && "$td" != "$ca_td" ]]; then
      die "existing CA is for trust domain $ca_td, not $td"
    fi
    td="$ca_td"
  fi
  td="${td:-$DEFAULT_TD}"
else
  [[ -n "$issue_kind" ]] && die "no CA in $outdir: run make-dev-pki.sh $outdir first"
  td="${td:-$DEFAULT_TD}"
  if [[ -f "$outdir/ca.key" ]]; then
    echo "make-dev-pki.sh: reusing existing $outdir/ca.key for a new ca.pem" >&2
  fi
  make_pair "$outdir/ca" -days "$CA_DAYS" \
    -subj "/O=fedreg/OU=$td/CN=fedreg federation CA" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash"
fi

# --- leaf certificates -------------------------------------------------------

# The leaves this run is about, as base names in OUTDIR.
leaves=()
if [[ -n "$issue_kind" ]]; then
  leaves+=("$issue_kind-$issue_name")
else
  leaves+=(aggregator)
  for site in "${SITES[@]}"; do leaves+=("site-$site"); done
  leaves+=(operator-admin)
  for org in "${SPONSORS[@]}"; do leaves+=("sponsor-$org"); done
  leaves+=(auditor-audit)
fi

# Existing certificates that still chain to the CA and are valid, checked in
# one openssl call. Others (a new CA, expiry) are reissued.
declare -A valid=()
existing=()
for name in "${leaves[@]}"; do
  [[ -f "$outdir/$name.pem" ]] && existing+=("$outdir/$name.pem")
done
if ((${#existing[@]})); then
  while IFS= read -r line; do
    [[ "$line" == *": OK" ]] && valid["${line%: OK}"]=1
  done < <(openssl verify -CAfile "$outdir/ca.pem" -purpose any "${existing[@]}" 2>/dev/null || true)
fi

# Args: base name in OUTDIR, SPIFFE path, server|client.
issue() {
  local name="$1" path="$2" role="$3"
  local base="$outdir/$name"
  if [[ -f "$base.pem" && -f "$base.key" ]]; then
    if [[ -n "${valid[$base.pem]:-}" ]]; then
      return 0
    fi
    echo "make-dev-pki.sh: $base.pem does not verify against ca.pem; reissuing" >&2
    rm -f -- "$base.pem"
  fi
  if [[ -f "$base.pem" && ! -f "$base.key" ]]; then
    echo "make-dev-pki.sh: $base.key is missing, replacing $base.pem" >&2
    rm -f -- "$base.pem"
  fi
  local san="URI:spiffe://$td/$path"
  local eku=clientAuth
  if [[ "$role" == server ]]; then
    san="DNS:localhost,IP:127.0.0.1,$san"
    eku=serverAuth
  fi
  make_pair "$base" -days "$LEAF_DAYS" \
    -CA "$outdir/ca.pem" -CAkey "$outdir/ca.key" \
    -subj "/O=fedreg/OU=$td/CN=${path//\//:}" \
    -addext "basicConstraints=critical,CA:FALSE" \
    -addext "keyUsage=critical,digitalSignature" \
    -addext "extendedKeyUsage=$eku" \
    -addext "subjectAltName=$san" \
    -addext "subjectKeyIdentifier=hash" \
    -addext "authorityKeyIdentifier=keyid"
}

if [[ -n "$issue_kind" ]]; then
  if [[ -n "${valid[$outdir/$issue_kind-$issue_name.pem]:-}" &&
    -f "$outdir/$issue_kind-$issue_name.key" ]]; then
    echo "make-dev-pki.sh: $outdir/$issue_kind-$issue_name.pem exists; nothing to do" >&2
  fi
  issue "$issue_kind-$issue_name" "$issue_kind/$issue_name" client
  exit 0
fi

issue aggregator aggregator server
for site in "${SITES[@]}"; do
  issue "site-$site" "site/$site" client
done
issue operator-admin operator/admin client
for org in "${SPONSORS[@]}"; do
  issue "sponsor-$org" "sponsor/$org" client
done
issue auditor-audit auditor/audit client

# --- the hospitals' shared linkage key ---------------------------------------

if [[ ! -f "$outdir/linkage.key" ]]; then
  openssl rand -hex 32 >"$tmp/linkage"
  chmod 0600 "$tmp/linkage"
  mv -f -- "$tmp/linkage" "$outdir/linkage.key"
  created "$outdir/linkage.key"
fi
