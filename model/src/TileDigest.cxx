#include "medcrypt/TileDigest.h"

#include <openssl/evp.h>

#include <stdexcept>

namespace medcrypt
{

TileDigester::TileDigester()
{
  auto * context = EVP_MD_CTX_new();
  if (context == nullptr || EVP_DigestInit_ex(context, EVP_sha256(), nullptr) != 1)
  {
    EVP_MD_CTX_free(context);
    throw std::runtime_error("OpenSSL: cannot initialise SHA-256");
  }
  m_Context = context;
}

TileDigester::~TileDigester()
{
  EVP_MD_CTX_free(static_cast<EVP_MD_CTX *>(m_Context));
}

void
TileDigester::UpdateBytes(const std::uint8_t * bytes, std::size_t count)
{
  if (EVP_DigestUpdate(static_cast<EVP_MD_CTX *>(m_Context), bytes, count) != 1)
  {
    throw std::runtime_error("OpenSSL: SHA-256 update failed");
  }
}

TileDigest
TileDigester::Finish(const std::optional<TilePosition> & position)
{
  if (position)
  {
    std::uint8_t bytes[12];
    const std::uint32_t values[3] = { position->row, position->column, position->slice };
    for (int v = 0; v < 3; ++v)
    {
      for (int k = 0; k < 4; ++k)
      {
        bytes[4 * v + k] = static_cast<std::uint8_t>((values[v] >> (8 * k)) & 0xFFu);
      }
    }
    UpdateBytes(bytes, sizeof(bytes));
  }
  TileDigest digest;
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(static_cast<EVP_MD_CTX *>(m_Context), digest.h.data(), &length) != 1 || length != 32)
  {
    throw std::runtime_error("OpenSSL: SHA-256 final failed");
  }
  digest.p = static_cast<std::uint8_t>(m_P);
  return digest;
}

} // namespace medcrypt
