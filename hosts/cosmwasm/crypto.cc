// cosmwasm-crypto's acceptance rules on top of libsecp256k1, OpenSSL and our
// own Ed25519 (ed25519.cc). The rules, from cosmwasm-crypto 3.0
// (packages/crypto/src):
//   secp256k1.rs / secp256r1.rs: read_hash (3), read_signature (4),
//     check_pubkey (5) or the recovery id (6), then Signature::from_bytes and
//     VerifyingKey::from_sec1_bytes / recover_from_digest, whose failures are
//     all GenericErr (10); verification normalizes s first, so high-S
//     signatures verify; recovery accepts high-S too.
//   ed25519.rs: read_signature (4), read_pubkey (5), then ed25519-zebra,
//     whose failures (bad point, S >= l, wrong equation) all mean "invalid".
#include "hosts/cosmwasm/crypto.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include <memory>

#include "hosts/cosmwasm/ed25519.h"

namespace wvm::cosmwasm::crypto {
namespace {

constexpr size_t kHashSize = 32;
constexpr size_t kEcdsaSignatureSize = 64;
constexpr size_t kScalarSize = 32;
constexpr size_t kCompressedKeySize = 33;
constexpr size_t kUncompressedKeySize = 65;

// cosmwasm-crypto's check_pubkey: SEC1 compressed or uncompressed; hybrid
// (06/07) and the identity (00) are format errors, not curve errors.
bool sec1_format_ok(Bytes key) {
  if (key.empty()) return false;
  switch (key[0]) {
    case 0x02:
    case 0x03:
      return key.size() == kCompressedKeySize;
    case 0x04:
      return key.size() == kUncompressedKeySize;
    default:
      return false;
  }
}

bool all_zero(Bytes bytes) {
  uint8_t acc = 0;
  for (uint8_t b : bytes) acc |= b;
  return acc == 0;
}

// ---------------------------------------------------------------------------
// secp256k1. secp256k1_context_static does everything but signing and key
// generation, and needs no allocation or synchronization.

// k256's Signature::from_bytes: r and s in [1, n - 1].
bool parse_k1_signature(Bytes signature, secp256k1_ecdsa_signature* out) {
  if (all_zero(signature.first(kScalarSize)) || all_zero(signature.subspan(kScalarSize))) {
    return false;
  }
  // Fails when r or s >= n.
  return secp256k1_ecdsa_signature_parse_compact(secp256k1_context_static, out,
                                                 signature.data()) == 1;
}

// ---------------------------------------------------------------------------
// secp256r1 through OpenSSL's EC_POINT arithmetic: ECDSA verification and
// recovery are a few lines over it, which keeps every acceptance rule here
// rather than in the EVP layer.

struct BnDeleter {
  void operator()(BIGNUM* bn) const { BN_free(bn); }
};
struct BnCtxDeleter {
  void operator()(BN_CTX* ctx) const { BN_CTX_free(ctx); }
};
struct PointDeleter {
  void operator()(EC_POINT* point) const { EC_POINT_free(point); }
};
struct GroupDeleter {
  void operator()(EC_GROUP* group) const { EC_GROUP_free(group); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnDeleter>;
using BnCtxPtr = std::unique_ptr<BN_CTX, BnCtxDeleter>;
using PointPtr = std::unique_ptr<EC_POINT, PointDeleter>;

// Drops what failed OpenSSL calls in its scope left on this thread's error
// queue, and nothing that was there before.
struct ErrorQueueGuard {
  ErrorQueueGuard() { ERR_set_mark(); }
  ~ErrorQueueGuard() { ERR_pop_to_mark(); }
};

// The group and its field prime, made once; OpenSSL only reads them after.
struct P256 {
  std::unique_ptr<EC_GROUP, GroupDeleter> group;
  BnPtr field;
  const BIGNUM* order = nullptr;
  bool ok = false;
};

const P256& p256() {
  static const P256 kP256 = [] {
    ErrorQueueGuard clear_errors;
    P256 c;
    c.group.reset(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1));
    c.field.reset(BN_new());
    if (c.group && c.field &&
        EC_GROUP_get_curve(c.group.get(), c.field.get(), nullptr, nullptr, nullptr) == 1) {
      c.order = EC_GROUP_get0_order(c.group.get());
      c.ok = c.order != nullptr;
    }
    return c;
  }();
  return kP256;
}

BnPtr bn_from_be(const uint8_t* bytes, size_t size) {
  return BnPtr(BN_bin2bn(bytes, static_cast<int>(size), nullptr));
}

// p256's Signature::from_bytes: the scalar is in [1, n - 1].
bool r1_scalar_ok(const BIGNUM* x, const P256& c) {
  return !BN_is_zero(x) && BN_cmp(x, c.order) < 0;
}

// p256's VerifyingKey::from_sec1_bytes: coordinates below p, on the curve.
PointPtr decode_r1_key(Bytes key, const P256& c, BN_CTX* ctx) {
  for (size_t at = 1; at < key.size(); at += kScalarSize) {
    BnPtr coordinate = bn_from_be(key.data() + at, kScalarSize);
    if (!coordinate || BN_cmp(coordinate.get(), c.field.get()) >= 0) return nullptr;
  }
  PointPtr point(EC_POINT_new(c.group.get()));
  if (!point ||
      EC_POINT_oct2point(c.group.get(), point.get(), key.data(), key.size(), ctx) != 1 ||
      EC_POINT_is_on_curve(c.group.get(), point.get(), ctx) != 1 ||
      EC_POINT_is_at_infinity(c.group.get(), point.get())) {
    return nullptr;
  }
  return point;
}

}  // namespace

uint32_t secp256k1_verify(Bytes hash, Bytes signature, Bytes pubkey) {
  if (hash.size() != kHashSize) return kInvalidHashFormat;
  if (signature.size() != kEcdsaSignatureSize) return kInvalidSignatureFormat;
  if (!sec1_format_ok(pubkey)) return kInvalidPubkeyFormat;
  secp256k1_ecdsa_signature parsed;
  if (!parse_k1_signature(signature, &parsed)) return kGenericErr;
  secp256k1_pubkey key;
  if (secp256k1_ec_pubkey_parse(secp256k1_context_static, &key, pubkey.data(), pubkey.size()) !=
      1) {
    return kGenericErr;
  }
  // libsecp256k1 rejects high-S signatures; cosmwasm normalizes them first.
  secp256k1_ecdsa_signature low_s;
  secp256k1_ecdsa_signature_normalize(secp256k1_context_static, &low_s, &parsed);
  return secp256k1_ecdsa_verify(secp256k1_context_static, &low_s, hash.data(), &key) == 1
             ? kValid
             : kInvalid;
}

uint32_t secp256k1_recover_pubkey(Bytes hash, Bytes signature, uint8_t recovery_param,
                                  std::vector<uint8_t>* pubkey) {
  pubkey->clear();
  if (hash.size() != kHashSize) return kInvalidHashFormat;
  if (signature.size() != kEcdsaSignatureSize) return kInvalidSignatureFormat;
  // 2 and 3 (R's x >= n) are refused, as Ethereum does.
  if (recovery_param > 1) return kInvalidRecoveryParam;
  if (all_zero(signature.first(kScalarSize)) || all_zero(signature.subspan(kScalarSize))) {
    return kGenericErr;
  }
  // cosmwasm normalizes a high-S signature and flips the recovery id; the
  // recovered key is the same one libsecp256k1 finds from the signature as
  // given (Q = r^-1 (sR - zG) is unchanged by s -> n - s, R -> -R), and
  // libsecp256k1's recovery does not reject high S.
  secp256k1_ecdsa_recoverable_signature parsed;
  secp256k1_pubkey key;
  if (secp256k1_ecdsa_recoverable_signature_parse_compact(secp256k1_context_static, &parsed,
                                                          signature.data(),
                                                          recovery_param) != 1 ||
      secp256k1_ecdsa_recover(secp256k1_context_static, &key, &parsed, hash.data()) != 1) {
    return kGenericErr;
  }
  uint8_t out[kUncompressedKeySize];
  size_t out_size = sizeof out;
  secp256k1_ec_pubkey_serialize(secp256k1_context_static, out, &out_size, &key,
                                SECP256K1_EC_UNCOMPRESSED);
  pubkey->assign(out, out + out_size);
  return kValid;
}

uint32_t secp256r1_verify(Bytes hash, Bytes signature, Bytes pubkey) {
  if (hash.size() != kHashSize) return kInvalidHashFormat;
  if (signature.size() != kEcdsaSignatureSize) return kInvalidSignatureFormat;
  if (!sec1_format_ok(pubkey)) return kInvalidPubkeyFormat;
  ErrorQueueGuard clear_errors;
  const P256& c = p256();
  BnCtxPtr ctx(BN_CTX_new());
  BnPtr r = bn_from_be(signature.data(), kScalarSize);
  BnPtr s = bn_from_be(signature.data() + kScalarSize, kScalarSize);
  if (!c.ok || !ctx || !r || !s) return kGenericErr;  // out of memory
  if (!r1_scalar_ok(r.get(), c) || !r1_scalar_ok(s.get(), c)) return kGenericErr;
  PointPtr key = decode_r1_key(pubkey, c, ctx.get());
  if (!key) return kGenericErr;

  // Plain ECDSA: s and n - s verify alike, so p256's normalization of s
  // changes nothing here.
  BnPtr z = bn_from_be(hash.data(), kHashSize);
  BnPtr w(BN_mod_inverse(nullptr, s.get(), c.order, ctx.get()));
  BnPtr u1(BN_new()), u2(BN_new()), x(BN_new());
  PointPtr sum(EC_POINT_new(c.group.get()));
  if (!z || !w || !u1 || !u2 || !x || !sum ||
      BN_mod_mul(u1.get(), z.get(), w.get(), c.order, ctx.get()) != 1 ||
      BN_mod_mul(u2.get(), r.get(), w.get(), c.order, ctx.get()) != 1 ||
      EC_POINT_mul(c.group.get(), sum.get(), u1.get(), key.get(), u2.get(), ctx.get()) != 1) {
    return kGenericErr;
  }
  if (EC_POINT_is_at_infinity(c.group.get(), sum.get())) return kInvalid;
  if (EC_POINT_get_affine_coordinates(c.group.get(), sum.get(), x.get(), nullptr, ctx.get()) !=
          1 ||
      BN_nnmod(x.get(), x.get(), c.order, ctx.get()) != 1) {
    return kGenericErr;
  }
  return BN_cmp(x.get(), r.get()) == 0 ? kValid : kInvalid;
}

uint32_t secp256r1_recover_pubkey(Bytes hash, Bytes signature, uint8_t recovery_param,
                                  std::vector<uint8_t>* pubkey) {
  pubkey->clear();
  if (hash.size() != kHashSize) return kInvalidHashFormat;
  if (signature.size() != kEcdsaSignatureSize) return kInvalidSignatureFormat;
  if (recovery_param > 3) return kInvalidRecoveryParam;
  ErrorQueueGuard clear_errors;
  const P256& c = p256();
  BnCtxPtr ctx(BN_CTX_new());
  BnPtr r = bn_from_be(signature.data(), kScalarSize);
  BnPtr s = bn_from_be(signature.data() + kScalarSize, kScalarSize);
  if (!c.ok || !ctx || !r || !s) return kGenericErr;  // out of memory
  if (!r1_scalar_ok(r.get(), c) || !r1_scalar_ok(s.get(), c)) return kGenericErr;

  // R = (x, y) with x = r (+ n when bit 1 is set; x must stay below p) and
  // y's parity from bit 0. Then Q = r^-1 (sR - zG). No low-S rule applies.
  BnPtr x(BN_dup(r.get()));
  if (!x || ((recovery_param & 2) && BN_add(x.get(), x.get(), c.order) != 1)) return kGenericErr;
  if (BN_cmp(x.get(), c.field.get()) >= 0) return kGenericErr;
  PointPtr big_r(EC_POINT_new(c.group.get()));
  if (!big_r || EC_POINT_set_compressed_coordinates(c.group.get(), big_r.get(), x.get(),
                                                    recovery_param & 1, ctx.get()) != 1) {
    return kGenericErr;
  }
  BnPtr z = bn_from_be(hash.data(), kHashSize);
  BnPtr r_inv(BN_mod_inverse(nullptr, r.get(), c.order, ctx.get()));
  BnPtr u1(BN_new()), u2(BN_new());
  PointPtr q(EC_POINT_new(c.group.get()));
  if (!z || !r_inv || !u1 || !u2 || !q ||
      BN_mod_mul(u1.get(), z.get(), r_inv.get(), c.order, ctx.get()) != 1 ||
      BN_mod_sub(u1.get(), c.order, u1.get(), c.order, ctx.get()) != 1 ||  // -z / r
      BN_mod_mul(u2.get(), s.get(), r_inv.get(), c.order, ctx.get()) != 1 ||
      EC_POINT_mul(c.group.get(), q.get(), u1.get(), big_r.get(), u2.get(), ctx.get()) != 1 ||
      EC_POINT_is_at_infinity(c.group.get(), q.get())) {
    return kGenericErr;
  }
  uint8_t out[kUncompressedKeySize];
  if (EC_POINT_point2oct(c.group.get(), q.get(), POINT_CONVERSION_UNCOMPRESSED, out, sizeof out,
                         ctx.get()) != sizeof out) {
    return kGenericErr;
  }
  pubkey->assign(out, out + sizeof out);
  return kValid;
}

uint32_t ed25519_verify(Bytes message, Bytes signature, Bytes pubkey) {
  if (signature.size() != ed25519::kSignatureSize) return kInvalidSignatureFormat;
  if (pubkey.size() != ed25519::kPublicKeySize) return kInvalidPubkeyFormat;
  return ed25519::verify_zip215(message, signature.first<ed25519::kSignatureSize>(),
                                pubkey.first<ed25519::kPublicKeySize>())
             ? kValid
             : kInvalid;
}

uint32_t ed25519_batch_verify(const std::vector<Bytes>& messages,
                              const std::vector<Bytes>& signatures,
                              const std::vector<Bytes>& pubkeys) {
  const size_t n = signatures.size();
  bool one_message = false, one_key = false;
  if (messages.size() == n && pubkeys.size() == n) {
    // n of each
  } else if (messages.size() == 1 && pubkeys.size() == n) {
    one_message = true;  // multisig: n signatures on one message
  } else if (pubkeys.size() == 1 && messages.size() == n) {
    one_key = true;  // n messages signed by one key
  } else {
    return kBatchErr;
  }
  auto message_at = [&](size_t i) { return one_message ? messages[0] : messages[i]; };
  auto key_at = [&](size_t i) { return one_key ? pubkeys[0] : pubkeys[i]; };
  for (size_t i = 0; i < n; ++i) {
    if (signatures[i].size() != ed25519::kSignatureSize) return kInvalidSignatureFormat;
    if (key_at(i).size() != ed25519::kPublicKeySize) return kInvalidPubkeyFormat;
  }
  // ed25519-zebra's batch check is the random linear combination of the
  // items' cofactored equations: it holds exactly when each item's does
  // (up to a 2^-128 chance), so verifying one by one gives its verdict.
  for (size_t i = 0; i < n; ++i) {
    if (!ed25519::verify_zip215(message_at(i),
                                signatures[i].first<ed25519::kSignatureSize>(),
                                key_at(i).first<ed25519::kPublicKeySize>())) {
      return kInvalid;
    }
  }
  return kValid;
}

}  // namespace wvm::cosmwasm::crypto
