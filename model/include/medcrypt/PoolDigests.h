#ifndef medcrypt_PoolDigests_h
#define medcrypt_PoolDigests_h

// Cipher format version 4 (docs/format.md, "Pool digests"): a digest of every pool of every stored
// ciphertext tile, sealed in the cipher header, so that decryption knows which pixels of a changed
// ciphertext are still those that encryption wrote, and refines the network's decryption where they are.

#include "medcrypt/TileDigest.h"

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

namespace medcrypt
{

/** Bytes kept of each pool's SHA-256. */
inline constexpr std::size_t PoolDigestBytes = 8;

/** True when cipher format `version` seals pool digests (version 4 and later). */
constexpr bool
SealsPoolDigests(std::uint32_t version)
{
  return version >= 4;
}

/** The number of poolEdge x poolEdge pools of a tileSize x tileSize tile (tileSize a multiple of poolEdge). */
inline std::size_t
PoolCount(unsigned tileSize, unsigned poolEdge)
{
  if (poolEdge == 0 || tileSize % poolEdge != 0)
  {
    throw std::invalid_argument("PoolCount: the tile edge must be a multiple of the pool edge");
  }
  const std::size_t perRow = tileSize / poolEdge;
  return perRow * perRow;
}

/** The digests of the pools of one stored tile (tileSize x tileSize samples, row-major): pools in row-major
 * order, each the first PoolDigestBytes bytes of SHA-256 of its samples (little-endian, row by row). */
template<typename TSample>
std::vector<std::uint8_t>
ComputePoolDigests(const TSample * tile, unsigned tileSize, unsigned poolEdge)
{
  std::vector<std::uint8_t> digests;
  digests.reserve(PoolCount(tileSize, poolEdge) * PoolDigestBytes);
  for (unsigned top = 0; top < tileSize; top += poolEdge)
  {
    for (unsigned left = 0; left < tileSize; left += poolEdge)
    {
      TileDigester digester;
      for (unsigned y = top; y < top + poolEdge; ++y)
      {
        digester.Add(tile + std::size_t{ y } * tileSize + left, poolEdge);
      }
      const TileDigest digest = digester.Finish(std::nullopt);
      digests.insert(digests.end(), digest.h.begin(), digest.h.begin() + PoolDigestBytes);
    }
  }
  return digests;
}

/** Compares the digests sealed at encryption with those of the tile as it is now: writes 1 into `authentic`
 * (tileSize x tileSize, row-major) for every pixel of a pool whose digests agree and 0 elsewhere, and
 * returns the number of pools that changed. */
inline std::size_t
MarkAuthenticPools(const std::vector<std::uint8_t> & sealed,
                   const std::vector<std::uint8_t> & current,
                   unsigned tileSize,
                   unsigned poolEdge,
                   float * authentic)
{
  const std::size_t pools = PoolCount(tileSize, poolEdge);
  if (sealed.size() != pools * PoolDigestBytes || current.size() != sealed.size())
  {
    throw std::invalid_argument("MarkAuthenticPools: expected " + std::to_string(pools) + " digests per tile");
  }
  std::size_t changed = 0;
  const unsigned perRow = tileSize / poolEdge;
  for (std::size_t pool = 0; pool < pools; ++pool)
  {
    bool same = true;
    for (std::size_t b = 0; b < PoolDigestBytes; ++b)
    {
      same = same && sealed[pool * PoolDigestBytes + b] == current[pool * PoolDigestBytes + b];
    }
    changed += same ? 0 : 1;
    const unsigned top = static_cast<unsigned>(pool / perRow) * poolEdge;
    const unsigned left = static_cast<unsigned>(pool % perRow) * poolEdge;
    for (unsigned y = top; y < top + poolEdge; ++y)
    {
      std::fill_n(authentic + std::size_t{ y } * tileSize + left, poolEdge, same ? 1.0f : 0.0f);
    }
  }
  return changed;
}

} // namespace medcrypt

#endif
