#ifndef medcrypt_CiphertextPermutation_h
#define medcrypt_CiphertextPermutation_h

// The keyed permutation that cipher format version 2 applies to every ciphertext tile after the network
// (docs/format.md, "Ciphertext permutation"; docs/design.md says why): 8 x 8 cells of the network's
// ciphertext move as wholes across the tile and the 64 pixels of each cell are shuffled inside it, under
// a key derived from the tile's feature-key parameters. OpenSSL only (HKDF-SHA256, AES-256-CTR).

#include "medcrypt/NeuralCipher.h"

#include <cstdint>
#include <string_view>
#include <vector>

namespace medcrypt
{

/** Edge of the cells that the permutation moves as wholes (the decoder sees an erased rectangle of the
 * stored ciphertext as whole cells scattered over the tile, each of which it fills from its neighbours). */
inline constexpr unsigned CiphertextCellEdge = 8;

/** HKDF info of the permutation key of a tile. */
inline constexpr std::string_view CiphertextPermutationInfo = "medcrypt/permutation";

/** The permutation of one tile of edge `tileSize` (a positive multiple of CiphertextCellEdge; UserError
 * otherwise) under the feature-key parameters `keys`: element i is the index (row-major, x fastest) in the
 * network's ciphertext tile of the pixel stored at index i. Key: HKDF-SHA256(IKM = x0_1..x0_4 and mu as
 * big-endian IEEE-754 doubles, then the burn-in as a big-endian uint32; no salt; info
 * CiphertextPermutationInfo; 32 bytes). Random numbers: the AES-256-CTR keystream of that key (IV zero)
 * read as big-endian uint32, an index below n drawn by rejection (values >= 2^32 - 2^32 mod n are
 * skipped). The cells are shuffled first (Fisher-Yates from the last cell down), then the pixels of each
 * stored cell in order. */
std::vector<std::uint32_t>
CiphertextPermutation(const TileKeyParameters & keys, unsigned tileSize);

/** stored[i] = network[order[i]] for every i of the tile (order from CiphertextPermutation). */
void
PermuteTile(const std::vector<std::uint32_t> & order, const float * network, float * stored);

/** network[order[i]] = stored[i]: the inverse of PermuteTile. */
void
UnpermuteTile(const std::vector<std::uint32_t> & order, const float * stored, float * network);

} // namespace medcrypt

#endif
