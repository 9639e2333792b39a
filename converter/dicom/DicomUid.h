#ifndef medcrypt_DicomUid_h
#define medcrypt_DicomUid_h

#include "medcrypt/ByteView.h"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace medcrypt::dicom
{

/** The decimal digits of a 128-bit unsigned integer given as 16 big-endian bytes, without leading
 * zeros ("0" for zero). At most 39 digits. */
std::string
UnsignedDecimal128(const std::array<std::uint8_t, 16> & bigEndian);

/** The deterministic replacement of a DICOM UID (scheme section 6):
 * "2.25." + UnsignedDecimal128(first 16 bytes of HMAC-SHA256(secret, originalUid)). The secret is a
 * key-derived 32-byte value (DeriveSubkey(key, UidKeyInfo)); the same secret and UID always give the
 * same result, and without the secret the result cannot be linked to the original. The UID bytes are
 * the value as DICOM stores it, without trailing padding (NUL or space) and surrounding spaces. The
 * result has at most 44 characters (a valid UID: digits and dots, no leading zero in a component).
 * Throws std::invalid_argument for an empty secret. */
std::string
DeriveUid(ByteView secret, std::string_view originalUid);

/** True when `uid` is a syntactically valid DICOM UID: 1 to 64 characters, components of digits
 * separated by single dots, no component with a leading zero (except "0" itself). */
bool
IsValidUid(std::string_view uid);

} // namespace medcrypt::dicom

#endif
