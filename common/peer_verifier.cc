#include "common/peer_verifier.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <filesystem>
#include <memory>

#include "common/key_file.h"
#include "common/peer_identity.h"

namespace fedreg {
namespace {

template <typename T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const { F(p); }
};
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using Cert = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using Store = std::unique_ptr<X509_STORE, Deleter<X509_STORE, X509_STORE_free>>;
using StoreCtx = std::unique_ptr<X509_STORE_CTX, Deleter<X509_STORE_CTX, X509_STORE_CTX_free>>;

void FreeCertStack(STACK_OF(X509) * s) { sk_X509_pop_free(s, X509_free); }

// Adds every PEM certificate or CRL in `pem` to the store; returns how many objects.
int AddPem(X509_STORE* store, const std::string& pem) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  STACK_OF(X509_INFO)* infos = PEM_X509_INFO_read_bio(bio.get(), nullptr, nullptr, nullptr);
  if (infos == nullptr) {
    ERR_clear_error();
    return 0;
  }
  int n = 0;
  for (int i = 0; i < sk_X509_INFO_num(infos); ++i) {
    X509_INFO* info = sk_X509_INFO_value(infos, i);
    if (info->x509 != nullptr && X509_STORE_add_cert(store, info->x509) == 1) ++n;
    if (info->crl != nullptr && X509_STORE_add_crl(store, info->crl) == 1) ++n;
  }
  sk_X509_INFO_pop_free(infos, X509_INFO_free);
  ERR_clear_error();
  return n;
}

}  // namespace

absl::Status FederationCertVerifier::Check(const std::string& leaf_pem, const std::string& chain_pem) {
  std::lock_guard<std::mutex> lock(mu_);
  // Rebuilt for every handshake: the CA and CRL files are small, and a new
  // CRL or CA bundle then takes effect at the next connection.
  Store store(X509_STORE_new());
  auto ca = ReadFile(ca_path_);
  if (!ca.ok() || AddPem(store.get(), *ca) == 0) return absl::InternalError("cannot load the federation CA");
  bool have_crl = false;
  if (!crl_dir_.empty()) {
    std::error_code ec;
    for (const auto& f : std::filesystem::directory_iterator(crl_dir_, ec)) {
      if (!f.is_regular_file()) continue;
      auto text = ReadFile(f.path().string());
      if (text.ok() && AddPem(store.get(), *text) > 0) have_crl = true;
    }
  }
  if (have_crl) X509_STORE_set_flags(store.get(), X509_V_FLAG_CRL_CHECK);
  Bio bio(BIO_new_mem_buf(leaf_pem.data(), static_cast<int>(leaf_pem.size())));
  Cert leaf(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!leaf) {
    ERR_clear_error();
    return absl::UnauthenticatedError("no readable client certificate");
  }
  std::unique_ptr<STACK_OF(X509), Deleter<STACK_OF(X509), FreeCertStack>> untrusted(sk_X509_new_null());
  {
    Bio chain(BIO_new_mem_buf(chain_pem.data(), static_cast<int>(chain_pem.size())));
    while (X509* c = PEM_read_bio_X509(chain.get(), nullptr, nullptr, nullptr)) sk_X509_push(untrusted.get(), c);
    ERR_clear_error();
  }
  StoreCtx ctx(X509_STORE_CTX_new());
  if (!ctx || X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), untrusted.get()) != 1)
    return absl::InternalError("cannot set up certificate verification");
  X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_CLIENT);
  if (X509_verify_cert(ctx.get()) != 1) {
    int err = X509_STORE_CTX_get_error(ctx.get());
    ERR_clear_error();
    return absl::UnauthenticatedError(std::string("client certificate refused: ") +
                                      X509_verify_cert_error_string(err));
  }
  return absl::OkStatus();
}

bool FederationCertVerifier::Verify(grpc::experimental::TlsCustomVerificationCheckRequest* request,
                                    std::function<void(grpc::Status)>, grpc::Status* sync_status) {
  std::string leaf(request->peer_cert().data(), request->peer_cert().size());
  std::string chain(request->peer_cert_full_chain().data(), request->peer_cert_full_chain().size());
  absl::Status s = Check(leaf, chain);
  if (s.ok()) {
    *sync_status = grpc::Status::OK;
  } else {
    if (sink_) {
      // Who the certificate claims to be, whatever its trust domain: for the audit only.
      std::string who = "unknown";
      for (const auto& uri : request->uri_names()) {
        std::string u(uri.data(), uri.size());
        auto slash = u.find('/', u.find("//") == std::string::npos ? 0 : u.find("//") + 2);
        who = slash == std::string::npos ? u : u.substr(slash + 1);
      }
      sink_(who.substr(0, 128), std::string(s.message()));
    }
    *sync_status = grpc::Status(grpc::StatusCode::UNAUTHENTICATED, std::string(s.message()));
  }
  return true;  // answered synchronously
}

}  // namespace fedreg
