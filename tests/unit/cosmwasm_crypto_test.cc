// The CosmWasm crypto imports' verdicts and codes (hosts/cosmwasm/crypto.h):
// published vectors (RFC 8032, ed25519-speccheck with ed25519-zebra's
// verdicts, cosmwasm-crypto's own secp256k1 / secp256r1 vectors), signatures
// made here with libsecp256k1 and OpenSSL, and ZIP-215 edge cases built with
// an independent, slow reference implementation of Edwards25519 over
// OpenSSL's BIGNUM.
#include <gtest/gtest.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>

#include <array>
#include <cstring>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "hosts/cosmwasm/crypto.h"

namespace wvm::cosmwasm::crypto {
namespace {

using ByteVec = std::vector<uint8_t>;

ByteVec hex(std::string_view text) {
  ByteVec out;
  auto nibble = [](char c) -> uint8_t {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    ADD_FAILURE() << "bad hex digit " << c;
    return 0;
  };
  for (size_t i = 0; i + 1 < text.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(nibble(text[i]) << 4 | nibble(text[i + 1])));
  }
  return out;
}

ByteVec concat(const ByteVec& a, const ByteVec& b) {
  ByteVec out = a;
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

ByteVec digest(const EVP_MD* md, const ByteVec& data) {
  ByteVec out(EVP_MD_get_size(md));
  unsigned int size = 0;
  EXPECT_EQ(EVP_Digest(data.data(), data.size(), out.data(), &size, md, nullptr), 1);
  return out;
}

ByteVec sha256(const ByteVec& data) { return digest(EVP_sha256(), data); }
ByteVec sha512(const ByteVec& data) { return digest(EVP_sha512(), data); }

// A fixed seed: every run checks the same signatures.
std::mt19937_64& rng() {
  static std::mt19937_64 generator(0x5eed'c0de);
  return generator;
}

ByteVec random_bytes(size_t n) {
  ByteVec out(n);
  for (auto& b : out) b = static_cast<uint8_t>(rng()());
  return out;
}

struct BnDeleter {
  void operator()(BIGNUM* bn) const { BN_free(bn); }
};
using Bn = std::unique_ptr<BIGNUM, BnDeleter>;

Bn bn_new() { return Bn(BN_new()); }
Bn bn_hex(const char* text) {
  BIGNUM* bn = nullptr;
  BN_hex2bn(&bn, text);
  return Bn(bn);
}
Bn bn_dup(const BIGNUM* a) { return Bn(BN_dup(a)); }
Bn bn_le(const ByteVec& bytes) { return Bn(BN_lebin2bn(bytes.data(), bytes.size(), nullptr)); }
Bn bn_be(const uint8_t* bytes, size_t size) { return Bn(BN_bin2bn(bytes, size, nullptr)); }
ByteVec to_le32(const BIGNUM* a) {
  ByteVec out(32);
  EXPECT_EQ(BN_bn2lebinpad(a, out.data(), 32), 32);
  return out;
}
ByteVec to_be32(const BIGNUM* a) {
  ByteVec out(32);
  EXPECT_EQ(BN_bn2binpad(a, out.data(), 32), 32);
  return out;
}

// ===========================================================================
// Ed25519

constexpr std::string_view kEd25519Order =
    "1000000000000000000000000000000014def9dea2f79cd65812631a5cf5d3ed";

// An independent, slow Edwards25519 in affine coordinates over BIGNUM, used
// to build signatures with torsion components and non-canonical encodings.
class RefEd25519 {
 public:
  struct Pt {
    Bn x, y;
  };

  RefEd25519() : ctx_(BN_CTX_new()) {
    p_ = bn_new();
    BN_set_bit(p_.get(), 255);
    BN_sub_word(p_.get(), 19);
    l_ = bn_hex(std::string(kEd25519Order).c_str());
    // d = -121665 / 121666
    Bn num = bn_new(), den = bn_new();
    BN_set_word(num.get(), 121665);
    BN_sub(num.get(), p_.get(), num.get());
    BN_set_word(den.get(), 121666);
    Bn inv(BN_mod_inverse(nullptr, den.get(), p_.get(), ctx_.get()));
    d_ = bn_new();
    BN_mod_mul(d_.get(), num.get(), inv.get(), p_.get(), ctx_.get());
  }

  const BIGNUM* order() const { return l_.get(); }
  const BIGNUM* prime() const { return p_.get(); }
  BN_CTX* ctx() const { return ctx_.get(); }

  Pt identity() const {
    Pt pt{bn_new(), bn_new()};
    BN_zero(pt.x.get());
    BN_one(pt.y.get());
    return pt;
  }

  Pt copy(const Pt& a) const { return Pt{bn_dup(a.x.get()), bn_dup(a.y.get())}; }

  // The complete affine law for -x^2 + y^2 = 1 + d x^2 y^2.
  Pt add(const Pt& a, const Pt& b) const {
    BN_CTX* c = ctx_.get();
    const BIGNUM* p = p_.get();
    Bn x1y2 = mul(a.x.get(), b.y.get()), y1x2 = mul(a.y.get(), b.x.get());
    Bn x1x2 = mul(a.x.get(), b.x.get()), y1y2 = mul(a.y.get(), b.y.get());
    Bn t = mul(mul(x1x2.get(), y1y2.get()).get(), d_.get());
    Bn num_x = bn_new(), num_y = bn_new(), den_x = bn_new(), den_y = bn_new();
    BN_mod_add(num_x.get(), x1y2.get(), y1x2.get(), p, c);
    BN_mod_add(num_y.get(), y1y2.get(), x1x2.get(), p, c);
    BN_mod_add(den_x.get(), BN_value_one(), t.get(), p, c);
    BN_mod_sub(den_y.get(), BN_value_one(), t.get(), p, c);
    Bn inv_x(BN_mod_inverse(nullptr, den_x.get(), p, c));
    Bn inv_y(BN_mod_inverse(nullptr, den_y.get(), p, c));
    return Pt{mul(num_x.get(), inv_x.get()), mul(num_y.get(), inv_y.get())};
  }

  Pt scalar_mul(const Pt& a, const BIGNUM* k) const {
    Pt acc = identity();
    for (int i = BN_num_bits(k) - 1; i >= 0; --i) {
      acc = add(acc, acc);
      if (BN_is_bit_set(k, i)) acc = add(acc, a);
    }
    return acc;
  }

  Pt scalar_mul(const Pt& a, unsigned long k) const {
    Bn bn = bn_new();
    BN_set_word(bn.get(), k);
    return scalar_mul(a, bn.get());
  }

  bool equal(const Pt& a, const Pt& b) const {
    return BN_cmp(a.x.get(), b.x.get()) == 0 && BN_cmp(a.y.get(), b.y.get()) == 0;
  }
  bool is_identity(const Pt& a) const { return equal(a, identity()); }

  ByteVec encode(const Pt& a) const {
    ByteVec out = to_le32(a.y.get());
    if (BN_is_odd(a.x.get())) out[31] |= 0x80;
    return out;
  }

  // Whether some point has this y (taken mod p): (y^2 - 1) / (d y^2 + 1) is
  // a square, by Euler's criterion.
  bool y_on_curve(const BIGNUM* y_in) const {
    Bn x2 = x_squared(y_in);
    if (BN_is_zero(x2.get())) return true;
    Bn e = bn_dup(p_.get()), r = bn_new();
    BN_sub_word(e.get(), 1);
    BN_rshift1(e.get(), e.get());
    BN_mod_exp(r.get(), x2.get(), e.get(), p_.get(), ctx_.get());
    return BN_is_one(r.get());
  }

  // Canonical decoding only (y < p; no "negative zero").
  std::optional<Pt> decode(const ByteVec& enc) const {
    ByteVec y_bytes = enc;
    bool sign = y_bytes[31] >> 7;
    y_bytes[31] &= 0x7f;
    Bn y = bn_le(y_bytes);
    if (BN_cmp(y.get(), p_.get()) >= 0 || !y_on_curve(y.get())) return std::nullopt;
    Bn x2 = x_squared(y.get());
    Bn x(BN_mod_sqrt(nullptr, x2.get(), p_.get(), ctx_.get()));
    if (!x) return std::nullopt;
    if (BN_is_zero(x.get()) && sign) return std::nullopt;
    if (BN_is_odd(x.get()) != sign) BN_sub(x.get(), p_.get(), x.get());
    return Pt{std::move(x), std::move(y)};
  }

  // The canonical encoding of the point `enc` decodes to under ZIP 215's
  // rules: y reduced mod p, and no sign bit when x = 0.
  ByteVec canonical(const ByteVec& enc) const {
    ByteVec y_bytes = enc;
    bool sign = y_bytes[31] >> 7;
    y_bytes[31] &= 0x7f;
    Bn y = bn_le(y_bytes);
    BN_nnmod(y.get(), y.get(), p_.get(), ctx_.get());
    ByteVec out = to_le32(y.get());
    if (sign && !BN_is_zero(x_squared(y.get()).get())) out[31] |= 0x80;
    return out;
  }

  Pt base() const {
    ByteVec enc(32, 0x66);
    enc[0] = 0x58;
    return *decode(enc);
  }

  // An element of order 8 (a generator of the torsion subgroup): the
  // encoding is one of the eight published small-order points.
  Pt torsion8() const {
    return *decode(hex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"));
  }

  Bn random_scalar() const {
    Bn k = bn_le(random_bytes(64));
    BN_mod(k.get(), k.get(), l_.get(), ctx_.get());
    return k;
  }

  // k = SHA-512(R || A || M) mod l, over the encodings as given.
  Bn challenge(const ByteVec& r_enc, const ByteVec& a_enc, const ByteVec& message) const {
    Bn k = bn_le(sha512(concat(concat(r_enc, a_enc), message)));
    BN_mod(k.get(), k.get(), l_.get(), ctx_.get());
    return k;
  }

  // R_enc || (r + k a mod l): a signature by the prime-order part a B of
  // whatever point a_enc encodes, whose R is r B plus whatever R_enc adds.
  ByteVec sign(const BIGNUM* a, const ByteVec& a_enc, const BIGNUM* r, const ByteVec& r_enc,
               const ByteVec& message) const {
    Bn k = challenge(r_enc, a_enc, message);
    Bn s = bn_new();
    BN_mod_mul(s.get(), k.get(), a, l_.get(), ctx_.get());
    BN_mod_add(s.get(), s.get(), r, l_.get(), ctx_.get());
    return concat(r_enc, to_le32(s.get()));
  }

 private:
  Bn mul(const BIGNUM* a, const BIGNUM* b) const {
    Bn r = bn_new();
    BN_mod_mul(r.get(), a, b, p_.get(), ctx_.get());
    return r;
  }

  Bn x_squared(const BIGNUM* y_in) const {
    BN_CTX* c = ctx_.get();
    Bn y = bn_new(), yy = bn_new(), u = bn_new(), v = bn_new();
    BN_nnmod(y.get(), y_in, p_.get(), c);
    BN_mod_sqr(yy.get(), y.get(), p_.get(), c);
    BN_mod_sub(u.get(), yy.get(), BN_value_one(), p_.get(), c);
    BN_mod_mul(v.get(), yy.get(), d_.get(), p_.get(), c);
    BN_mod_add(v.get(), v.get(), BN_value_one(), p_.get(), c);
    Bn inv(BN_mod_inverse(nullptr, v.get(), p_.get(), c));
    return mul(u.get(), inv.get());
  }

  struct CtxDeleter {
    void operator()(BN_CTX* ctx) const { BN_CTX_free(ctx); }
  };
  std::unique_ptr<BN_CTX, CtxDeleter> ctx_;
  Bn p_, l_, d_;
};

// OpenSSL's Ed25519 (RFC 8032's cofactorless check, stricter than ZIP 215).
struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

struct OpensslEd25519Key {
  ByteVec public_key;
  Pkey key;
};

OpensslEd25519Key openssl_ed25519_key(const ByteVec& seed) {
  Pkey key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()));
  ByteVec pub(32);
  size_t size = pub.size();
  EXPECT_EQ(EVP_PKEY_get_raw_public_key(key.get(), pub.data(), &size), 1);
  return {pub, std::move(key)};
}

ByteVec openssl_ed25519_sign(const OpensslEd25519Key& key, const ByteVec& message) {
  MdCtx ctx(EVP_MD_CTX_new());
  ByteVec sig(64);
  size_t size = sig.size();
  EXPECT_EQ(EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.key.get()), 1);
  EXPECT_EQ(EVP_DigestSign(ctx.get(), sig.data(), &size, message.data(), message.size()), 1);
  return sig;
}

bool openssl_ed25519_verify(const ByteVec& pub, const ByteVec& message, const ByteVec& sig) {
  Pkey key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, pub.data(), pub.size()));
  if (!key) return false;
  MdCtx ctx(EVP_MD_CTX_new());
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1) return false;
  return EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), message.data(), message.size()) == 1;
}

struct Ed25519Vector {
  const char* name;
  const char* secret;
  const char* public_key;
  const char* message;
  const char* signature;
};

// RFC 8032 section 7.1.
const Ed25519Vector kRfc8032[] = {
    {"TEST 1", "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
     "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
    {"TEST 2", "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
     "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
    {"TEST 3", "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
     "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"},
    {"TEST 1024", "f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5",
     "278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e",
     "08b8b2b733424243760fe426a4b54908632110a66c2f6591eabd3345e3e4eb98"
     "fa6e264bf09efe12ee50f8f54e9f77b1e355f6c50544e23fb1433ddf73be84d8"
     "79de7c0046dc4996d9e773f4bc9efe5738829adb26c81b37c93a1b270b20329d"
     "658675fc6ea534e0810a4432826bf58c941efb65d57a338bbd2e26640f89ffbc"
     "1a858efcb8550ee3a5e1998bd177e93a7363c344fe6b199ee5d02e82d522c4fe"
     "ba15452f80288a821a579116ec6dad2b3b310da903401aa62100ab5d1a36553e"
     "06203b33890cc9b832f79ef80560ccb9a39ce767967ed628c6ad573cb116dbef"
     "efd75499da96bd68a8a97b928a8bbc103b6621fcde2beca1231d206be6cd9ec7"
     "aff6f6c94fcd7204ed3455c68c83f4a41da4af2b74ef5c53f1d8ac70bdcb7ed1"
     "85ce81bd84359d44254d95629e9855a94a7c1958d1f8ada5d0532ed8a5aa3fb2"
     "d17ba70eb6248e594e1a2297acbbb39d502f1a8c6eb6f1ce22b3de1a1f40cc24"
     "554119a831a9aad6079cad88425de6bde1a9187ebb6092cf67bf2b13fd65f270"
     "88d78b7e883c8759d2c4f5c65adb7553878ad575f9fad878e80a0c9ba63bcbcc"
     "2732e69485bbc9c90bfbd62481d9089beccf80cfe2df16a2cf65bd92dd597b07"
     "07e0917af48bbb75fed413d238f5555a7a569d80c3414a8d0859dc65a46128ba"
     "b27af87a71314f318c782b23ebfe808b82b0ce26401d2e22f04d83d1255dc51a"
     "ddd3b75a2b1ae0784504df543af8969be3ea7082ff7fc9888c144da2af58429e"
     "c96031dbcad3dad9af0dcbaaaf268cb8fcffead94f3c7ca495e056a9b47acdb7"
     "51fb73e666c6c655ade8297297d07ad1ba5e43f1bca32301651339e22904cc8c"
     "42f58c30c04aafdb038dda0847dd988dcda6f3bfd15c4b4c4525004aa06eeff8"
     "ca61783aacec57fb3d1f92b0fe2fd1a85f6724517b65e614ad6808d6f6ee34df"
     "f7310fdc82aebfd904b01e1dc54b2927094b2db68d6f903b68401adebf5a7e08"
     "d78ff4ef5d63653a65040cf9bfd4aca7984a74d37145986780fc0b16ac451649"
     "de6188a7dbdf191f64b5fc5e2ab47b57f7f7276cd419c17a3ca8e1b939ae49e4"
     "88acba6b965610b5480109c8b17b80e1b7b750dfc7598d5d5011fd2dcc5600a3"
     "2ef5b52a1ecc820e308aa342721aac0943bf6686b64b2579376504ccc493d97e"
     "6aed3fb0f9cd71a43dd497f01f17c0e2cb3797aa2a2f256656168e6c496afc5f"
     "b93246f6b1116398a346f1a641f3b041e989f7914f90cc2c7fff357876e506b5"
     "0d334ba77c225bc307ba537152f3f1610e4eafe595f6d9d90d11faa933a15ef1"
     "369546868a7f3a45a96768d40fd9d03412c091c6315cf4fde7cb68606937380d"
     "b2eaaa707b4c4185c32eddcdd306705e4dc1ffc872eeee475a64dfac86aba41c"
     "0618983f8741c5ef68d3a101e8a3b8cac60c905c15fc910840b94c00a0b9d0",
     "0aab4c900501b3e24d7cdf4663326a3a87df5e4843b2cbdb67cbf6e460fec350"
     "aa5371b1508f9f4528ecea23c436d94b5e8fcd4f681e30a6ac00a9704a188a03"},
    {"TEST SHA(abc)", "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
     "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
     "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
     "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
     "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b589"
     "09351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704"},
};

TEST(CosmwasmCrypto, Ed25519Rfc8032VectorsVerify) {
  for (const auto& v : kRfc8032) {
    SCOPED_TRACE(v.name);
    ByteVec pub = hex(v.public_key), message = hex(v.message), sig = hex(v.signature);
    // The transcription matches RFC 8032: OpenSSL derives the same key and
    // signature from the secret.
    OpensslEd25519Key key = openssl_ed25519_key(hex(v.secret));
    EXPECT_EQ(key.public_key, pub);
    EXPECT_EQ(openssl_ed25519_sign(key, message), sig);

    EXPECT_EQ(ed25519_verify(message, sig, pub), kValid);

    ByteVec other_message = message.empty() ? ByteVec{0} : message;
    other_message.back() ^= 1;
    EXPECT_EQ(ed25519_verify(other_message, sig, pub), kInvalid);
    for (size_t at : {0, 17, 31, 32, 45, 62}) {
      ByteVec bad = sig;
      bad[at] ^= 0x04;
      EXPECT_EQ(ed25519_verify(message, bad, pub), kInvalid) << "byte " << at;
    }
    ByteVec other_key = hex(kRfc8032[&v == &kRfc8032[0] ? 1 : 0].public_key);
    EXPECT_EQ(ed25519_verify(message, sig, other_key), kInvalid);
  }
}

TEST(CosmwasmCrypto, Ed25519AgreesWithOpensslOnOrdinarySignatures) {
  for (int i = 0; i < 40; ++i) {
    OpensslEd25519Key key = openssl_ed25519_key(random_bytes(32));
    ByteVec message = random_bytes(i * 7);
    ByteVec sig = openssl_ed25519_sign(key, message);
    EXPECT_EQ(ed25519_verify(message, sig, key.public_key), kValid);
    ByteVec bad = sig;
    bad[rng()() % 64] ^= static_cast<uint8_t>(1 + rng()() % 255);
    bool openssl_accepts = openssl_ed25519_verify(key.public_key, message, bad);
    EXPECT_FALSE(openssl_accepts);
    EXPECT_EQ(ed25519_verify(message, bad, key.public_key), kInvalid);
  }
}

TEST(CosmwasmCrypto, Ed25519LengthErrors) {
  const auto& v = kRfc8032[1];
  ByteVec pub = hex(v.public_key), message = hex(v.message), sig = hex(v.signature);
  ByteVec short_sig(sig.begin(), sig.end() - 1), long_sig = concat(sig, {0});
  ByteVec short_key(pub.begin(), pub.end() - 1), long_key = concat(pub, {0});
  EXPECT_EQ(ed25519_verify(message, short_sig, pub), kInvalidSignatureFormat);
  EXPECT_EQ(ed25519_verify(message, long_sig, pub), kInvalidSignatureFormat);
  EXPECT_EQ(ed25519_verify(message, ByteVec{}, pub), kInvalidSignatureFormat);
  EXPECT_EQ(ed25519_verify(message, sig, short_key), kInvalidPubkeyFormat);
  EXPECT_EQ(ed25519_verify(message, sig, long_key), kInvalidPubkeyFormat);
  EXPECT_EQ(ed25519_verify(message, sig, ByteVec{}), kInvalidPubkeyFormat);
  // The signature is checked first.
  EXPECT_EQ(ed25519_verify(message, short_sig, short_key), kInvalidSignatureFormat);
}

// ed25519-speccheck's 15 vectors ("Taming the many EdDSAs") and the verdicts
// its results table gives for ed25519-zebra: V V V V V V V V V X X X V V V.
TEST(CosmwasmCrypto, Ed25519SpeccheckVectorsMatchZebra) {
  struct Case {
    const char* message;
    const char* public_key;
    const char* signature;
    bool zebra_accepts;
  };
  const Case kCases[] = {
      // 0-1: S = 0, small R, small A
      {"2a66241a42a9ee12994d8068dcf1bb7dfc6637b45450acd43711f637fa5080fc",
       "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
       "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"
       "0000000000000000000000000000000000000000000000000000000000000000",
       true},
      {"8c93255d71dcab10e8f379c26200f3c7bd5f09d9bc3068d3ef4edeb4853022b6",
       "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
       "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"
       "0000000000000000000000000000000000000000000000000000000000000000",
       true},
      // 2-3: mixed R, small A
      {"9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41",
       "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
       "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43"
       "a5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04",
       true},
      {"9bd9f44f4dcc75bd531b56b2cd280b0bb38fc1cd6d1230e14861d861de092e79",
       "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
       "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43"
       "a5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04",
       true},
      // 4-5: small R, mixed A
      {"9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41",
       "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43",
       "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa"
       "182ef1a5b928da07fec769cc8a12db6bcf70dab3f3227fa315e9d5e3e01a3405",
       true},
      {"aebf3f2601a0c8c5d39cc7d8911642f740b78168218da8471772b35f9d35b9ab",
       "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43",
       "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa"
       "8c4bd45aecaca5b24fb97bc10ac27ac8751a7dfe1baff8b953ec9f5833ca260e",
       true},
      // 6-8: mixed R, mixed A (8: "pre-reduced" scalar)
      {"9bd9f44f4dcc75bd531b56b2cd280b0bb38fc1cd6d1230e14861d861de092e79",
       "cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d",
       "9046a64750444938de19f227bb80485e92b83fdb4b6506c160484c016cc1852f"
       "87909e14428a7a1d62e9f22f3d3ad7802db02eb2e688b6c52fcd6648a98bd009",
       true},
      {"e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c",
       "cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d",
       "160a1cb0dc9c0258cd0a7d23e94d8fa878bcb1925f2c64246b2dee1796bed512"
       "5ec6bc982a269b723e0668e540911a9a6a58921d6925e434ab10aa7940551a09",
       true},
      {"e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec4011eaccd55b53f56c",
       "cdb267ce40c5cd45306fa5d2f29731459387dbf9eb933b7bd5aed9a765b88d4d",
       "21122a84e0b5fca4052f5b1235c80a537878b38f3142356b2c2384ebad4668b7"
       "e40bc836dac0f71076f9abe3a53f9c03c1ceeeddb658d0030494ace586687405",
       true},
      // 9-10: S > l
      {"85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40",
       "442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623",
       "e96f66be976d82e60150baecff9906684aebb1ef181f67a7189ac78ea23b6c0e"
       "547f7690a0e2ddcd04d87dbc3490dc19b3b3052f7ff0538cb68afb369ba3a514",
       false},
      {"85e241a07d148b41e47d62c63f830dc7a6851a0b1f33ae4bb2f507fb6cffec40",
       "442aad9f089ad9e14647b1ef9099a1ff4798d78589e66f28eca69c11f582a623",
       "8ce5b96c8f26d0ab6c47958c9e68b937104cd36e13c33566acd2fe8d38aa1942"
       "7e71f98a473474f2f13f06f97c20d58cc3f54b8bd0d272f42b695dd7e89a8c22",
       false},
      // 11-12: non-canonical small R; only 12's S was made with k over the
      // R bytes as given.
      {"9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41",
       "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43",
       "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
       "03be9678ac102edcd92b0210bb34d7428d12ffc5df5f37e359941266a4e35f0f",
       false},
      {"9bedc267423725d473888631ebf45988bad3db83851ee85c85e241a07d148b41",
       "f7badec5b8abeaf699583992219b7b223f1df3fbbea919844e3f7c554a43dd43",
       "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
       "ca8c5b64cd208982aa38d4936621a4775aa233aa0505711d8fdcfdaa943d4908",
       true},
      // 13-14: non-canonical small A
      {"e96b7021eb39c1a163b6da4e3093dcd3f21387da4cc4572be588fafae23c155b",
       "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
       "a9d55260f765261eb9b84e106f665e00b867287a761990d7135963ee0a7d59dc"
       "a5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04",
       true},
      {"39a591f5321bbe07fd5a23dc2f39d025d74526615746727ceefd6e82ae65c06f",
       "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
       "a9d55260f765261eb9b84e106f665e00b867287a761990d7135963ee0a7d59dc"
       "a5bb704786be79fc476f91d3f3f89b03984d8068dcf1bb7dfc6637b45450ac04",
       true},
  };
  int index = 0;
  for (const auto& c : kCases) {
    SCOPED_TRACE("speccheck vector " + std::to_string(index++));
    EXPECT_EQ(ed25519_verify(hex(c.message), hex(c.signature), hex(c.public_key)),
              c.zebra_accepts ? kValid : kInvalid);
  }
}

class CosmwasmCryptoZip215 : public ::testing::Test {
 protected:
  RefEd25519 ref;

  // The eight points of order dividing 8, as multiples of a generator.
  std::vector<RefEd25519::Pt> torsion() const {
    std::vector<RefEd25519::Pt> points;
    RefEd25519::Pt t = ref.torsion8();
    for (unsigned long i = 0; i < 8; ++i) points.push_back(ref.scalar_mul(t, i));
    return points;
  }

  ByteVec scalar_bytes(unsigned long value) const {
    Bn bn = bn_new();
    BN_set_word(bn.get(), value);
    return to_le32(bn.get());
  }
};

TEST_F(CosmwasmCryptoZip215, ReferenceImplementationIsSound) {
  // The reference agrees with RFC 8032 TEST 1's public key, and T has order 8.
  ByteVec h = sha512(hex(kRfc8032[0].secret));
  ByteVec a_bytes(h.begin(), h.begin() + 32);
  a_bytes[0] &= 248;
  a_bytes[31] &= 127;
  a_bytes[31] |= 64;
  Bn a = bn_le(a_bytes);
  EXPECT_EQ(ref.encode(ref.scalar_mul(ref.base(), a.get())), hex(kRfc8032[0].public_key));
  RefEd25519::Pt t = ref.torsion8();
  EXPECT_FALSE(ref.is_identity(ref.scalar_mul(t, 4)));
  EXPECT_TRUE(ref.is_identity(ref.scalar_mul(t, 8)));
  EXPECT_TRUE(ref.is_identity(ref.scalar_mul(ref.base(), ref.order())));
}

TEST_F(CosmwasmCryptoZip215, SmallOrderKeysAndRWithZeroSAreAccepted) {
  // [8]0B = [8]R + [8]kA = 0 for every small R and A, whatever the message.
  std::vector<RefEd25519::Pt> points = torsion();
  ByteVec zero(32, 0);
  int combinations = 0;
  for (const auto& a : points) {
    for (const auto& r : points) {
      ByteVec message = random_bytes(combinations % 50);
      ByteVec sig = concat(ref.encode(r), zero);
      EXPECT_EQ(ed25519_verify(message, sig, ref.encode(a)), kValid)
          << "A " << combinations / 8 << " R " << combinations % 8;
      // S = 1 leaves [8]B on the left: no small R and A balance it.
      EXPECT_EQ(ed25519_verify(message, concat(ref.encode(r), scalar_bytes(1)), ref.encode(a)),
                kInvalid);
      ++combinations;
    }
  }
  EXPECT_EQ(combinations, 64);
}

TEST_F(CosmwasmCryptoZip215, MixedOrderKeysAndRAreAcceptedCofactored) {
  RefEd25519::Pt b = ref.base();
  RefEd25519::Pt t = ref.torsion8();
  int openssl_rejections = 0;
  for (int i = 0; i < 8; ++i) {
    Bn a = ref.random_scalar(), r = ref.random_scalar();
    RefEd25519::Pt a_point = ref.scalar_mul(b, a.get());
    RefEd25519::Pt r_point = ref.scalar_mul(b, r.get());
    // Torsion of order 8, 4 or 2 on A, on R, or on both.
    RefEd25519::Pt t_a = ref.scalar_mul(t, 1 + i % 7);
    RefEd25519::Pt t_r = ref.scalar_mul(t, 7 - i % 5);
    ByteVec message = random_bytes(3 + i);

    ByteVec a_pure = ref.encode(a_point), r_pure = ref.encode(r_point);
    ByteVec a_mixed = ref.encode(ref.add(a_point, t_a));
    ByteVec r_mixed = ref.encode(ref.add(r_point, t_r));

    ByteVec plain = ref.sign(a.get(), a_pure, r.get(), r_pure, message);
    EXPECT_EQ(ed25519_verify(message, plain, a_pure), kValid);
    EXPECT_TRUE(openssl_ed25519_verify(a_pure, message, plain));  // the reference is right

    ByteVec mixed_a = ref.sign(a.get(), a_mixed, r.get(), r_pure, message);
    EXPECT_EQ(ed25519_verify(message, mixed_a, a_mixed), kValid);
    // A cofactorless verifier sees k T_A left over unless it vanishes.
    Bn k = ref.challenge(r_pure, a_mixed, message);
    if (!ref.is_identity(ref.scalar_mul(t_a, k.get()))) {
      EXPECT_FALSE(openssl_ed25519_verify(a_mixed, message, mixed_a));
      ++openssl_rejections;
    }

    ByteVec mixed_r = ref.sign(a.get(), a_pure, r.get(), r_mixed, message);
    EXPECT_EQ(ed25519_verify(message, mixed_r, a_pure), kValid);
    EXPECT_FALSE(openssl_ed25519_verify(a_pure, message, mixed_r));

    ByteVec mixed_both = ref.sign(a.get(), a_mixed, r.get(), r_mixed, message);
    EXPECT_EQ(ed25519_verify(message, mixed_both, a_mixed), kValid);

    // Still a real check: another message fails.
    ByteVec other = concat(message, {1});
    EXPECT_EQ(ed25519_verify(other, mixed_both, a_mixed), kInvalid);
  }
  EXPECT_GT(openssl_rejections, 0);
}

TEST_F(CosmwasmCryptoZip215, NonCanonicalEncodingsAreAcceptedAndHashedAsGiven) {
  RefEd25519::Pt b = ref.base();
  ByteVec identity_canonical =
      hex("0100000000000000000000000000000000000000000000000000000000000000");
  // y = p + 1 = 1 (mod p): the identity, non-canonically.
  ByteVec identity_y_plus_p =
      hex("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
  // x = 0 with the sign bit set ("negative zero").
  ByteVec identity_negative_zero =
      hex("0100000000000000000000000000000000000000000000000000000000000080");
  // (0, -1), of order 2, with the sign bit set; and y = p = 0: (sqrt(-1), 0)
  // of order 4, non-canonically, both signs.
  ByteVec order2_negative_zero =
      hex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
  ByteVec order4_y_p = hex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
  ByteVec order4_y_p_neg = hex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff");

  // A small (non-canonically encoded) key: [8]kA = 0, so S = r with R = rB
  // verifies for any message.
  for (const ByteVec& a_enc : {identity_canonical, identity_y_plus_p, identity_negative_zero,
                               order2_negative_zero, order4_y_p, order4_y_p_neg}) {
    Bn r = ref.random_scalar();
    ByteVec sig = concat(ref.encode(ref.scalar_mul(b, r.get())), to_le32(r.get()));
    EXPECT_EQ(ed25519_verify(random_bytes(9), sig, a_enc), kValid);
  }

  // A non-canonical small R: S = k a, with k hashed over R's bytes as given.
  // The same S computed over the canonical re-encoding must fail.
  for (const ByteVec& r_enc : {identity_y_plus_p, identity_negative_zero, order2_negative_zero,
                               order4_y_p, order4_y_p_neg}) {
    Bn a = ref.random_scalar();
    ByteVec a_enc = ref.encode(ref.scalar_mul(b, a.get()));
    ByteVec message = random_bytes(20);
    Bn zero = bn_new();
    BN_zero(zero.get());
    ByteVec as_given = ref.sign(a.get(), a_enc, zero.get(), r_enc, message);
    EXPECT_EQ(ed25519_verify(message, as_given, a_enc), kValid);
    ByteVec canonical = ref.canonical(r_enc);
    ASSERT_NE(canonical, r_enc);
    ByteVec re_encoded = ref.sign(a.get(), a_enc, zero.get(), canonical, message);
    ByteVec hashed_canonically = concat(r_enc, ByteVec(re_encoded.begin() + 32, re_encoded.end()));
    EXPECT_EQ(ed25519_verify(message, hashed_canonically, a_enc), kInvalid);
  }
}

TEST_F(CosmwasmCryptoZip215, PointsOffTheCurveAreRejected) {
  const auto& v = kRfc8032[2];
  ByteVec pub = hex(v.public_key), message = hex(v.message), sig = hex(v.signature);
  int found = 0;
  for (unsigned long y = 2; found < 4; ++y) {
    Bn y_bn = bn_new();
    BN_set_word(y_bn.get(), y);
    if (ref.y_on_curve(y_bn.get())) continue;
    ++found;
    ByteVec enc = to_le32(y_bn.get());
    EXPECT_EQ(ed25519_verify(message, sig, enc), kInvalid) << "A with y = " << y;
    ByteVec bad_r = concat(enc, ByteVec(sig.begin() + 32, sig.end()));
    EXPECT_EQ(ed25519_verify(message, bad_r, pub), kInvalid) << "R with y = " << y;
    // The same y + p, non-canonical and still off the curve.
    Bn y_p = bn_new();
    BN_add(y_p.get(), y_bn.get(), ref.prime());
    if (BN_num_bits(y_p.get()) <= 255) {
      EXPECT_EQ(ed25519_verify(message, sig, to_le32(y_p.get())), kInvalid);
    }
  }
}

TEST_F(CosmwasmCryptoZip215, ScalarsAtOrAboveTheOrderAreRejected) {
  // S = 0 with small R and A verifies; S = l, equal to it mod l, does not.
  ByteVec small = ref.encode(ref.torsion8());
  ByteVec l_bytes = to_le32(ref.order());
  EXPECT_EQ(ed25519_verify({}, concat(small, ByteVec(32, 0)), small), kValid);
  EXPECT_EQ(ed25519_verify({}, concat(small, l_bytes), small), kInvalid);
  // A genuine signature with S + l (still below 2^256) fails too.
  const auto& v = kRfc8032[0];
  ByteVec sig = hex(v.signature), pub = hex(v.public_key);
  Bn s = bn_le(ByteVec(sig.begin() + 32, sig.end()));
  BN_add(s.get(), s.get(), ref.order());
  ASSERT_LE(BN_num_bits(s.get()), 256);
  ByteVec high = concat(ByteVec(sig.begin(), sig.begin() + 32), to_le32(s.get()));
  EXPECT_EQ(ed25519_verify({}, high, pub), kInvalid);
  // l - 1 is canonical: with a small A (k A vanishes) and R = (l - 1) B,
  // S = l - 1 verifies for any message.
  Bn l_minus_1 = bn_dup(ref.order());
  BN_sub_word(l_minus_1.get(), 1);
  ByteVec r_top = ref.encode(ref.scalar_mul(ref.base(), l_minus_1.get()));
  EXPECT_EQ(ed25519_verify(random_bytes(12), concat(r_top, to_le32(l_minus_1.get())), small),
            kValid);
}

// ---------------------------------------------------------------------------
// Batches

struct Ed25519Item {
  ByteVec message, signature, public_key;
};

std::vector<Ed25519Item> rfc_items() {
  std::vector<Ed25519Item> items;
  for (const auto& v : kRfc8032)
    items.push_back({hex(v.message), hex(v.signature), hex(v.public_key)});
  return items;
}

std::vector<Bytes> spans(const std::vector<ByteVec>& list) {
  return std::vector<Bytes>(list.begin(), list.end());
}

struct BatchLists {
  std::vector<ByteVec> messages, signatures, public_keys;
  uint32_t verify() const {
    return ed25519_batch_verify(spans(messages), spans(signatures), spans(public_keys));
  }
};

BatchLists lists_of(const std::vector<Ed25519Item>& items) {
  BatchLists lists;
  for (const auto& item : items) {
    lists.messages.push_back(item.message);
    lists.signatures.push_back(item.signature);
    lists.public_keys.push_back(item.public_key);
  }
  return lists;
}

TEST(CosmwasmCrypto, Ed25519BatchOfIndependentItems) {
  BatchLists lists = lists_of(rfc_items());
  EXPECT_EQ(lists.verify(), kValid);
  for (size_t bad = 0; bad < lists.signatures.size(); ++bad) {
    BatchLists broken = lists;
    broken.signatures[bad][10] ^= 1;
    EXPECT_EQ(broken.verify(), kInvalid) << "item " << bad;
  }
  // A key that is no curve point makes the batch invalid, not an error.
  BatchLists off_curve = lists;
  off_curve.public_keys[1] = ByteVec(32, 0);
  off_curve.public_keys[1][0] = 2;  // y = 2 is not on the curve
  EXPECT_EQ(off_curve.verify(), kInvalid);
  // S >= l in one item.
  BatchLists high_s = lists;
  std::fill(high_s.signatures[3].begin() + 32, high_s.signatures[3].end(), 0xff);
  EXPECT_EQ(high_s.verify(), kInvalid);
}

TEST(CosmwasmCrypto, Ed25519BatchShapes) {
  // One message, n signatures and keys (multisig).
  ByteVec message = random_bytes(77);
  BatchLists multisig;
  multisig.messages.push_back(message);
  for (int i = 0; i < 4; ++i) {
    OpensslEd25519Key key = openssl_ed25519_key(random_bytes(32));
    multisig.signatures.push_back(openssl_ed25519_sign(key, message));
    multisig.public_keys.push_back(key.public_key);
  }
  EXPECT_EQ(multisig.verify(), kValid);
  BatchLists multisig_bad = multisig;
  multisig_bad.signatures[2][40] ^= 0x20;
  EXPECT_EQ(multisig_bad.verify(), kInvalid);

  // n messages and signatures, one key.
  OpensslEd25519Key key = openssl_ed25519_key(random_bytes(32));
  BatchLists one_key;
  one_key.public_keys.push_back(key.public_key);
  for (int i = 0; i < 5; ++i) {
    one_key.messages.push_back(random_bytes(i * 13));
    one_key.signatures.push_back(openssl_ed25519_sign(key, one_key.messages.back()));
  }
  EXPECT_EQ(one_key.verify(), kValid);
  BatchLists one_key_bad = one_key;
  one_key_bad.messages[4].push_back(0);
  EXPECT_EQ(one_key_bad.verify(), kInvalid);

  // A single item fits every shape.
  BatchLists single = lists_of({rfc_items()[2]});
  EXPECT_EQ(single.verify(), kValid);

  // The empty cases are valid: nothing, one message and nothing else, one
  // key and nothing else.
  BatchLists empty;
  EXPECT_EQ(empty.verify(), kValid);
  BatchLists lone_message;
  lone_message.messages.push_back(ByteVec{1, 2, 3});
  EXPECT_EQ(lone_message.verify(), kValid);
  BatchLists lone_key;
  lone_key.public_keys.push_back(ByteVec(5, 0));  // not even checked
  EXPECT_EQ(lone_key.verify(), kValid);
}

TEST(CosmwasmCrypto, Ed25519BatchShapeMismatches) {
  BatchLists lists = lists_of(rfc_items());  // 5, 5, 5
  auto drop = [](std::vector<ByteVec>& list) { list.pop_back(); };
  auto dup = [](std::vector<ByteVec>& list) { list.push_back(list[0]); };
  {
    BatchLists l = lists;
    drop(l.messages);  // 4, 5, 5
    EXPECT_EQ(l.verify(), kBatchErr);
  }
  {
    BatchLists l = lists;
    drop(l.signatures);  // 5, 4, 5
    EXPECT_EQ(l.verify(), kBatchErr);
  }
  {
    BatchLists l = lists;
    drop(l.public_keys);  // 5, 5, 4
    EXPECT_EQ(l.verify(), kBatchErr);
  }
  {
    BatchLists l = lists;
    dup(l.messages);  // 6, 5, 5
    EXPECT_EQ(l.verify(), kBatchErr);
  }
  {
    BatchLists l = lists;
    dup(l.signatures);  // 5, 6, 5
    EXPECT_EQ(l.verify(), kBatchErr);
  }
  {
    BatchLists l = lists;
    dup(l.public_keys);  // 5, 5, 6
    EXPECT_EQ(l.verify(), kBatchErr);
  }
  {
    // One message with a different number of signatures and keys.
    BatchLists l = lists;
    l.messages.resize(1);
    drop(l.public_keys);  // 1, 5, 4
    EXPECT_EQ(l.verify(), kBatchErr);
  }
  {
    // One message and one key, but several signatures.
    BatchLists l = lists;
    l.messages.resize(1);
    l.public_keys.resize(1);  // 1, 5, 1
    EXPECT_EQ(l.verify(), kBatchErr);
  }
  {
    // No messages, one signature, one key.
    BatchLists l;
    l.signatures.push_back(lists.signatures[0]);
    l.public_keys.push_back(lists.public_keys[0]);  // 0, 1, 1
    EXPECT_EQ(l.verify(), kBatchErr);
  }
  {
    // Signatures alone.
    BatchLists l;
    l.signatures = lists.signatures;  // 0, 5, 0
    EXPECT_EQ(l.verify(), kBatchErr);
  }
}

TEST(CosmwasmCrypto, Ed25519BatchLengthErrorsInItemOrder) {
  BatchLists lists = lists_of(rfc_items());
  {
    BatchLists l = lists;
    l.signatures[2].pop_back();
    EXPECT_EQ(l.verify(), kInvalidSignatureFormat);
  }
  {
    BatchLists l = lists;
    l.public_keys[4].push_back(0);
    EXPECT_EQ(l.verify(), kInvalidPubkeyFormat);
  }
  {
    // Item 1's key is checked before item 3's signature.
    BatchLists l = lists;
    l.public_keys[1].pop_back();
    l.signatures[3].pop_back();
    EXPECT_EQ(l.verify(), kInvalidPubkeyFormat);
  }
  {
    // Within one item the signature comes first.
    BatchLists l = lists;
    l.public_keys[2].pop_back();
    l.signatures[2].pop_back();
    EXPECT_EQ(l.verify(), kInvalidSignatureFormat);
  }
  {
    // Lengths are checked before anything is verified: a broken first item
    // does not hide a bad length later.
    BatchLists l = lists;
    l.signatures[0][0] ^= 1;
    l.signatures[4].push_back(0);
    EXPECT_EQ(l.verify(), kInvalidSignatureFormat);
  }
  {
    // With one key, a bad key length is reported for the first item.
    BatchLists l;
    l.public_keys.push_back(ByteVec(31, 1));
    l.messages = lists.messages;
    l.signatures = lists.signatures;
    EXPECT_EQ(l.verify(), kInvalidPubkeyFormat);
  }
}

TEST_F(CosmwasmCryptoZip215, BatchAcceptsWhatSingleVerificationAccepts) {
  // Small and mixed-order components are fine in a batch as well.
  RefEd25519::Pt b = ref.base();
  BatchLists lists;
  for (int i = 0; i < 4; ++i) {
    Bn a = ref.random_scalar(), r = ref.random_scalar();
    ByteVec a_enc =
        ref.encode(ref.add(ref.scalar_mul(b, a.get()), ref.scalar_mul(ref.torsion8(), i + 1)));
    ByteVec r_enc =
        ref.encode(ref.add(ref.scalar_mul(b, r.get()), ref.scalar_mul(ref.torsion8(), 3 * i)));
    ByteVec message = random_bytes(i);
    lists.messages.push_back(message);
    lists.signatures.push_back(ref.sign(a.get(), a_enc, r.get(), r_enc, message));
    lists.public_keys.push_back(a_enc);
  }
  ByteVec small = ref.encode(ref.torsion8());
  lists.messages.push_back(ByteVec{});
  lists.signatures.push_back(concat(small, ByteVec(32, 0)));
  lists.public_keys.push_back(
      hex("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"));
  EXPECT_EQ(lists.verify(), kValid);
}

// ===========================================================================
// secp256k1

struct K1ContextDeleter {
  void operator()(secp256k1_context* ctx) const { secp256k1_context_destroy(ctx); }
};

secp256k1_context* k1_signing_context() {
  static std::unique_ptr<secp256k1_context, K1ContextDeleter> ctx(
      secp256k1_context_create(SECP256K1_CONTEXT_NONE));
  return ctx.get();
}

const char kK1Order[] = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141";

ByteVec k1_pubkey(const ByteVec& secret, bool compressed) {
  secp256k1_pubkey key;
  EXPECT_EQ(secp256k1_ec_pubkey_create(k1_signing_context(), &key, secret.data()), 1);
  ByteVec out(65);
  size_t size = out.size();
  secp256k1_ec_pubkey_serialize(k1_signing_context(), out.data(), &size, &key,
                                compressed ? SECP256K1_EC_COMPRESSED : SECP256K1_EC_UNCOMPRESSED);
  out.resize(size);
  return out;
}

ByteVec k1_secret() {
  for (;;) {
    ByteVec secret = random_bytes(32);
    if (secp256k1_ec_seckey_verify(k1_signing_context(), secret.data())) return secret;
  }
}

// A low-S compact signature and its recovery id.
std::pair<ByteVec, int> k1_sign(const ByteVec& secret, const ByteVec& hash) {
  secp256k1_ecdsa_recoverable_signature sig;
  EXPECT_EQ(secp256k1_ecdsa_sign_recoverable(k1_signing_context(), &sig, hash.data(),
                                             secret.data(), nullptr, nullptr),
            1);
  ByteVec out(64);
  int recid = 0;
  secp256k1_ecdsa_recoverable_signature_serialize_compact(k1_signing_context(), out.data(),
                                                          &recid, &sig);
  return {out, recid};
}

// (r, n - s): the other signature of the same pair.
ByteVec k1_high_s(const ByteVec& sig) {
  ByteVec out = sig;
  EXPECT_EQ(secp256k1_ec_seckey_negate(k1_signing_context(), out.data() + 32), 1);
  return out;
}

// cosmwasm-crypto secp256k1.rs: a Cosmos SDK key and three signed SignDocs.
TEST(CosmwasmCrypto, Secp256k1CosmosVectorsVerify) {
  const ByteVec pub = hex("034f04181eeba35391b858633a765c4a0c189697b40d216354d50890d350c70290");
  const char* kMessages[] = {
      "0a93010a90010a1c2f636f736d6f732e62616e6b2e763162657461312e4d736753656e6412700a2d636f736d6f"
      "7331706b707472653766646b6c366766727a6c65736a6a766878686c63337234676d6d6b38727336122d636f73"
      "6d6f7331717970717870713971637273737a673270767871367273307a716733797963356c7a763778751a100a"
      "0575636f736d12073132333435363712650a4e0a460a1f2f636f736d6f732e63727970746f2e736563703235"
      "366b312e5075624b657912230a21034f04181eeba35391b858633a765c4a0c189697b40d216354d50890d350"
      "c7029012040a02080112130a0d0a0575636f736d12043230303010c09a0c1a0c73696d642d74657374696e67"
      "2001",
      "0a93010a90010a1c2f636f736d6f732e62616e6b2e763162657461312e4d736753656e6412700a2d636f736d6f"
      "7331706b707472653766646b6c366766727a6c65736a6a766878686c63337234676d6d6b38727336122d636f73"
      "6d6f7331717970717870713971637273737a673270767871367273307a716733797963356c7a763778751a100a"
      "0575636f736d12073132333435363712670a500a460a1f2f636f736d6f732e63727970746f2e736563703235"
      "366b312e5075624b657912230a21034f04181eeba35391b858633a765c4a0c189697b40d216354d50890d350"
      "c7029012040a020801180112130a0d0a0575636f736d12043230303010c09a0c1a0c73696d642d7465737469"
      "6e672001",
      "0a93010a90010a1c2f636f736d6f732e62616e6b2e763162657461312e4d736753656e6412700a2d636f736d6f"
      "7331706b707472653766646b6c366766727a6c65736a6a766878686c63337234676d6d6b38727336122d636f73"
      "6d6f7331717970717870713971637273737a673270767871367273307a716733797963356c7a763778751a100a"
      "0575636f736d12073132333435363712670a500a460a1f2f636f736d6f732e63727970746f2e736563703235"
      "366b312e5075624b657912230a21034f04181eeba35391b858633a765c4a0c189697b40d216354d50890d350"
      "c7029012040a020801180212130a0d0a0575636f736d12043230303010c09a0c1a0c73696d642d7465737469"
      "6e672001",
  };
  const char* kSignatures[] = {
      "c9dd20e07464d3a688ff4b710b1fbc027e495e797cfa0b4804da2ed117959227772de059808f765aa29b8f92ed"
      "f30f4c2c5a438e30d3fe6897daa7141e3ce6f9",
      "525adc7e61565a509c60497b798c549fbf217bb5cd31b24cc9b419d098cc95330c99ecc4bc72448f85c365a4e3"
      "f91299a3d40412fb3751bab82f1940a83a0a4c",
      "f3f2ca73806f2abbf6e0fe85f9b8af66f0e9f7f79051fdb8abe5bb8633b17da132e82d577b9d5f7a6dae57a144"
      "efc9ccc6eef15167b44b3b22a57240109762af",
  };
  for (int i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    ByteVec hash = sha256(hex(kMessages[i]));
    ByteVec sig = hex(kSignatures[i]);
    EXPECT_EQ(secp256k1_verify(hash, sig, pub), kValid);
    EXPECT_EQ(secp256k1_verify(hash, k1_high_s(sig), pub), kValid);
    ByteVec other_hash = sha256(hex(kMessages[(i + 1) % 3]));
    EXPECT_EQ(secp256k1_verify(other_hash, sig, pub), kInvalid);
  }
}

TEST(CosmwasmCrypto, Secp256k1GeneratedSignatures) {
  for (int i = 0; i < 10; ++i) {
    ByteVec secret = k1_secret(), other = k1_secret();
    ByteVec hash = sha256(random_bytes(i * 11));
    auto [sig, recid] = k1_sign(secret, hash);
    (void)recid;
    for (bool compressed : {true, false}) {
      ByteVec pub = k1_pubkey(secret, compressed);
      EXPECT_EQ(secp256k1_verify(hash, sig, pub), kValid);
      // High S is accepted (libsecp256k1 alone would refuse it).
      EXPECT_EQ(secp256k1_verify(hash, k1_high_s(sig), pub), kValid);
      EXPECT_EQ(secp256k1_verify(hash, sig, k1_pubkey(other, compressed)), kInvalid);
      ByteVec wrong_hash = hash;
      wrong_hash[31] ^= 1;
      EXPECT_EQ(secp256k1_verify(wrong_hash, sig, pub), kInvalid);
      ByteVec wrong_sig = sig;
      wrong_sig[5] ^= 1;
      EXPECT_EQ(secp256k1_verify(hash, wrong_sig, pub), kInvalid);
    }
  }
}

TEST(CosmwasmCrypto, Secp256k1VerifyErrors) {
  ByteVec secret = k1_secret();
  ByteVec hash = sha256({1, 2, 3});
  ByteVec sig = k1_sign(secret, hash).first;
  ByteVec pub = k1_pubkey(secret, true), pub_full = k1_pubkey(secret, false);

  EXPECT_EQ(secp256k1_verify(ByteVec(31), sig, pub), kInvalidHashFormat);
  EXPECT_EQ(secp256k1_verify(ByteVec(33), sig, pub), kInvalidHashFormat);
  EXPECT_EQ(secp256k1_verify(ByteVec{}, sig, pub), kInvalidHashFormat);
  EXPECT_EQ(secp256k1_verify(hash, ByteVec(63), pub), kInvalidSignatureFormat);
  EXPECT_EQ(secp256k1_verify(hash, concat(sig, {0}), pub), kInvalidSignatureFormat);
  EXPECT_EQ(secp256k1_verify(hash, sig, ByteVec{}), kInvalidPubkeyFormat);
  EXPECT_EQ(secp256k1_verify(hash, sig, ByteVec(pub_full.begin() + 1, pub_full.end())),
            kInvalidPubkeyFormat);  // raw 64 bytes
  ByteVec wrong_prefix = pub;
  wrong_prefix[0] = 0x04;  // 33 bytes claiming to be uncompressed
  EXPECT_EQ(secp256k1_verify(hash, sig, wrong_prefix), kInvalidPubkeyFormat);
  ByteVec hybrid = pub_full;
  hybrid[0] = 0x06 | (pub_full[64] & 1);  // SEC1 hybrid: not accepted
  EXPECT_EQ(secp256k1_verify(hash, sig, hybrid), kInvalidPubkeyFormat);
  ByteVec compressed_prefix_long = pub_full;
  compressed_prefix_long[0] = 0x02;
  EXPECT_EQ(secp256k1_verify(hash, sig, compressed_prefix_long), kInvalidPubkeyFormat);
  EXPECT_EQ(secp256k1_verify(hash, sig, ByteVec{0x00}), kInvalidPubkeyFormat);

  // Well-formed but unusable: Signature::from_bytes / from_sec1_bytes fail.
  ByteVec r_zero = sig;
  std::fill(r_zero.begin(), r_zero.begin() + 32, 0);
  EXPECT_EQ(secp256k1_verify(hash, r_zero, pub), kGenericErr);
  ByteVec s_zero = sig;
  std::fill(s_zero.begin() + 32, s_zero.end(), 0);
  EXPECT_EQ(secp256k1_verify(hash, s_zero, pub), kGenericErr);
  ByteVec order = hex(kK1Order);
  ByteVec r_n = concat(order, ByteVec(sig.begin() + 32, sig.end()));
  EXPECT_EQ(secp256k1_verify(hash, r_n, pub), kGenericErr);
  ByteVec s_n = concat(ByteVec(sig.begin(), sig.begin() + 32), order);
  EXPECT_EQ(secp256k1_verify(hash, s_n, pub), kGenericErr);
  ByteVec s_max = concat(ByteVec(sig.begin(), sig.begin() + 32), ByteVec(32, 0xff));
  EXPECT_EQ(secp256k1_verify(hash, s_max, pub), kGenericErr);
  // n - 1 is in range (and high-S).
  ByteVec s_top = concat(ByteVec(sig.begin(), sig.begin() + 32), order);
  s_top[63] -= 1;
  EXPECT_EQ(secp256k1_verify(hash, s_top, pub), kInvalid);

  ByteVec off_curve = pub_full;
  off_curve[64] ^= 1;  // y no longer matches x
  EXPECT_EQ(secp256k1_verify(hash, sig, off_curve), kGenericErr);
  ByteVec x_too_big(33, 0xff);
  x_too_big[0] = 0x02;
  EXPECT_EQ(secp256k1_verify(hash, sig, x_too_big), kGenericErr);
  // An x that is no point's x coordinate.
  ByteVec no_point = pub;
  for (;;) {
    no_point[32] += 1;
    secp256k1_pubkey parsed;
    if (!secp256k1_ec_pubkey_parse(k1_signing_context(), &parsed, no_point.data(), 33)) break;
  }
  EXPECT_EQ(secp256k1_verify(hash, sig, no_point), kGenericErr);

  // When several inputs are bad, cosmwasm's check order decides.
  EXPECT_EQ(secp256k1_verify(ByteVec(31), ByteVec(63), ByteVec{}), kInvalidHashFormat);
  EXPECT_EQ(secp256k1_verify(hash, ByteVec(63), ByteVec{}), kInvalidSignatureFormat);
  EXPECT_EQ(secp256k1_verify(hash, r_zero, ByteVec{}), kInvalidPubkeyFormat);
}

TEST(CosmwasmCrypto, Secp256k1RecoverVectors) {
  struct Case {
    const char* hash;
    const char* signature;
    uint8_t recovery_param;
    ByteVec expected;
  };
  const Case kCases[] = {
      // ethereumjs-util v6.1.0
      {"82ff40c0a986c6a5cfad4ddf4c3aa6996f1a7837f9c398e17e5de5cbd5a12b28",
       "99e71a99cb2270b8cac5254f9e99b6210c6c10224a1579cf389ef88b20a1abe9"
       "129ff05af364204442bdb53ab6f18a99ab48acc9326fa689f228040429e3ca66",
       0,
       k1_pubkey(hex("3c9229289a6125f7fdf1885a77bb12c37a8d3b4962d936f7e3084dece32a3ca1"), false)},
      // Botan's ecdsa_key_recovery.vec: a high-S signature
      {"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
       "e30f2e6a0f705f4fb5f8501ba79c7c0d3fac847f1ad70b873e9797b17b89b390"
       "81f1a4457589f30d76ab9f89e748a68c8a94c30fe0bac8fb5c0b54ea70bf6d2f",
       0,
       hex("04f3f8bb913aa68589a2c8c607a877ab05252adbd963e1be846ddeb8456942aedc"
           "a2ed51f08ca3ef3dac0a7504613d54cd539fc1b3cbc92453cd704b6a2d012b2c")},
      // @cosmjs/crypto
      {"5ae8317d34d1e595e3fa7247db80c0af4320cce1116de187f8f7e2e099c0d8d0",
       "45c0b7f8c09a9e1f1cea0c25785594427b6bf8f9f878a8af0b1abbb48e16d092"
       "0d8becd0c220f67c51217eecfd7184ef0732481c843857e6bc7fc095c4f6b788",
       1,
       hex("044a071e8a6e10aada2b8cf39fa3b5fb3400b04e99ea8ae64ceea1a977dbeaf5d5"
           "f8c8fbd10b71ab14cd561f7df8eb6da50f8a8d81ba564342244d26d1d4211595")},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.hash);
    ByteVec out;
    EXPECT_EQ(secp256k1_recover_pubkey(hex(c.hash), hex(c.signature), c.recovery_param, &out),
              kValid);
    EXPECT_EQ(out, c.expected);
    // The recovered key verifies the signature (high S included).
    EXPECT_EQ(secp256k1_verify(hex(c.hash), hex(c.signature), out), kValid);
  }
}

TEST(CosmwasmCrypto, Secp256k1RecoverRoundTrip) {
  for (int i = 0; i < 10; ++i) {
    ByteVec secret = k1_secret();
    ByteVec hash = sha256(random_bytes(i + 1));
    auto [sig, recid] = k1_sign(secret, hash);
    ByteVec expected = k1_pubkey(secret, false);
    ByteVec out;
    ASSERT_EQ(secp256k1_recover_pubkey(hash, sig, recid, &out), kValid);
    EXPECT_EQ(out, expected);
    // The other parity gives another key (or none).
    uint32_t code = secp256k1_recover_pubkey(hash, sig, recid ^ 1, &out);
    if (code == kValid) {
      EXPECT_NE(out, expected);
    }
    // High S with the flipped parity names the same R: same key.
    ASSERT_EQ(secp256k1_recover_pubkey(hash, k1_high_s(sig), recid ^ 1, &out), kValid);
    EXPECT_EQ(out, expected);
  }
}

TEST(CosmwasmCrypto, Secp256k1RecoverErrors) {
  ByteVec secret = k1_secret();
  ByteVec hash = sha256({9});
  auto [sig, recid] = k1_sign(secret, hash);
  ByteVec out = {1, 2, 3};
  EXPECT_EQ(secp256k1_recover_pubkey(ByteVec(31), sig, recid, &out), kInvalidHashFormat);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(secp256k1_recover_pubkey(hash, ByteVec(65), recid, &out), kInvalidSignatureFormat);
  for (uint8_t param : {2, 3, 4, 27, 255}) {
    EXPECT_EQ(secp256k1_recover_pubkey(hash, sig, param, &out), kInvalidRecoveryParam);
  }
  // Order: hash, signature, recovery id, then the signature's values.
  EXPECT_EQ(secp256k1_recover_pubkey(ByteVec(31), ByteVec(65), 7, &out), kInvalidHashFormat);
  EXPECT_EQ(secp256k1_recover_pubkey(hash, ByteVec(65), 7, &out), kInvalidSignatureFormat);
  ByteVec r_zero = sig;
  std::fill(r_zero.begin(), r_zero.begin() + 32, 0);
  EXPECT_EQ(secp256k1_recover_pubkey(hash, r_zero, 7, &out), kInvalidRecoveryParam);
  EXPECT_EQ(secp256k1_recover_pubkey(hash, r_zero, 0, &out), kGenericErr);
  ByteVec s_zero = sig;
  std::fill(s_zero.begin() + 32, s_zero.end(), 0);
  EXPECT_EQ(secp256k1_recover_pubkey(hash, s_zero, 0, &out), kGenericErr);
  ByteVec r_n = concat(hex(kK1Order), ByteVec(sig.begin() + 32, sig.end()));
  EXPECT_EQ(secp256k1_recover_pubkey(hash, r_n, 0, &out), kGenericErr);
  // r that is no point's x coordinate.
  ByteVec no_x = sig;
  for (;;) {
    no_x[31] += 1;
    ByteVec candidate = concat({0x02}, ByteVec(no_x.begin(), no_x.begin() + 32));
    secp256k1_pubkey parsed;
    if (!secp256k1_ec_pubkey_parse(k1_signing_context(), &parsed, candidate.data(), 33)) break;
  }
  EXPECT_EQ(secp256k1_recover_pubkey(hash, no_x, 0, &out), kGenericErr);
  EXPECT_EQ(secp256k1_recover_pubkey(hash, no_x, 1, &out), kGenericErr);
  EXPECT_TRUE(out.empty());
}

// ===========================================================================
// secp256r1

struct EcSigDeleter {
  void operator()(ECDSA_SIG* sig) const { ECDSA_SIG_free(sig); }
};
struct PkeyCtxDeleter {
  void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};

struct R1Key {
  Pkey key;
  ByteVec uncompressed;
  ByteVec compressed() const {
    ByteVec out(uncompressed.begin(), uncompressed.begin() + 33);
    out[0] = 0x02 | (uncompressed[64] & 1);
    return out;
  }
};

R1Key r1_key() {
  R1Key k{Pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")), ByteVec(65)};
  size_t size = 0;
  EXPECT_EQ(EVP_PKEY_get_octet_string_param(k.key.get(), OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
                                            k.uncompressed.data(), k.uncompressed.size(), &size),
            1);
  EXPECT_EQ(size, 65u);
  return k;
}

// OpenSSL's ECDSA over a prehashed 32-byte digest, as r || s.
ByteVec r1_sign(const R1Key& key, const ByteVec& hash) {
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter> ctx(EVP_PKEY_CTX_new(key.key.get(), nullptr));
  EXPECT_EQ(EVP_PKEY_sign_init(ctx.get()), 1);
  size_t size = 0;
  EXPECT_EQ(EVP_PKEY_sign(ctx.get(), nullptr, &size, hash.data(), hash.size()), 1);
  ByteVec der(size);
  EXPECT_EQ(EVP_PKEY_sign(ctx.get(), der.data(), &size, hash.data(), hash.size()), 1);
  const uint8_t* p = der.data();
  std::unique_ptr<ECDSA_SIG, EcSigDeleter> sig(d2i_ECDSA_SIG(nullptr, &p, size));
  const BIGNUM *r = nullptr, *s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  return concat(to_be32(r), to_be32(s));
}

const char kR1Order[] = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
const char kR1Prime[] = "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff";

ByteVec r1_high_s(const ByteVec& sig) {
  Bn n = bn_hex(kR1Order), s = bn_be(sig.data() + 32, 32);
  BN_sub(s.get(), n.get(), s.get());
  return concat(ByteVec(sig.begin(), sig.begin() + 32), to_be32(s.get()));
}

// cosmwasm-crypto secp256r1.rs: FIPS 186-4 SigGen vectors (P-256, SHA-256).
TEST(CosmwasmCrypto, Secp256r1NistVectorsVerify) {
  struct Case {
    const char* public_key;
    const char* message;
    const char* signature;
  };
  const Case kCases[] = {
      {"041ccbe91c075fc7f4f033bfa248db8fccd3565de94bbfb12f3c59ff46c271bf83"
       "ce4014c68811f9a21a1fdb2c0e6113e06db7ca93b7404e78dc7ccd5ca89a4ca9",
       "5905238877c77421f73e43ee3da6f2d9e2ccad5fc942dcec0cbd25482935faaf416983fe165b1a045ee2bc"
       "d2e6dca3bdf46c4310a7461f9a37960ca672d3feb5473e253605fb1ddfd28065b53cb5858a8ad28175bf9bd3"
       "86a5e471ea7a65c17cc934a9d791e91491eb3754d03799790fe2d308d16146d5c9b0d0debd97d79ce8",
       "f3ac8061b514795b8843e3d6629527ed2afd6b1f6a555a7acabb5e6f79c8c2ac"
       "8bf77819ca05a6b2786c76262bf7371cef97b218e96f175a3ccdda2acc058903"},
      {"04e266ddfdc12668db30d4ca3e8f7749432c416044f2d2b8c10bf3d4012aeffa8a"
       "bfa86404a2e9ffe67d47c587ef7a97a7f456b863b4d02cfc6928973ab5b1cb39",
       "c35e2f092553c55772926bdbe87c9796827d17024dbb9233a545366e2e5987dd344deb72df987144b8c6c4"
       "3bc41b654b94cc856e16b96d7a821c8ec039b503e3d86728c494a967d83011a0e090b5d54cd47f4e366c0912"
       "bc808fbb2ea96efac88fb3ebec9342738e225f7c7c2b011ce375b56621a20642b4d36e060db4524af1",
       "976d3a4e9d23326dc0baa9fa560b7c4e53f42864f508483a6473b6a11079b2db"
       "1b766e9ceb71ba6c01dcd46e0af462cd4cfa652ae5017d4555b8eeefe36e1932"},
      {"0474ccd8a62fba0e667c50929a53f78c21b8ff0c3c737b0b40b1750b2302b0bde8"
       "29074e21f3a0ef88b9efdf10d06aa4c295cc1671f758ca0e4cd108803d0f2614",
       "3c054e333a94259c36af09ab5b4ff9beb3492f8d5b4282d16801daccb29f70fe61a0b37ffef5c04cd1b70e"
       "85b1f549a1c4dc672985e50f43ea037efa9964f096b5f62f7ffdf8d6bfb2cc859558f5a393cb949dbd48f269"
       "343b5263dcdb9c556eca074f2e98e6d94c2c29a677afaf806edf79b15a3fcd46e7067b7669f83188ee",
       "35fb60f5ca0f3ca08542fb3cc641c8263a2cab7a90ee6a5e1583fac2bb6f6bd1"
       "ee59d81bc9db1055cc0ed97b159d8784af04e98511d0a9a407b99bb292572e96"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.public_key);
    ByteVec hash = sha256(hex(c.message)), sig = hex(c.signature), pub = hex(c.public_key);
    EXPECT_EQ(secp256r1_verify(hash, sig, pub), kValid);
    EXPECT_EQ(secp256r1_verify(hash, r1_high_s(sig), pub), kValid);
    ByteVec wrong = hash;
    wrong[0] ^= 0x80;
    EXPECT_EQ(secp256r1_verify(wrong, sig, pub), kInvalid);
    // The recovery id is not in the vectors: one of 0..3 gives the key.
    int matches = 0;
    for (uint8_t param = 0; param < 4; ++param) {
      ByteVec out;
      if (secp256r1_recover_pubkey(hash, sig, param, &out) == kValid && out == pub) ++matches;
    }
    EXPECT_EQ(matches, 1);
  }
}

TEST(CosmwasmCrypto, Secp256r1GeneratedSignatures) {
  for (int i = 0; i < 8; ++i) {
    R1Key key = r1_key(), other = r1_key();
    ByteVec hash = sha256(random_bytes(i * 5));
    ByteVec sig = r1_sign(key, hash);
    for (const ByteVec& pub : {key.uncompressed, key.compressed()}) {
      EXPECT_EQ(secp256r1_verify(hash, sig, pub), kValid);
      EXPECT_EQ(secp256r1_verify(hash, r1_high_s(sig), pub), kValid);
      EXPECT_EQ(secp256r1_verify(hash, sig, other.uncompressed), kInvalid);
      EXPECT_EQ(secp256r1_verify(hash, sig, other.compressed()), kInvalid);
      ByteVec wrong_sig = sig;
      wrong_sig[40] ^= 0x10;
      EXPECT_EQ(secp256r1_verify(hash, wrong_sig, pub), kInvalid);
    }
    // Recovery round trip: exactly one id in 0..3 gives the key back, and
    // the high-S twin gives it back with the parity flipped.
    int found = -1;
    for (uint8_t param = 0; param < 4; ++param) {
      ByteVec out;
      if (secp256r1_recover_pubkey(hash, sig, param, &out) == kValid && out == key.uncompressed) {
        EXPECT_EQ(found, -1);
        found = param;
      }
    }
    ASSERT_GE(found, 0);
    ByteVec out;
    ASSERT_EQ(secp256r1_recover_pubkey(hash, r1_high_s(sig), found ^ 1, &out), kValid);
    EXPECT_EQ(out, key.uncompressed);
  }
}

TEST(CosmwasmCrypto, Secp256r1RecoverWithReducedX) {
  // Recovery ids 2 and 3 put R's x at r + n, possible only while r + n < p.
  // Find such an R, recover a key for an arbitrary s, and check that the key
  // verifies the signature: verification reduces R's x mod n back to r.
  std::unique_ptr<EC_GROUP, decltype(&EC_GROUP_free)> group(
      EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1), &EC_GROUP_free);
  std::unique_ptr<EC_POINT, decltype(&EC_POINT_free)> point(EC_POINT_new(group.get()),
                                                            &EC_POINT_free);
  Bn n = bn_hex(kR1Order), p = bn_hex(kR1Prime), x = bn_new();
  unsigned long t = 0;
  do {
    ++t;
    BN_copy(x.get(), n.get());
    BN_add_word(x.get(), t);
  } while (EC_POINT_set_compressed_coordinates(group.get(), point.get(), x.get(), 0, nullptr) != 1);
  Bn r = bn_new();
  BN_set_word(r.get(), t);
  ByteVec hash = sha256({4, 2});
  ByteVec sig = concat(to_be32(r.get()), sha256({7}));
  for (uint8_t param : {2, 3}) {
    ByteVec out;
    ASSERT_EQ(secp256r1_recover_pubkey(hash, sig, param, &out), kValid);
    EXPECT_EQ(secp256r1_verify(hash, sig, out), kValid);
    ByteVec low;
    if (secp256r1_recover_pubkey(hash, sig, param & 1, &low) == kValid) {
      EXPECT_NE(low, out);
    }
  }
  // r = p - n: x = p is no field element.
  Bn p_minus_n = bn_new();
  BN_sub(p_minus_n.get(), p.get(), n.get());
  ByteVec too_big = concat(to_be32(p_minus_n.get()), sha256({7}));
  ByteVec out;
  EXPECT_EQ(secp256r1_recover_pubkey(hash, too_big, 2, &out), kGenericErr);
  EXPECT_EQ(secp256r1_recover_pubkey(hash, too_big, 3, &out), kGenericErr);
}

TEST(CosmwasmCrypto, Secp256r1Errors) {
  R1Key key = r1_key();
  ByteVec hash = sha256({5});
  ByteVec sig = r1_sign(key, hash);
  ByteVec pub = key.uncompressed;

  EXPECT_EQ(secp256r1_verify(ByteVec(31), sig, pub), kInvalidHashFormat);
  EXPECT_EQ(secp256r1_verify(ByteVec(64), sig, pub), kInvalidHashFormat);
  EXPECT_EQ(secp256r1_verify(hash, ByteVec(63), pub), kInvalidSignatureFormat);
  EXPECT_EQ(secp256r1_verify(hash, sig, ByteVec(pub.begin() + 1, pub.end())),
            kInvalidPubkeyFormat);
  ByteVec hybrid = pub;
  hybrid[0] = 0x06 | (pub[64] & 1);
  EXPECT_EQ(secp256r1_verify(hash, sig, hybrid), kInvalidPubkeyFormat);
  EXPECT_EQ(secp256r1_verify(hash, sig, ByteVec{}), kInvalidPubkeyFormat);
  EXPECT_EQ(secp256r1_verify(ByteVec{}, ByteVec{}, ByteVec{}), kInvalidHashFormat);

  ByteVec order = hex(kR1Order);
  EXPECT_EQ(secp256r1_verify(hash, concat(ByteVec(32, 0), ByteVec(sig.begin() + 32, sig.end())),
                             pub),
            kGenericErr);
  EXPECT_EQ(secp256r1_verify(hash, concat(ByteVec(sig.begin(), sig.begin() + 32), ByteVec(32, 0)),
                             pub),
            kGenericErr);
  EXPECT_EQ(secp256r1_verify(hash, concat(order, ByteVec(sig.begin() + 32, sig.end())), pub),
            kGenericErr);
  EXPECT_EQ(secp256r1_verify(hash, concat(ByteVec(sig.begin(), sig.begin() + 32), order), pub),
            kGenericErr);
  ByteVec off_curve = pub;
  off_curve[40] ^= 1;
  EXPECT_EQ(secp256r1_verify(hash, sig, off_curve), kGenericErr);
  // x = p + t is no field element, even where t is a valid x: no reduction.
  {
    std::unique_ptr<EC_GROUP, decltype(&EC_GROUP_free)> group(
        EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1), &EC_GROUP_free);
    std::unique_ptr<EC_POINT, decltype(&EC_POINT_free)> point(EC_POINT_new(group.get()),
                                                              &EC_POINT_free);
    Bn t = bn_new();
    BN_one(t.get());
    while (EC_POINT_set_compressed_coordinates(group.get(), point.get(), t.get(), 0, nullptr) !=
           1) {
      BN_add_word(t.get(), 1);
    }
    ByteVec valid_x = concat({0x02}, to_be32(t.get()));
    R1Key unrelated = r1_key();
    EXPECT_EQ(secp256r1_verify(hash, r1_sign(unrelated, hash), valid_x), kInvalid);
    Bn x = bn_hex(kR1Prime);
    BN_add(x.get(), x.get(), t.get());
    EXPECT_EQ(secp256r1_verify(hash, sig, concat({0x02}, to_be32(x.get()))), kGenericErr);
  }
  ByteVec y_p = pub;
  std::copy_n(hex(kR1Prime).begin(), 32, y_p.begin() + 33);
  EXPECT_EQ(secp256r1_verify(hash, sig, y_p), kGenericErr);

  ByteVec out = {9};
  EXPECT_EQ(secp256r1_recover_pubkey(ByteVec(33), sig, 0, &out), kInvalidHashFormat);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(secp256r1_recover_pubkey(hash, ByteVec(1), 0, &out), kInvalidSignatureFormat);
  for (uint8_t param : {4, 5, 27, 255}) {
    EXPECT_EQ(secp256r1_recover_pubkey(hash, sig, param, &out), kInvalidRecoveryParam);
  }
  EXPECT_EQ(secp256r1_recover_pubkey(hash, ByteVec(1), 4, &out), kInvalidSignatureFormat);
  ByteVec r_zero = concat(ByteVec(32, 0), ByteVec(sig.begin() + 32, sig.end()));
  EXPECT_EQ(secp256r1_recover_pubkey(hash, r_zero, 4, &out), kInvalidRecoveryParam);
  EXPECT_EQ(secp256r1_recover_pubkey(hash, r_zero, 0, &out), kGenericErr);
  EXPECT_EQ(secp256r1_recover_pubkey(
                hash, concat(ByteVec(sig.begin(), sig.begin() + 32), order), 0, &out),
            kGenericErr);
}

}  // namespace
}  // namespace wvm::cosmwasm::crypto
