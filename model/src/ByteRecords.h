#ifndef medcrypt_ByteRecords_h
#define medcrypt_ByteRecords_h

// Little-endian binary records for MedCrypt's containers (private to model/src).

#include "medcrypt/ByteView.h"
#include "medcrypt/Error.h"

#include <cstddef>
#include <cstdint>
#include <array>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace medcrypt::detail
{

/** Appends little-endian fields to a byte vector. */
class ByteWriter
{
public:
  void
  U8(std::uint8_t value)
  {
    m_Bytes.push_back(value);
  }
  void
  U32(std::uint32_t value)
  {
    for (int i = 0; i < 4; ++i)
    {
      m_Bytes.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
    }
  }
  /** IEEE 754 binary32, its bits little-endian (NaN payloads and -0 kept). */
  void
  F32(float value)
  {
    std::uint32_t bits = 0;
    std::memcpy(&bits, &value, sizeof(bits));
    U32(bits);
  }
  void
  Bytes(ByteView bytes)
  {
    m_Bytes.insert(m_Bytes.end(), bytes.begin(), bytes.end());
  }
  std::vector<std::uint8_t> &
  Result()
  {
    return m_Bytes;
  }

private:
  std::vector<std::uint8_t> m_Bytes;
};

/** Reads little-endian fields from a byte view; every read that would pass the end throws
 * UserError(origin + ": " + what the caller says about truncation). */
class ByteReader
{
public:
  ByteReader(ByteView bytes, std::string origin, std::string truncatedMessage)
    : m_Bytes(bytes)
    , m_Origin(std::move(origin))
    , m_Truncated(std::move(truncatedMessage))
  {
  }

  std::size_t
  Remaining() const
  {
    return m_Bytes.size() - m_Position;
  }
  std::size_t
  Position() const
  {
    return m_Position;
  }

  /** Throws unless `count` more bytes are there. */
  void
  Require(std::size_t count, const std::string & field) const
  {
    if (count > Remaining())
    {
      throw UserError(m_Origin + ": " + m_Truncated + " (" + field + " needs " + std::to_string(count) +
                      " bytes at offset " + std::to_string(m_Position) + ", " + std::to_string(Remaining()) +
                      " are left)");
    }
  }

  std::uint8_t
  U8(const std::string & field)
  {
    Require(1, field);
    return m_Bytes[m_Position++];
  }
  std::uint32_t
  U32(const std::string & field)
  {
    Require(4, field);
    std::uint32_t value = 0;
    for (int i = 0; i < 4; ++i)
    {
      value |= std::uint32_t{ m_Bytes[m_Position + i] } << (8 * i);
    }
    m_Position += 4;
    return value;
  }
  float
  F32(const std::string & field)
  {
    const std::uint32_t bits = U32(field);
    float value = 0.0f;
    std::memcpy(&value, &bits, sizeof(value));
    return value;
  }
  ByteView
  Bytes(std::size_t count, const std::string & field)
  {
    Require(count, field);
    const ByteView view = m_Bytes.Slice(m_Position, count);
    m_Position += count;
    return view;
  }
  template<std::size_t N>
  void
  Into(std::array<std::uint8_t, N> & out, const std::string & field)
  {
    const ByteView view = Bytes(N, field);
    std::memcpy(out.data(), view.data(), N);
  }

private:
  ByteView m_Bytes;
  std::size_t m_Position = 0;
  std::string m_Origin;
  std::string m_Truncated;
};

} // namespace medcrypt::detail

#endif
