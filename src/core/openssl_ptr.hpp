// Owning pointers for OpenSSL objects, so every object is freed on every
// path (DESIGN.md section 2.3) without a hand-written free.
#pragma once
#include "core_guard.hpp"

#include <memory>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/decoder.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

namespace pgjwt {

template <typename T, void (*Free)(T *)>
struct OpenSslDeleter {
    void operator()(T *p) const { Free(p); }
};

template <typename T, void (*Free)(T *)>
using OpenSslPtr = std::unique_ptr<T, OpenSslDeleter<T, Free>>;

inline void bio_free(BIO *b) {
    BIO_free(b);
}

using PkeyPtr = OpenSslPtr<EVP_PKEY, EVP_PKEY_free>;
using PkeyCtxPtr = OpenSslPtr<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using MdCtxPtr = OpenSslPtr<EVP_MD_CTX, EVP_MD_CTX_free>;
using MdPtr = OpenSslPtr<EVP_MD, EVP_MD_free>;
using BioPtr = OpenSslPtr<BIO, bio_free>;
using X509Ptr = OpenSslPtr<X509, X509_free>;
using DecoderCtxPtr = OpenSslPtr<OSSL_DECODER_CTX, OSSL_DECODER_CTX_free>;
using ParamBldPtr = OpenSslPtr<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>;
using ParamPtr = OpenSslPtr<OSSL_PARAM, OSSL_PARAM_free>;
using BnPtr = OpenSslPtr<BIGNUM, BN_free>;
using BnClearPtr = OpenSslPtr<BIGNUM, BN_clear_free>;
using EcdsaSigPtr = OpenSslPtr<ECDSA_SIG, ECDSA_SIG_free>;

}  // namespace pgjwt
