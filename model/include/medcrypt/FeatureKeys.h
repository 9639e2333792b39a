#ifndef medcrypt_FeatureKeys_h
#define medcrypt_FeatureKeys_h

#include "medcrypt/TileDigest.h"
#include "medcrypt/UserKey.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace medcrypt
{

/** How x0_1..x0_4 come from the user key and the tile digest (docs/format.md).
 * Paper: Eq. 2, word_k = 64 bits of h from bit p + 64 (k - 1), plus b_k modulo 2^64.
 * Hardened (default): s_1..s_4 = HKDF-SHA256(ikm = b, salt = h, info = "medcrypt/x0"), so that one
 * known plaintext does not reveal b. */
enum class KeySchedule
{
  Paper,
  Hardened
};

std::string
ToString(KeySchedule schedule);

/** Parses "paper" or "hardened"; throws UserError otherwise. */
KeySchedule
KeyScheduleFromString(const std::string & name);

/** The four 64-bit words s_1..s_4 of the chosen schedule. */
std::array<std::uint64_t, 4>
DeriveKeyWords(const UserKey & key, const TileDigest & digest, KeySchedule schedule);

/** x0 = ((s >> 12) + 0.5) * 2^-52: exact in IEEE double and strictly inside (0, 1) (docs/design.md
 * explains why not scheme.md's s >> 11, whose largest value rounds to 1.0). */
double
InitialValueFromWord(std::uint64_t word);

/** x0_1..x0_4 for one tile. */
std::array<double, 4>
DeriveInitialValues(const UserKey & key, const TileDigest & digest, KeySchedule schedule);

/** The logistic map x_n = mu x_{n-1} (1 - x_{n-1}) (paper Eq. 1) in IEEE double, compiled without
 * floating-point contraction so that every machine produces the same bits. The constructor runs the
 * burn-in; Next() returns x_{burnIn + 1}, x_{burnIn + 2}, ... */
class LogisticSequence
{
public:
  LogisticSequence(double x0, double mu, int burnIn);

  double
  Next();

private:
  double m_X;
  double m_Mu;
};

/** y = (2 / pi) asin(sqrt(x)): maps the arcsine-distributed logistic values to uniform on (0, 1). */
double
Uniformise(double x);

/** Fills `count` uniformised logistic values starting from x0 (after burn-in) into `out`. */
void
FillUniformisedSequence(double x0, double mu, int burnIn, float * out, std::size_t count);

/** The first `count` uniformised values as doubles (for reports and tests). */
std::vector<double>
UniformisedSequence(double x0, double mu, int burnIn, std::size_t count);

/** Hex of a digest (64 lower-case digits). */
std::string
ToHex(const std::array<std::uint8_t, 32> & bytes);

} // namespace medcrypt

#endif
