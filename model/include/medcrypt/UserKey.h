#ifndef medcrypt_UserKey_h
#define medcrypt_UserKey_h

#include <array>
#include <cstdint>
#include <string>

namespace medcrypt
{

/** The user key of the paper (Eq. 2): four 64-bit words b1..b4 and the logistic parameter mu.
 *
 * The words are wiped with OPENSSL_cleanse when the object dies. A key never comes from the command
 * line itself: it is read from a key file (mode 0600, see LoadUserKeyFile) or stretched from a
 * passphrase held in an environment variable (UserKeyFromPassphrase). */
struct UserKey
{
  static constexpr double DefaultMu = 3.99;
  static constexpr int DefaultBurnIn = 1000;
  static constexpr double MinimumMu = 3.5699;
  static constexpr double MaximumMu = 4.0;

  std::array<std::uint64_t, 4> b{};
  double mu = DefaultMu;
  int burnIn = DefaultBurnIn;

  UserKey() = default;
  UserKey(const UserKey &) = default;
  UserKey &
  operator=(const UserKey &) = default;
  ~UserKey();

  /** b1..b4 as 32 big-endian bytes (the input keying material of the hardened schedule). */
  std::array<std::uint8_t, 32>
  Bytes() const;

  /** Throws UserError when mu or burnIn are out of range. */
  void
  Validate() const;
};

/** A fresh key: b1..b4 from OpenSSL's RAND_bytes, default mu and burn-in. */
UserKey
GenerateUserKey();

/** Serialises to the JSON key-file format of docs/format.md:
 * {"format": "medcrypt-key", "version": 1, "b": ["<16 hex>" x4], "mu": 3.99, "burn_in": 1000}. */
std::string
UserKeyToJson(const UserKey & key);

/** Parses the JSON key-file format; `origin` names the file in error messages. */
UserKey
UserKeyFromJson(const std::string & text, const std::string & origin);

/** Writes a new key file with mode 0600. Refuses to replace an existing file unless overwrite is set.
 * The file is written under a temporary name and renamed, so a failure leaves nothing behind. */
void
SaveUserKeyFile(const UserKey & key, const std::string & path, bool overwrite = false);

/** Reads a key file. Refuses (UserError) a file that group or others may read or write, a file that
 * is not a medcrypt key, and a key with mu or burn-in out of range. */
UserKey
LoadUserKeyFile(const std::string & path);

/** Stretches a passphrase into b1..b4 with scrypt (N = 2^15, r = 8, p = 1, fixed salt
 * "medcrypt/passphrase/v1"); mu and burn-in take their defaults. */
UserKey
UserKeyFromPassphrase(const std::string & passphrase);

/** Reads the passphrase from the environment variable `variable` and stretches it. */
UserKey
UserKeyFromEnvironment(const std::string & variable);

} // namespace medcrypt

#endif
