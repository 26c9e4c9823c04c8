// ECDSA signatures between OpenSSL's form, the DER encoding of
// ECDSA-Sig-Value (SEQUENCE { r INTEGER, s INTEGER }, RFC 3279 section
// 2.2.3), and JOSE's, r and s as fixed-size big-endian numbers (RFC 7518
// section 3.4).
#pragma once
#include "core_guard.hpp"

#include <cstddef>
#include <string>

namespace pgjwt {

// Appends r || s, each left-padded to `field_size` bytes, read from the DER
// signature `der`. False (and `out` unchanged) unless `der` is exactly one
// DER SEQUENCE of two non-negative INTEGERs, minimally encoded, each of at
// most `field_size` bytes of value. Read by hand: OpenSSL's d2i_ECDSA_SIG
// and two BN_bn2binpad calls cost ~0.45 us a signature, 2 % of an ES256
// signing, to take apart the bytes it has just written.
bool ecdsa_der_to_raw(const unsigned char *der, size_t len, size_t field_size, std::string &out);

}  // namespace pgjwt
