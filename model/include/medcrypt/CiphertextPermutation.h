#ifndef medcrypt_CiphertextPermutation_h
#define medcrypt_CiphertextPermutation_h

// The keyed permutation that cipher format versions 2 and 3 apply to every ciphertext tile after the
// network (docs/format.md, "Ciphertext permutation"; docs/design.md says why): 8 x 8 cells of the
// network's ciphertext move as wholes across the tile, then the pixels of each stored cell (version 2) or
// of each 16 x 16 stored block (version 3) are shuffled inside it, under a key derived from the tile's
// feature-key parameters. OpenSSL only (HKDF-SHA256, AES-256-CTR).

#include "medcrypt/CiphertextLayout.h"
#include "medcrypt/NeuralCipher.h"

#include <cstdint>
#include <string_view>
#include <vector>

namespace medcrypt
{

/** HKDF info of the permutation key of a tile. */
inline constexpr std::string_view CiphertextPermutationInfo = "medcrypt/permutation";

/** The permutation of one tile of edge `tileSize` (a positive multiple of layout.poolEdge; UserError
 * otherwise) under the feature-key parameters `keys`: element i is the index (row-major, x fastest) in the
 * network's ciphertext tile of the pixel stored at index i. Key: HKDF-SHA256(IKM = x0_1..x0_4 and mu as
 * big-endian IEEE-754 doubles, then the burn-in as a big-endian uint32; no salt; info
 * CiphertextPermutationInfo; 32 bytes). Random numbers: the AES-256-CTR keystream of that key (IV zero)
 * read as big-endian uint32, an index below n drawn by rejection (values >= 2^32 - 2^32 mod n are
 * skipped). The cells are shuffled first (Fisher-Yates from the last cell down: stored cell d, row-major,
 * holds network cell cells[d]), then the pixels of each stored pool in row-major pool order (stored pixel
 * q of a pool, row-major inside it, holds the pixel that the cell move put at inside[q]). With
 * poolEdge == cellEdge this is format version 2's permutation. */
std::vector<std::uint32_t>
CiphertextPermutation(const TileKeyParameters & keys, unsigned tileSize, CiphertextLayout layout);

/** stored[i] = network[order[i]] for every i of the tile (order from CiphertextPermutation). */
void
PermuteTile(const std::vector<std::uint32_t> & order, const float * network, float * stored);

/** network[order[i]] = stored[i]: the inverse of PermuteTile. */
void
UnpermuteTile(const std::vector<std::uint32_t> & order, const float * stored, float * network);

} // namespace medcrypt

#endif
