#ifndef medcrypt_ByteView_h
#define medcrypt_ByteView_h

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace medcrypt
{

/** A read-only view of contiguous bytes (C++17 has no std::span). It does not own the bytes: the
 * container it was made from must outlive it. */
class ByteView
{
public:
  constexpr ByteView() = default;

  /** `size` bytes starting at `data` (data may be null when size is 0). */
  constexpr ByteView(const std::uint8_t * data, std::size_t size)
    : m_Data(data)
    , m_Size(size)
  {
  }

  /** The bytes of a vector. */
  ByteView(const std::vector<std::uint8_t> & bytes)
    : m_Data(bytes.data())
    , m_Size(bytes.size())
  {
  }

  /** The bytes of an array. */
  template<std::size_t N>
  constexpr ByteView(const std::array<std::uint8_t, N> & bytes)
    : m_Data(bytes.data())
    , m_Size(N)
  {
  }

  /** The bytes of a string (its characters as unsigned bytes, no terminator). */
  static ByteView
  FromString(std::string_view text)
  {
    return ByteView(reinterpret_cast<const std::uint8_t *>(text.data()), text.size());
  }

  constexpr const std::uint8_t *
  data() const
  {
    return m_Data;
  }
  constexpr std::size_t
  size() const
  {
    return m_Size;
  }
  constexpr bool
  empty() const
  {
    return m_Size == 0;
  }
  constexpr const std::uint8_t *
  begin() const
  {
    return m_Data;
  }
  constexpr const std::uint8_t *
  end() const
  {
    return m_Data + m_Size;
  }
  constexpr std::uint8_t
  operator[](std::size_t i) const
  {
    return m_Data[i];
  }

  /** The bytes [offset, offset + count); the caller keeps offset + count <= size(). */
  constexpr ByteView
  Slice(std::size_t offset, std::size_t count) const
  {
    return ByteView(m_Data + offset, count);
  }

  /** A copy of the bytes. */
  std::vector<std::uint8_t>
  ToVector() const
  {
    return std::vector<std::uint8_t>(begin(), end());
  }

private:
  const std::uint8_t * m_Data = nullptr;
  std::size_t m_Size = 0;
};

} // namespace medcrypt

#endif
