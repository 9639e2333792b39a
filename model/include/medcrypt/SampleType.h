#ifndef medcrypt_SampleType_h
#define medcrypt_SampleType_h

#include "medcrypt/Error.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

namespace medcrypt
{

/** The scalar types MedCrypt stores samples in (docs/format.md names them in lower case). The
 * numeric values are part of binary formats (the lossless codec container): never renumber. */
enum class SampleType : std::uint8_t
{
  UInt8 = 1,
  Int8 = 2,
  UInt16 = 3,
  Int16 = 4,
  UInt32 = 5,
  Int32 = 6,
  Float32 = 7,
  Float64 = 8
};

/** "uint8", "int8", "uint16", "int16", "uint32", "int32", "float32" or "float64". */
constexpr std::string_view
ToString(SampleType type)
{
  switch (type)
  {
    case SampleType::UInt8:
      return "uint8";
    case SampleType::Int8:
      return "int8";
    case SampleType::UInt16:
      return "uint16";
    case SampleType::Int16:
      return "int16";
    case SampleType::UInt32:
      return "uint32";
    case SampleType::Int32:
      return "int32";
    case SampleType::Float32:
      return "float32";
    case SampleType::Float64:
      return "float64";
  }
  return "unknown";
}

/** True when `code` is the numeric value of a SampleType. */
constexpr bool
IsSampleTypeCode(unsigned code)
{
  return code >= 1 && code <= 8;
}

/** Parses a name written by ToString; `origin` names the file in the UserError thrown otherwise. */
inline SampleType
SampleTypeFromString(std::string_view name, const std::string & origin)
{
  for (unsigned code = 1; code <= 8; ++code)
  {
    const auto type = static_cast<SampleType>(code);
    if (ToString(type) == name)
    {
      return type;
    }
  }
  throw UserError(origin + ": unknown sample type \"" + std::string(name) +
                  "\" (expected uint8, int8, uint16, int16, uint32, int32, float32 or float64); the file was written "
                  "by a newer MedCrypt or is damaged");
}

/** Bytes per sample: 1, 2, 4 or 8. */
constexpr std::size_t
SampleSize(SampleType type)
{
  switch (type)
  {
    case SampleType::UInt8:
    case SampleType::Int8:
      return 1;
    case SampleType::UInt16:
    case SampleType::Int16:
      return 2;
    case SampleType::UInt32:
    case SampleType::Int32:
    case SampleType::Float32:
      return 4;
    case SampleType::Float64:
      return 8;
  }
  return 0;
}

/** True for the integer types. */
constexpr bool
IsIntegerSampleType(SampleType type)
{
  return type != SampleType::Float32 && type != SampleType::Float64;
}

/** True for int8, int16 and int32. */
constexpr bool
IsSignedIntegerSampleType(SampleType type)
{
  return type == SampleType::Int8 || type == SampleType::Int16 || type == SampleType::Int32;
}

/** The SampleType of a C++ scalar type (char types by signedness and size; float and double). */
template<typename T>
constexpr SampleType
SampleTypeOf()
{
  static_assert(std::is_arithmetic_v<T> && !std::is_same_v<T, bool>, "samples are scalars");
  if constexpr (std::is_same_v<T, float>)
  {
    return SampleType::Float32;
  }
  else if constexpr (std::is_same_v<T, double>)
  {
    return SampleType::Float64;
  }
  else
  {
    static_assert(std::is_integral_v<T> && sizeof(T) <= 4, "64-bit and long double samples are not supported");
    if constexpr (sizeof(T) == 1)
    {
      return std::is_signed_v<T> ? SampleType::Int8 : SampleType::UInt8;
    }
    else if constexpr (sizeof(T) == 2)
    {
      return std::is_signed_v<T> ? SampleType::Int16 : SampleType::UInt16;
    }
    else
    {
      return std::is_signed_v<T> ? SampleType::Int32 : SampleType::UInt32;
    }
  }
}

} // namespace medcrypt

#endif
