#!/usr/bin/env bash
# Makes a development PKI for a fedreg federation: a CA, the aggregator's
# server certificate, client certificates for the 11 hospitals, the operator,
# 13 sponsors and the auditor (identities as SPIFFE URIs), the hospitals'
# shared linkage key, and a certificate revocation list. EC P-256 and SHA-256
# throughout; openssl CLI only.
#
# Usage:
#   make-dev-pki.sh OUTDIR [--trust-domain fedreg.example]
#   make-dev-pki.sh OUTDIR [--trust-domain TD] issue site|operator|sponsor|auditor NAME
#                          [--days N | --expired]
#   make-dev-pki.sh OUTDIR revoke NAME      (NAME: a base name in OUTDIR, e.g. site-ncch)
#   make-dev-pki.sh OUTDIR renew NAME [--days N]
#   make-dev-pki.sh OUTDIR crl
#
# Idempotent: an existing CA is kept and only missing files are made. Prints
# one line per file created (or renewed, revoked, updated). For development and
# tests only: keys are not encrypted. See README.md next to this script.
set -euo pipefail

readonly SITES=(ncch kyoto hokkaido kyushu tohoku ncchd aichi komagome toyama okayama kindai)
readonly SPONSORS=(chugai daiichi takeda astellas eisai ono otsuka kyowakirin novartis roche
  pfizer lilly bayer)
readonly CA_DAYS=3650
readonly LEAF_DAYS=825
readonly CRL_DAYS=30
# The default run remakes the CRL when it would expire within this many days.
readonly CRL_REFRESH_DAYS=7
# Validity of `issue --expired` certificates (openssl ca -startdate/-enddate).
readonly EXPIRED_START=20200101000000Z
readonly EXPIRED_END=20200102000000Z
readonly DEFAULT_TD=fedreg.example

usage() {
  cat >&2 <<'EOF'
usage: make-dev-pki.sh OUTDIR [--trust-domain fedreg.example]
       make-dev-pki.sh OUTDIR [--trust-domain TD] issue site|operator|sponsor|auditor NAME
                              [--days N | --expired]
       make-dev-pki.sh OUTDIR revoke NAME
       make-dev-pki.sh OUTDIR renew NAME [--days N]
       make-dev-pki.sh OUTDIR crl
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
cmd=full # full | issue | revoke | renew | crl
issue_kind=""
issue_name=""
target="" # base name in OUTDIR for revoke and renew
days=""
expired=0
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
    --days)
      (($# >= 2)) || usage
      days="$2"
      shift 2
      ;;
    --days=*)
      days="${1#*=}"
      shift
      ;;
    --expired)
      expired=1
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
  2)
    [[ "${positional[1]}" == crl ]] || usage
    outdir="${positional[0]}"
    cmd=crl
    ;;
  3)
    case "${positional[1]}" in
      revoke | renew) cmd="${positional[1]}" ;;
      *) usage ;;
    esac
    outdir="${positional[0]}"
    target="${positional[2]}"
    [[ "$target" =~ ^[a-z0-9][a-z0-9-]{0,127}$ && "$target" != ca ]] ||
      die "NAME must be the base name of a certificate in OUTDIR, e.g. site-ncch: $target"
    ;;
  4)
    [[ "${positional[1]}" == issue ]] || usage
    outdir="${positional[0]}"
    cmd=issue
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
if ((expired)); then
  [[ "$cmd" == issue ]] || die "--expired is only for issue"
  [[ -z "$days" ]] || die "--expired and --days exclude each other"
fi
if [[ -n "$days" ]]; then
  [[ "$cmd" == issue || "$cmd" == renew ]] || die "--days is only for issue and renew"
  [[ "$days" =~ ^[1-9][0-9]{0,4}$ ]] || die "--days must be a whole number of days, 1 to 99999: $days"
fi
leaf_days="${days:-$LEAF_DAYS}"

command -v openssl >/dev/null || die "openssl not found"

# --- setup -------------------------------------------------------------------

umask 077
mkdir -p -- "$outdir"
chmod 0700 -- "$outdir"

tmp="$(mktemp -d)"
# Staged files (see install_file) are named $outdir/.stage.$$.*.
trap 'rm -rf -- "$tmp"; rm -f -- "$outdir"/.stage.$$.*' EXIT

# A minimal config, so that the system openssl.cnf adds no extensions of its own.
cat >"$tmp/openssl.cnf" <<'EOF'
[req]
distinguished_name = dn
[dn]
EOF
export OPENSSL_CONF="$tmp/openssl.cnf"

created() { echo "created $1"; }

# The word make_pair prints for the certificate it writes.
pem_verb=created

# Puts SRC in place as DEST with MODE by a rename in DEST's file system, so a
# reader (or a process watching DEST) sees the old file or the new one, never
# a partial one. Staged in OUTDIR, not next to DEST: crl/ must hold CRLs only.
install_file() {
  local src="$1" dest="$2" mode="$3"
  local stage
  stage="$outdir/.stage.$$.${dest##*/}"
  cp -- "$src" "$stage"
  chmod "$mode" -- "$stage"
  mv -f -- "$stage" "$dest"
}

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
    install_file "$tmp/key" "$base.key" 0600
    created "$base.key"
  fi
  install_file "$tmp/pem" "$base.pem" 0644
  echo "$pem_verb $base.pem"
}

ca_subject_td() {
  # The trust domain is kept in the CA's subject (OU).
  openssl x509 -in "$outdir/ca.pem" -noout -subject -nameopt sep_multiline,sname 2>/dev/null |
    sed -n 's/^ *OU=//p' | head -n 1
}

# --- the CA ------------------------------------------------------------------

# The CA database (openssl ca): index.txt of revoked (and --expired) certificates,
# crlnumber, and copies of certificates issued through it.
db="$outdir/ca-db"

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
  [[ "$cmd" != full ]] && die "no CA in $outdir: run make-dev-pki.sh $outdir first"
  td="${td:-$DEFAULT_TD}"
  if [[ -f "$outdir/ca.key" ]]; then
    echo "make-dev-pki.sh: reusing existing $outdir/ca.key for a new ca.pem" >&2
  elif [[ -d "$db" ]]; then
    # A new CA key: the old database's serials mean nothing to it.
    rm -rf -- "$db.old"
    mv -- "$db" "$db.old"
    echo "make-dev-pki.sh: new CA key; moved the old CA database to $db.old" >&2
  fi
  make_pair "$outdir/ca" -days "$CA_DAYS" \
    -subj "/O=fedreg/OU=$td/CN=fedreg federation CA" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash"
fi

# --- the CA database and the CRL ---------------------------------------------

# Makes the database files that are missing and the openssl ca config.
ca_db_init() {
  mkdir -p -- "$db/certs"
  [[ -f "$db/index.txt" ]] || : >"$db/index.txt"
  # Renewed certificates share their subject with the one they replace.
  [[ -f "$db/index.txt.attr" ]] || echo "unique_subject = no" >"$db/index.txt.attr"
  [[ -f "$db/crlnumber" ]] || echo 01 >"$db/crlnumber"
  export FEDREG_PKI_DB="$db" FEDREG_PKI_CA_CERT="$outdir/ca.pem" FEDREG_PKI_CA_KEY="$outdir/ca.key"
  cat >"$tmp/ca.cnf" <<EOF
[ca]
default_ca = fedreg_ca
[fedreg_ca]
dir = \$ENV::FEDREG_PKI_DB
database = \$dir/index.txt
new_certs_dir = \$dir/certs
crlnumber = \$dir/crlnumber
certificate = \$ENV::FEDREG_PKI_CA_CERT
private_key = \$ENV::FEDREG_PKI_CA_KEY
rand_serial = yes
default_md = sha256
default_days = $LEAF_DAYS
default_crl_days = $CRL_DAYS
unique_subject = no
email_in_dn = no
preserve = yes
copy_extensions = none
policy = policy_fedreg
crl_extensions = crl_ext
[policy_fedreg]
organizationName = supplied
organizationalUnitName = supplied
commonName = supplied
[crl_ext]
authorityKeyIdentifier = keyid:always
EOF
}

# Runs openssl ca with our config; shows its chatter only when it fails.
run_ca() {
  openssl ca -config "$tmp/ca.cnf" -batch "$@" 2>"$tmp/err" || {
    cat "$tmp/err" >&2
    die "openssl ca failed"
  }
}

# Upper-case hex serial of a certificate, without leading zeros.
cert_serial() {
  local s
  s="$(openssl x509 -in "$1" -noout -serial)"
  s="${s#serial=}"
  s="${s#"${s%%[!0]*}"}"
  echo "${s:-0}"
}

# Whether the database records serial $1 as revoked.
is_revoked() {
  [[ -f "$db/index.txt" ]] || return 1
  awk -F'\t' -v s="$1" '
    { x = toupper($4); sub(/^0+/, "", x); if (x == "") x = "0" }
    $1 == "R" && x == s { found = 1 }
    END { exit !found }' "$db/index.txt"
}

# (Re)generates the CRL from the database: OUTDIR/crl.pem and OUTDIR/crl/<hash>.r0,
# the issuer-subject hash as `openssl crl -hash` prints it (OpenSSL hashed
# directory, as X509_LOOKUP_hash_dir and gRPC's set_crl_directory read it).
make_crl() {
  openssl x509 -in "$outdir/ca.pem" -noout -ext keyUsage 2>/dev/null | grep -q 'CRL Sign' ||
    die "$outdir/ca.pem lacks keyUsage cRLSign; it cannot sign CRLs (make a new CA)"
  ca_db_init
  run_ca -gencrl -crldays "$CRL_DAYS" -out "$tmp/crl.pem"
  local hash verb
  hash="$(openssl crl -in "$tmp/crl.pem" -noout -hash)"
  mkdir -p -- "$outdir/crl"
  chmod 0755 -- "$outdir/crl"
  verb=created
  [[ -f "$outdir/crl.pem" ]] && verb=updated
  install_file "$tmp/crl.pem" "$outdir/crl.pem" 0644
  echo "$verb $outdir/crl.pem"
  verb=created
  [[ -f "$outdir/crl/$hash.r0" ]] && verb=updated
  install_file "$tmp/crl.pem" "$outdir/crl/$hash.r0" 0644
  echo "$verb $outdir/crl/$hash.r0"
  # CRLs of an earlier CA (another subject hash) would only mislead.
  local f
  for f in "$outdir"/crl/*.r[0-9]*; do
    [[ -e "$f" && "${f##*/}" != "$hash.r0" && "${f##*/}" =~ ^[0-9a-f]{8}\.r[0-9]+$ ]] || continue
    rm -f -- "$f"
    echo "removed $f"
  done
}

# Whether crl.pem and crl/<hash>.r0 are the same CRL, signed by the CA and
# still valid CRL_REFRESH_DAYS from now.
crl_fresh() {
  [[ -f "$outdir/crl.pem" ]] || return 1
  local hash
  hash="$(openssl crl -in "$outdir/crl.pem" -noout -hash 2>/dev/null)" || return 1
  cmp -s -- "$outdir/crl.pem" "$outdir/crl/$hash.r0" || return 1
  # The CA is its own leaf here: -crl_check makes openssl find, check the
  # signature of and date-check the CRL for it.
  openssl verify -crl_check -attime "$(($(date +%s) + CRL_REFRESH_DAYS * 86400))" \
    -CAfile "$outdir/ca.pem" -CRLfile "$outdir/crl.pem" "$outdir/ca.pem" >/dev/null 2>&1
}

# Exits unless base name $1 is a certificate and key issued by this CA (expired
# or revoked ones included).
require_ours() {
  local base="$outdir/$1"
  [[ -f "$base.pem" ]] || die "no $base.pem"
  openssl verify -no_check_time -purpose any -CAfile "$outdir/ca.pem" "$base.pem" >/dev/null 2>&1 ||
    die "$base.pem was not issued by $outdir/ca.pem"
}

if [[ "$cmd" == crl ]]; then
  make_crl
  exit 0
fi

if [[ "$cmd" == revoke ]]; then
  require_ours "$target"
  serial="$(cert_serial "$outdir/$target.pem")"
  ca_db_init
  if is_revoked "$serial"; then
    echo "make-dev-pki.sh: $outdir/$target.pem (serial $serial) is already revoked" >&2
    crl_fresh || make_crl
    exit 0
  fi
  # Adds the certificate to index.txt first when it was not issued through it.
  run_ca -revoke "$outdir/$target.pem"
  echo "revoked $outdir/$target.pem (serial $serial)"
  make_crl
  exit 0
fi

# --- leaf certificates -------------------------------------------------------

# The extensions of a leaf certificate, one per line. Args: server|client, SAN.
leaf_exts() {
  local eku=clientAuth
  [[ "$1" == server ]] && eku=serverAuth
  printf '%s\n' \
    "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,digitalSignature" \
    "extendedKeyUsage=$eku" \
    "subjectAltName=$2" \
    "subjectKeyIdentifier=hash" \
    "authorityKeyIdentifier=keyid"
}

# Writes a leaf certificate (and its key when missing). Args: base, SPIFFE
# path, server|client, SAN. Valid for $leaf_days from now, or, with --expired,
# from EXPIRED_START to EXPIRED_END (issued with openssl ca, which alone in
# OpenSSL 3.0 takes explicit dates, so it is also recorded in the database).
make_leaf() {
  local base="$1" path="$2" role="$3" san="$4"
  local subj="/O=fedreg/OU=$td/CN=${path//\//:}"
  local line exts=()
  while IFS= read -r line; do exts+=(-addext "$line"); done < <(leaf_exts "$role" "$san")
  if ((!expired)); then
    make_pair "$base" -days "$leaf_days" -CA "$outdir/ca.pem" -CAkey "$outdir/ca.key" \
      -subj "$subj" "${exts[@]}"
    return 0
  fi
  ca_db_init
  {
    echo "[leaf]"
    leaf_exts "$role" "$san"
  } >"$tmp/ext.cnf"
  local new_key=1
  local key_args=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -noenc -keyout "$tmp/key")
  if [[ -f "$base.key" ]]; then
    key_args=(-key "$base.key")
    new_key=0
  fi
  openssl req -new -sha256 -config "$OPENSSL_CONF" "${key_args[@]}" -subj "$subj" \
    -out "$tmp/csr" 2>"$tmp/err" || {
    cat "$tmp/err" >&2
    die "openssl failed for $base"
  }
  run_ca -notext -preserveDN -in "$tmp/csr" -out "$tmp/pem" \
    -startdate "$EXPIRED_START" -enddate "$EXPIRED_END" -extfile "$tmp/ext.cnf" -extensions leaf
  if ((new_key)); then
    install_file "$tmp/key" "$base.key" 0600
    created "$base.key"
  fi
  install_file "$tmp/pem" "$base.pem" 0644
  echo "$pem_verb $base.pem"
}

if [[ "$cmd" == renew ]]; then
  base="$outdir/$target"
  require_ours "$target"
  [[ -f "$base.key" ]] || die "no $base.key: renew keeps the key; use issue for a new one"
  [[ "$(openssl x509 -in "$base.pem" -noout -pubkey)" == "$(openssl pkey -in "$base.key" -pubout)" ]] ||
    die "$base.key does not match $base.pem"
  # The same SAN, exactly; the subject, role and trust domain follow from it.
  san="$(openssl x509 -in "$base.pem" -noout -ext subjectAltName | sed -n '2{s/^ *//;s/IP Address:/IP:/g;s/, /,/g;p;}')"
  [[ "$san" =~ (^|,)URI:spiffe://([^/,]+)/([^,]+)(,|$) ]] || die "$base.pem has no spiffe:// URI SAN"
  cert_td="${BASH_REMATCH[2]}"
  path="${BASH_REMATCH[3]}"
  [[ "$cert_td" == "$td" ]] || die "$base.pem is for trust domain $cert_td, the CA for $td"
  role=client
  openssl x509 -in "$base.pem" -noout -ext extendedKeyUsage | grep -q 'Server Authentication' && role=server
  if is_revoked "$(cert_serial "$base.pem")"; then
    echo "make-dev-pki.sh: warning: $base.pem is revoked; the renewed certificate keeps its key." \
      "If the key is compromised, remove $base.pem and $base.key and run issue instead." >&2
  fi
  pem_verb=renewed
  make_leaf "$base" "$path" "$role" "$san"
  exit 0
fi

# The leaves this run is about, as base names in OUTDIR.
leaves=()
if [[ "$cmd" == issue ]]; then
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

# Whether $1 chains to the CA but has expired (what issue --expired makes).
expired_from_ca() {
  ! openssl x509 -in "$1" -noout -checkend 0 >/dev/null 2>&1 &&
    openssl verify -no_check_time -purpose any -CAfile "$outdir/ca.pem" "$1" >/dev/null 2>&1
}

# Args: base name in OUTDIR, SPIFFE path, server|client.
issue() {
  local name="$1" path="$2" role="$3"
  local base="$outdir/$name"
  if [[ -f "$base.pem" && -f "$base.key" ]]; then
    if ((expired)); then
      echo "make-dev-pki.sh: replacing $base.pem with an expired certificate" >&2
    elif [[ -n "${valid[$base.pem]:-}" ]]; then
      return 0
    else
      echo "make-dev-pki.sh: $base.pem does not verify against ca.pem; reissuing" >&2
      rm -f -- "$base.pem"
    fi
  fi
  if [[ -f "$base.pem" && ! -f "$base.key" ]]; then
    echo "make-dev-pki.sh: $base.key is missing, replacing $base.pem" >&2
    rm -f -- "$base.pem"
  fi
  local san="URI:spiffe://$td/$path"
  if [[ "$role" == server ]]; then
    san="DNS:localhost,IP:127.0.0.1,$san"
  fi
  make_leaf "$base" "$path" "$role" "$san"
}

if [[ "$cmd" == issue ]]; then
  base="$outdir/$issue_kind-$issue_name"
  if ((expired)); then
    if [[ -f "$base.pem" && -f "$base.key" ]] && expired_from_ca "$base.pem"; then
      echo "make-dev-pki.sh: $base.pem exists and has expired; nothing to do" >&2
      exit 0
    fi
  elif [[ -n "${valid[$base.pem]:-}" && -f "$base.key" ]]; then
    echo "make-dev-pki.sh: $base.pem exists; nothing to do" >&2
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
  install_file "$tmp/linkage" "$outdir/linkage.key" 0600
  created "$outdir/linkage.key"
fi

# --- the CRL -----------------------------------------------------------------

# Always present after a default run (empty when nothing is revoked): a TLS
# peer given crl/ refuses certificates of an issuer it has no CRL for.
crl_fresh || make_crl
