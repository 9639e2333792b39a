#ifndef medcrypt_CiphertextLayout_h
#define medcrypt_CiphertextLayout_h

// How a cipher format version lays out the stored ciphertext of a tile (docs/format.md, "Ciphertext
// permutation"): which squares move as wholes across the tile and which squares' pixels are shuffled
// inside them. Header-only and dependency-free, so that the trainer's attack simulation (LibTorch only)
// and the permutation itself (OpenSSL only) share it.

#include <cstdint>

namespace medcrypt
{

/** The two edges of a stored-tile layout. cellEdge: the network's ciphertext moves across the tile in
 * cellEdge x cellEdge cells, as wholes; poolEdge (a multiple of cellEdge): then the pixels of each
 * poolEdge x poolEdge block of the stored tile are shuffled inside that block. A tile edge must be a
 * multiple of poolEdge. */
struct CiphertextLayout
{
  unsigned cellEdge = 8;
  unsigned poolEdge = 8;
};

/** Format version 2: 8 x 8 cells, the pixels of each stored cell shuffled inside it. Adjacent stored
 * pixels are then two distinct pixels of one 64-pixel cell, which are anticorrelated by about -1/63 (the
 * correlation rows of version 2 sit near -0.009). */
inline constexpr CiphertextLayout CiphertextLayoutVersion2{ 8, 8 };

/** Format version 3: 8 x 8 cells, then the pixels of each 16 x 16 stored block (four stored cells, from
 * four random places of the network's tile) shuffled inside it: the anticorrelation falls to about -1/255,
 * and an erased stored rectangle still erases whole 8 x 8 network cells inside it. */
inline constexpr CiphertextLayout CiphertextLayoutVersion3{ 8, 16 };

/** The layout of a format version that stores permuted tiles (2 or later): version 4 keeps version 3's
 * layout and adds the pool digests of PoolDigests.h (later versions are refused by the header before this
 * is asked). */
constexpr CiphertextLayout
CiphertextLayoutOf(std::uint32_t formatVersion)
{
  return formatVersion == 2 ? CiphertextLayoutVersion2 : CiphertextLayoutVersion3;
}

} // namespace medcrypt

#endif
