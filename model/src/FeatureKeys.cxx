// Compiled with -ffp-contract=off (see model/CMakeLists.txt): the logistic map must give the same
// bits on every machine, or a ciphertext made on one machine would not decrypt on another.
#include "medcrypt/FeatureKeys.h"

#include "medcrypt/Error.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <cmath>
#include <memory>
#include <stdexcept>

namespace medcrypt
{

std::string
ToString(KeySchedule schedule)
{
  return schedule == KeySchedule::Paper ? "paper" : "hardened";
}

KeySchedule
KeyScheduleFromString(const std::string & name)
{
  if (name == "paper")
  {
    return KeySchedule::Paper;
  }
  if (name == "hardened")
  {
    return KeySchedule::Hardened;
  }
  throw UserError("unknown key schedule '" + name + "': use 'hardened' (default) or 'paper'");
}

namespace
{

/** Bit k of h is bit 7 - (k mod 8) of byte k / 8: the order in which the digest prints in hex. */
unsigned
DigestBit(const std::array<std::uint8_t, 32> & h, unsigned k)
{
  k %= 256;
  return (h[k / 8] >> (7 - (k % 8))) & 1u;
}

std::array<std::uint64_t, 4>
PaperWords(const UserKey & key, const TileDigest & digest)
{
  std::array<std::uint64_t, 4> words{};
  for (unsigned k = 0; k < 4; ++k)
  {
    std::uint64_t word = 0;
    const unsigned start = static_cast<unsigned>(digest.p) + 64 * k;
    for (unsigned bit = 0; bit < 64; ++bit)
    {
      word = (word << 1) | DigestBit(digest.h, start + bit);
    }
    words[k] = word + key.b[k]; // modulo 2^64 by unsigned wrap-around
  }
  return words;
}

std::array<std::uint64_t, 4>
HardenedWords(const UserKey & key, const TileDigest & digest)
{
  std::unique_ptr<EVP_KDF, decltype(&EVP_KDF_free)> kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr), &EVP_KDF_free);
  if (!kdf)
  {
    throw std::runtime_error("OpenSSL: HKDF is not available");
  }
  std::unique_ptr<EVP_KDF_CTX, decltype(&EVP_KDF_CTX_free)> context(EVP_KDF_CTX_new(kdf.get()), &EVP_KDF_CTX_free);
  auto ikm = key.Bytes();
  auto salt = digest.h;
  char digestName[] = "SHA256";
  char info[] = "medcrypt/x0";
  const OSSL_PARAM params[] = { OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digestName, 0),
                                OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, ikm.data(), ikm.size()),
                                OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, salt.data(), salt.size()),
                                OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, sizeof(info) - 1),
                                OSSL_PARAM_construct_end() };
  std::uint8_t out[32];
  const int ok = context ? EVP_KDF_derive(context.get(), out, sizeof(out), params) : 0;
  OPENSSL_cleanse(ikm.data(), ikm.size());
  if (ok != 1)
  {
    throw std::runtime_error("OpenSSL: HKDF-SHA256 failed");
  }
  std::array<std::uint64_t, 4> words{};
  for (int k = 0; k < 4; ++k)
  {
    std::uint64_t word = 0;
    for (int i = 0; i < 8; ++i)
    {
      word = (word << 8) | out[8 * k + i];
    }
    words[k] = word;
  }
  OPENSSL_cleanse(out, sizeof(out));
  return words;
}

} // namespace

std::array<std::uint64_t, 4>
DeriveKeyWords(const UserKey & key, const TileDigest & digest, KeySchedule schedule)
{
  return schedule == KeySchedule::Paper ? PaperWords(key, digest) : HardenedWords(key, digest);
}

double
InitialValueFromWord(std::uint64_t word)
{
  return (static_cast<double>(word >> 12) + 0.5) * 0x1p-52;
}

std::array<double, 4>
DeriveInitialValues(const UserKey & key, const TileDigest & digest, KeySchedule schedule)
{
  auto words = DeriveKeyWords(key, digest, schedule);
  std::array<double, 4> x0{};
  for (int k = 0; k < 4; ++k)
  {
    x0[k] = InitialValueFromWord(words[k]);
  }
  OPENSSL_cleanse(words.data(), sizeof(words));
  return x0;
}

LogisticSequence::LogisticSequence(double x0, double mu, int burnIn)
  : m_X(x0)
  , m_Mu(mu)
{
  if (!(x0 > 0.0 && x0 < 1.0))
  {
    throw std::invalid_argument("logistic map: x0 must lie strictly inside (0, 1)");
  }
  for (int n = 0; n < burnIn; ++n)
  {
    Next();
  }
}

double
LogisticSequence::Next()
{
  const double a = m_Mu * m_X;
  const double b = 1.0 - m_X;
  m_X = a * b;
  return m_X;
}

double
Uniformise(double x)
{
  return 2.0 / M_PI * std::asin(std::sqrt(x));
}

void
FillUniformisedSequence(double x0, double mu, int burnIn, float * out, std::size_t count)
{
  LogisticSequence sequence(x0, mu, burnIn);
  for (std::size_t i = 0; i < count; ++i)
  {
    out[i] = static_cast<float>(Uniformise(sequence.Next()));
  }
}

std::vector<double>
UniformisedSequence(double x0, double mu, int burnIn, std::size_t count)
{
  LogisticSequence sequence(x0, mu, burnIn);
  std::vector<double> values(count);
  for (auto & value : values)
  {
    value = Uniformise(sequence.Next());
  }
  return values;
}

std::string
ToHex(const std::array<std::uint8_t, 32> & bytes)
{
  static const char digits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(64);
  for (auto byte : bytes)
  {
    hex.push_back(digits[byte >> 4]);
    hex.push_back(digits[byte & 0xF]);
  }
  return hex;
}

} // namespace medcrypt
