#include "DicomUid.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <stdexcept>

namespace medcrypt::dicom
{

std::string
UnsignedDecimal128(const std::array<std::uint8_t, 16> & bigEndian)
{
  // Four 32-bit limbs, most significant first; repeated long division by 10 (each step's partial
  // remainder * 2^32 + limb fits in 64 bits because the remainder is < 10).
  std::array<std::uint32_t, 4> limbs{};
  for (std::size_t i = 0; i < 4; ++i)
  {
    limbs[i] = (std::uint32_t{ bigEndian[4 * i] } << 24) | (std::uint32_t{ bigEndian[4 * i + 1] } << 16) |
               (std::uint32_t{ bigEndian[4 * i + 2] } << 8) | std::uint32_t{ bigEndian[4 * i + 3] };
  }
  std::string digits;
  auto isZero = [&limbs] { return std::all_of(limbs.begin(), limbs.end(), [](std::uint32_t l) { return l == 0; }); };
  while (!isZero())
  {
    std::uint64_t remainder = 0;
    for (auto & limb : limbs)
    {
      const std::uint64_t current = (remainder << 32) | limb;
      limb = static_cast<std::uint32_t>(current / 10);
      remainder = current % 10;
    }
    digits.push_back(static_cast<char>('0' + remainder));
  }
  if (digits.empty())
  {
    return "0";
  }
  std::reverse(digits.begin(), digits.end());
  return digits;
}

std::string
DeriveUid(ByteView secret, std::string_view originalUid)
{
  if (secret.empty())
  {
    throw std::invalid_argument("DeriveUid: the secret is empty");
  }
  while (!originalUid.empty() && (originalUid.back() == '\0' || originalUid.back() == ' '))
  {
    originalUid.remove_suffix(1);
  }
  while (!originalUid.empty() && originalUid.front() == ' ')
  {
    originalUid.remove_prefix(1);
  }
  std::array<std::uint8_t, EVP_MAX_MD_SIZE> mac{};
  unsigned int macLength = 0;
  if (HMAC(EVP_sha256(),
           secret.data(),
           static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char *>(originalUid.data()),
           originalUid.size(),
           mac.data(),
           &macLength) == nullptr ||
      macLength != 32)
  {
    throw std::runtime_error("DeriveUid: HMAC-SHA256 failed in OpenSSL");
  }
  std::array<std::uint8_t, 16> first{};
  std::copy(mac.begin(), mac.begin() + 16, first.begin());
  return "2.25." + UnsignedDecimal128(first);
}

bool
IsValidUid(std::string_view uid)
{
  if (uid.empty() || uid.size() > 64)
  {
    return false;
  }
  std::size_t start = 0;
  while (true)
  {
    const std::size_t dot = uid.find('.', start);
    const std::string_view component =
      uid.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (component.empty() ||
        !std::all_of(component.begin(), component.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
        (component.size() > 1 && component.front() == '0'))
    {
      return false;
    }
    if (dot == std::string_view::npos)
    {
      return true;
    }
    start = dot + 1;
  }
}

} // namespace medcrypt::dicom
