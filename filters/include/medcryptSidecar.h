#ifndef medcryptSidecar_h
#define medcryptSidecar_h

// The sidecar file that carries the cipher header and the exact envelope next to a ciphertext image
// written in a format without room for them (MHA, NRRD, NIfTI, PNG): `<ciphertext file>.medcrypt`.
// Container (docs/format.md, "Sidecar file"): magic "MEDCRYPT-SIDECAR", uint32 version 1, uint32
// length + header bytes, uint32 length + envelope bytes (0: no envelope); integers little-endian.

#include "medcrypt/ByteView.h"
#include "medcrypt/Error.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <system_error>
#include <unistd.h>
#include <vector>

namespace medcrypt
{

/** The 16 bytes a sidecar starts with: the ASCII text "MEDCRYPT-SIDECAR" (no terminator). */
inline constexpr std::array<std::uint8_t, 16> SidecarMagic = { 'M', 'E', 'D', 'C', 'R', 'Y', 'P', 'T',
                                                               '-', 'S', 'I', 'D', 'E', 'C', 'A', 'R' };
/** The sidecar container version written and read. */
inline constexpr std::uint32_t SidecarVersion = 1;

/** What a sidecar holds: the sealed cipher header (never empty) and the exact envelope (empty: none). */
struct CipherSidecar
{
  std::vector<std::uint8_t> header;
  std::vector<std::uint8_t> envelope;
};

/** `<ciphertextPath>.medcrypt`. */
inline std::string
SidecarPathFor(const std::string & ciphertextPath)
{
  return ciphertextPath + ".medcrypt";
}

namespace sidecar_detail
{
inline void
AppendUInt32(std::vector<std::uint8_t> & out, std::uint32_t value)
{
  for (int i = 0; i < 4; ++i)
  {
    out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
  }
}

inline std::uint32_t
ReadUInt32(ByteView bytes, std::size_t offset)
{
  std::uint32_t value = 0;
  for (int i = 0; i < 4; ++i)
  {
    value |= static_cast<std::uint32_t>(bytes[offset + i]) << (8 * i);
  }
  return value;
}
} // namespace sidecar_detail

/** The sidecar container's bytes. Throws UserError when the header is empty or a part exceeds 4 GiB. */
inline std::vector<std::uint8_t>
EncodeSidecar(const CipherSidecar & sidecar)
{
  if (sidecar.header.empty())
  {
    throw UserError("a sidecar needs a cipher header");
  }
  if (sidecar.header.size() > UINT32_MAX || sidecar.envelope.size() > UINT32_MAX)
  {
    throw UserError("the cipher header or the exact envelope is larger than a sidecar holds (4 GiB)");
  }
  std::vector<std::uint8_t> out(SidecarMagic.begin(), SidecarMagic.end());
  out.reserve(28 + sidecar.header.size() + sidecar.envelope.size());
  sidecar_detail::AppendUInt32(out, SidecarVersion);
  sidecar_detail::AppendUInt32(out, static_cast<std::uint32_t>(sidecar.header.size()));
  out.insert(out.end(), sidecar.header.begin(), sidecar.header.end());
  sidecar_detail::AppendUInt32(out, static_cast<std::uint32_t>(sidecar.envelope.size()));
  out.insert(out.end(), sidecar.envelope.begin(), sidecar.envelope.end());
  return out;
}

/** Parses a sidecar container; `origin` names the file in errors. Refuses (UserError) another magic or
 * version, an empty header, a truncated container and bytes after its end. */
inline CipherSidecar
DecodeSidecar(ByteView bytes, const std::string & origin)
{
  const auto truncated = [&origin]()
  {
    return UserError(origin + ": the MedCrypt sidecar is truncated (copy it again from where the ciphertext was "
                              "written)");
  };
  if (bytes.size() < SidecarMagic.size() + 4 || !std::equal(SidecarMagic.begin(), SidecarMagic.end(), bytes.begin()))
  {
    if (bytes.size() < SidecarMagic.size() && std::equal(bytes.begin(), bytes.end(), SidecarMagic.begin()))
    {
      throw truncated();
    }
    throw UserError(origin + ": is not a MedCrypt sidecar (it does not start with \"MEDCRYPT-SIDECAR\")");
  }
  const std::uint32_t version = sidecar_detail::ReadUInt32(bytes, 16);
  if (version != SidecarVersion)
  {
    throw UserError(origin + ": MedCrypt sidecar version " + std::to_string(version) + " is not supported (this " +
                    "MedCrypt reads version " + std::to_string(SidecarVersion) + ")");
  }
  CipherSidecar sidecar;
  std::size_t offset = 20;
  for (auto * part : { &sidecar.header, &sidecar.envelope })
  {
    if (bytes.size() - offset < 4)
    {
      throw truncated();
    }
    const std::uint32_t length = sidecar_detail::ReadUInt32(bytes, offset);
    offset += 4;
    if (bytes.size() - offset < length)
    {
      throw truncated();
    }
    *part = bytes.Slice(offset, length).ToVector();
    offset += length;
  }
  if (offset != bytes.size())
  {
    throw UserError(origin + ": " + std::to_string(bytes.size() - offset) +
                    " unexpected bytes after the end of the MedCrypt sidecar: the file is damaged");
  }
  if (sidecar.header.empty())
  {
    throw UserError(origin + ": the MedCrypt sidecar holds no cipher header: the file is damaged");
  }
  return sidecar;
}

/** Throws UserError unless files can be created in the directory of `path`. */
inline void
CheckWritableDirectoryOf(const std::string & path)
{
  std::filesystem::path directory = std::filesystem::path(path).parent_path();
  if (directory.empty())
  {
    directory = ".";
  }
  std::error_code error;
  if (!std::filesystem::is_directory(directory, error) || ::access(directory.c_str(), W_OK | X_OK) != 0)
  {
    throw UserError("cannot write " + path + ": the directory " + directory.string() +
                    " does not exist or is not writable; create it or choose another output");
  }
}

/** A temporary name next to `path` that keeps its file name (and so its extension, which tells ITK the
 * format): "<directory>/.medcrypt-partial-<pid>-<name>". */
inline std::string
TemporaryPathFor(const std::string & path)
{
  const std::filesystem::path target(path);
  return (target.parent_path() / (".medcrypt-partial-" + std::to_string(::getpid()) + "-" + target.filename().string()))
    .string();
}

/** Writes bytes to a file (created or truncated); throws UserError naming the file on failure. */
inline void
WriteBytesFile(const std::string & path, ByteView bytes)
{
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char *>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  out.flush();
  if (!out)
  {
    std::remove(path.c_str());
    throw UserError("cannot write " + path + ": check the free space and permissions of its directory");
  }
}

/** Writes the sidecar under a temporary name and renames it to `path`: never a partial file. */
inline void
WriteSidecarFile(const CipherSidecar & sidecar, const std::string & path)
{
  CheckWritableDirectoryOf(path);
  const std::string temporary = TemporaryPathFor(path);
  WriteBytesFile(temporary, EncodeSidecar(sidecar));
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error)
  {
    std::filesystem::remove(temporary, error);
    throw UserError("cannot write " + path + " (renaming the temporary file failed)");
  }
}

/** Reads and parses a sidecar file; UserError naming the file when it is missing or not a sidecar. */
inline CipherSidecar
ReadSidecarFile(const std::string & path)
{
  std::ifstream in(path, std::ios::binary);
  if (!in)
  {
    throw UserError(path + ": cannot read the MedCrypt sidecar (it holds the cipher header and is written next to "
                           "the ciphertext as <ciphertext>.medcrypt)");
  }
  const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return DecodeSidecar(bytes, path);
}

} // namespace medcrypt

#endif
