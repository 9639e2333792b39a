#include "medcrypt/KeyDerivation.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <memory>
#include <stdexcept>
#include <utility>

namespace medcrypt
{

SecretBytes::SecretBytes(std::size_t size)
  : m_Bytes(size, 0)
{
}

SecretBytes::SecretBytes(ByteView bytes)
  : m_Bytes(bytes.begin(), bytes.end())
{
}

SecretBytes::SecretBytes(const SecretBytes & other)
  : m_Bytes(other.m_Bytes)
{
}

SecretBytes::SecretBytes(SecretBytes && other) noexcept
  : m_Bytes(std::move(other.m_Bytes))
{
  other.m_Bytes.clear();
}

SecretBytes &
SecretBytes::operator=(const SecretBytes & other)
{
  if (this != &other)
  {
    Clear();
    m_Bytes = other.m_Bytes;
  }
  return *this;
}

SecretBytes &
SecretBytes::operator=(SecretBytes && other) noexcept
{
  if (this != &other)
  {
    Clear();
    m_Bytes = std::move(other.m_Bytes);
    other.m_Bytes.clear();
  }
  return *this;
}

SecretBytes::~SecretBytes()
{
  Clear();
}

void
SecretBytes::Clear()
{
  if (!m_Bytes.empty())
  {
    OPENSSL_cleanse(m_Bytes.data(), m_Bytes.size());
  }
  // Release the (wiped) buffer itself, not only its size.
  std::vector<std::uint8_t>().swap(m_Bytes);
}

SecretBytes
HkdfSha256(ByteView ikm, ByteView salt, ByteView info, std::size_t length)
{
  if (length == 0 || length > 255 * 32)
  {
    throw std::invalid_argument("HKDF-SHA256: output length must lie in [1, 8160] bytes");
  }
  std::unique_ptr<EVP_KDF, decltype(&EVP_KDF_free)> kdf(EVP_KDF_fetch(nullptr, "HKDF", nullptr), &EVP_KDF_free);
  if (!kdf)
  {
    throw std::runtime_error("OpenSSL: HKDF is not available");
  }
  std::unique_ptr<EVP_KDF_CTX, decltype(&EVP_KDF_CTX_free)> context(EVP_KDF_CTX_new(kdf.get()), &EVP_KDF_CTX_free);
  if (!context)
  {
    throw std::runtime_error("OpenSSL: cannot create an HKDF context");
  }
  // OSSL_PARAM takes non-const pointers but does not write through them.
  char digestName[] = "SHA256";
  OSSL_PARAM params[5];
  std::size_t count = 0;
  params[count++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digestName, 0);
  params[count++] =
    OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<std::uint8_t *>(ikm.data()), ikm.size());
  if (!salt.empty())
  {
    params[count++] =
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<std::uint8_t *>(salt.data()), salt.size());
  }
  if (!info.empty())
  {
    params[count++] =
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<std::uint8_t *>(info.data()), info.size());
  }
  params[count] = OSSL_PARAM_construct_end();

  SecretBytes out(length);
  if (EVP_KDF_derive(context.get(), out.data(), out.size(), params) != 1)
  {
    throw std::runtime_error("OpenSSL: HKDF-SHA256 failed");
  }
  return out;
}

SecretBytes
DeriveSubkey(const UserKey & key, std::string_view info)
{
  auto ikm = key.Bytes();
  SecretBytes subkey;
  try
  {
    subkey = HkdfSha256(ByteView(ikm), ByteView(), ByteView::FromString(info), 32);
  }
  catch (...)
  {
    OPENSSL_cleanse(ikm.data(), ikm.size());
    throw;
  }
  OPENSSL_cleanse(ikm.data(), ikm.size());
  return subkey;
}

} // namespace medcrypt
