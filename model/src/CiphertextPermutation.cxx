#include "medcrypt/CiphertextPermutation.h"

#include "medcrypt/Error.h"
#include "medcrypt/KeyDerivation.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <cstring>
#include <memory>
#include <numeric>
#include <stdexcept>
#include <string>

namespace medcrypt
{
namespace
{

void
AppendBigEndian(std::vector<std::uint8_t> & bytes, std::uint64_t value, unsigned count)
{
  for (unsigned i = 0; i < count; ++i)
  {
    bytes.push_back(static_cast<std::uint8_t>(value >> (8 * (count - 1 - i))));
  }
}

std::uint64_t
DoubleBits(double value)
{
  std::uint64_t bits = 0;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

/** The permutation key of a tile (see CiphertextPermutation). */
SecretBytes
PermutationKey(const TileKeyParameters & keys)
{
  std::vector<std::uint8_t> ikm;
  ikm.reserve(44);
  for (double x0 : keys.x0)
  {
    AppendBigEndian(ikm, DoubleBits(x0), 8);
  }
  AppendBigEndian(ikm, DoubleBits(keys.mu), 8);
  AppendBigEndian(ikm, static_cast<std::uint32_t>(keys.burnIn), 4);
  SecretBytes key = HkdfSha256(ByteView(ikm), ByteView(), ByteView::FromString(CiphertextPermutationInfo), 32);
  OPENSSL_cleanse(ikm.data(), ikm.size());
  return key;
}

/** Uniform indices from the AES-256-CTR keystream of a key. */
class KeystreamIndices
{
public:
  explicit KeystreamIndices(const SecretBytes & key)
    : m_Context(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free)
  {
    const std::array<std::uint8_t, 16> iv{};
    if (!m_Context ||
        EVP_EncryptInit_ex(m_Context.get(), EVP_aes_256_ctr(), nullptr, key.View().data(), iv.data()) != 1)
    {
      throw std::runtime_error("OpenSSL could not start AES-256-CTR for the ciphertext permutation");
    }
  }
  KeystreamIndices(const KeystreamIndices &) = delete;
  KeystreamIndices &
  operator=(const KeystreamIndices &) = delete;
  ~KeystreamIndices() { OPENSSL_cleanse(m_Block.data(), m_Block.size()); }

  /** A uniform index in [0, n), n >= 1. */
  std::uint32_t
  Below(std::uint32_t n)
  {
    const std::uint64_t span = std::uint64_t{ 1 } << 32;
    const std::uint64_t limit = span - span % n;
    for (;;)
    {
      const std::uint32_t value = Next();
      if (value < limit)
      {
        return value % n;
      }
    }
  }

private:
  std::uint32_t
  Next()
  {
    if (m_Used == m_Block.size())
    {
      const std::array<std::uint8_t, 4096> zeros{};
      int written = 0;
      if (EVP_EncryptUpdate(m_Context.get(), m_Block.data(), &written, zeros.data(), static_cast<int>(zeros.size())) !=
            1 ||
          written != static_cast<int>(m_Block.size()))
      {
        throw std::runtime_error("OpenSSL's AES-256-CTR failed in the ciphertext permutation");
      }
      m_Used = 0;
    }
    const std::uint8_t * b = m_Block.data() + m_Used;
    m_Used += 4;
    return (std::uint32_t{ b[0] } << 24) | (std::uint32_t{ b[1] } << 16) | (std::uint32_t{ b[2] } << 8) | b[3];
  }

  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> m_Context;
  std::array<std::uint8_t, 4096> m_Block{};
  std::size_t m_Used = 4096;
};

/** Fisher-Yates from the last element down. */
template<typename T>
void
Shuffle(std::vector<T> & values, KeystreamIndices & indices)
{
  for (std::size_t i = values.size(); i > 1; --i)
  {
    std::swap(values[i - 1], values[indices.Below(static_cast<std::uint32_t>(i))]);
  }
}

} // namespace

std::vector<std::uint32_t>
CiphertextPermutation(const TileKeyParameters & keys, unsigned tileSize, CiphertextLayout layout)
{
  const unsigned edge = layout.cellEdge;
  const unsigned pool = layout.poolEdge;
  if (edge == 0 || pool % edge != 0 || pool > 256)
  {
    throw UserError("the ciphertext layout needs a pool edge that is a multiple of the cell edge (got cells of " +
                    std::to_string(edge) + " and pools of " + std::to_string(pool) + ")");
  }
  if (tileSize == 0 || tileSize % pool != 0 || tileSize > 65536)
  {
    throw UserError("the ciphertext permutation needs a tile edge that is a multiple of " + std::to_string(pool) +
                    " (the model's tile edge is " + std::to_string(tileSize) +
                    "); write an older cipher format version, or use a model with such a tile edge");
  }
  const unsigned cellsPerRow = tileSize / edge;
  std::vector<std::uint32_t> cells(std::size_t{ cellsPerRow } * cellsPerRow);
  std::iota(cells.begin(), cells.end(), 0u);
  KeystreamIndices indices(PermutationKey(keys));
  Shuffle(cells, indices);

  // moved[i]: the network's index of the pixel at stored index i once the cells have moved as wholes.
  const std::size_t pixels = std::size_t{ tileSize } * tileSize;
  std::vector<std::uint32_t> moved(pixels);
  for (std::size_t stored = 0; stored < cells.size(); ++stored)
  {
    const std::size_t storedRow = stored / cellsPerRow * edge;
    const std::size_t storedColumn = stored % cellsPerRow * edge;
    const std::size_t sourceRow = cells[stored] / cellsPerRow * edge;
    const std::size_t sourceColumn = cells[stored] % cellsPerRow * edge;
    for (unsigned q = 0; q < edge * edge; ++q)
    {
      moved[(storedRow + q / edge) * tileSize + storedColumn + q % edge] =
        static_cast<std::uint32_t>((sourceRow + q / edge) * tileSize + sourceColumn + q % edge);
    }
  }
  // Then the pixels of each stored pool, pools in row-major order.
  const unsigned poolsPerRow = tileSize / pool;
  std::vector<std::uint32_t> order(pixels);
  std::vector<std::uint32_t> inside(std::size_t{ pool } * pool);
  for (std::size_t p = 0; p < std::size_t{ poolsPerRow } * poolsPerRow; ++p)
  {
    std::iota(inside.begin(), inside.end(), 0u);
    Shuffle(inside, indices);
    const std::size_t row = p / poolsPerRow * pool;
    const std::size_t column = p % poolsPerRow * pool;
    for (unsigned q = 0; q < pool * pool; ++q)
    {
      order[(row + q / pool) * tileSize + column + q % pool] =
        moved[(row + inside[q] / pool) * tileSize + column + inside[q] % pool];
    }
  }
  return order;
}

void
PermuteTile(const std::vector<std::uint32_t> & order, const float * network, float * stored)
{
  for (std::size_t i = 0; i < order.size(); ++i)
  {
    stored[i] = network[order[i]];
  }
}

void
UnpermuteTile(const std::vector<std::uint32_t> & order, const float * stored, float * network)
{
  for (std::size_t i = 0; i < order.size(); ++i)
  {
    network[order[i]] = stored[i];
  }
}

} // namespace medcrypt
