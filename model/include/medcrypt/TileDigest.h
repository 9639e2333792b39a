#ifndef medcrypt_TileDigest_h
#define medcrypt_TileDigest_h

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <type_traits>

namespace medcrypt
{

/** True on little-endian hosts; the hashed bytes are little-endian on every host. */
inline bool
IsLittleEndianHost()
{
  const std::uint16_t probe = 1;
  std::uint8_t first = 0;
  std::memcpy(&first, &probe, 1);
  return first == 1;
}

/** Where a tile sits in its image; appended to the hashed bytes when the image has more than one
 * tile or slice, so that equal tiles in different places get different keys. */
struct TilePosition
{
  std::uint32_t row = 0;
  std::uint32_t column = 0;
  std::uint32_t slice = 0;
};

/** h = SHA-256 of the tile's samples and p = (sum_i im(i) * i) mod 256 (paper Eq. 2, exact
 * definition in docs/format.md). */
struct TileDigest
{
  std::array<std::uint8_t, 32> h{};
  std::uint8_t p = 0;
};

/** Incremental SHA-256 over little-endian sample bytes plus the running p. Feed samples in
 * row-major order with Add(), then Finish(). Not copyable (owns an OpenSSL digest context). */
class TileDigester
{
public:
  TileDigester();
  ~TileDigester();
  TileDigester(const TileDigester &) = delete;
  TileDigester &
  operator=(const TileDigester &) = delete;

  /** Adds samples of any arithmetic type, each hashed in its stored type, little-endian. */
  template<typename T>
  void
  Add(const T * samples, std::size_t count);

  /** Appends the position (when given) and returns h and p. */
  TileDigest
  Finish(const std::optional<TilePosition> & position);

private:
  void
  UpdateBytes(const std::uint8_t * bytes, std::size_t count);

  void * m_Context = nullptr;
  std::uint64_t m_Index = 0; // 1-based index of the next sample, modulo 2^64
  unsigned m_P = 0;          // running sum modulo 256
};

/** A sample as an integer modulo 256 (floating-point samples are floored first; NaN counts as 0). */
template<typename T>
unsigned
SampleModulo256(T value)
{
  if constexpr (std::is_floating_point_v<T>)
  {
    if (!std::isfinite(value))
    {
      return 0;
    }
    const long double f = std::floor(static_cast<long double>(value));
    const long double m = std::fmod(f, 256.0L);
    return static_cast<unsigned>(m < 0 ? m + 256.0L : m) & 0xFFu;
  }
  else
  {
    // Two's complement: the low byte of the value is its residue modulo 256.
    return static_cast<unsigned>(static_cast<std::uint64_t>(static_cast<std::int64_t>(value)) & 0xFFu);
  }
}

template<typename T>
void
TileDigester::Add(const T * samples, std::size_t count)
{
  static_assert(std::is_arithmetic_v<T>, "samples must be scalars");
  constexpr std::size_t size = sizeof(T);
  constexpr std::size_t chunk = 4096;
  std::uint8_t buffer[chunk * size];
  std::size_t done = 0;
  while (done < count)
  {
    const std::size_t n = std::min(chunk, count - done);
    for (std::size_t i = 0; i < n; ++i)
    {
      const T value = samples[done + i];
      std::uint8_t raw[size];
      std::memcpy(raw, &value, size);
      for (std::size_t k = 0; k < size; ++k)
      {
        // Little-endian whatever the host: byte k of the value's integer representation.
        buffer[i * size + k] = raw[IsLittleEndianHost() ? k : size - 1 - k];
      }
      ++m_Index;
      m_P = (m_P + SampleModulo256(value) * static_cast<unsigned>(m_Index & 0xFFu)) & 0xFFu;
    }
    UpdateBytes(buffer, n * size);
    done += n;
  }
}

} // namespace medcrypt

#endif
