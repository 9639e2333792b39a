#include "medcrypt/UserKey.h"

#include "medcrypt/Error.h"

#include <nlohmann/json.hpp>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace medcrypt
{

UserKey::~UserKey()
{
  OPENSSL_cleanse(b.data(), sizeof(b));
}

std::array<std::uint8_t, 32>
UserKey::Bytes() const
{
  std::array<std::uint8_t, 32> bytes{};
  for (int k = 0; k < 4; ++k)
  {
    for (int i = 0; i < 8; ++i)
    {
      bytes[8 * k + i] = static_cast<std::uint8_t>(b[k] >> (56 - 8 * i));
    }
  }
  return bytes;
}

void
UserKey::Validate() const
{
  if (!(mu >= MinimumMu && mu <= MaximumMu))
  {
    throw UserError("logistic parameter mu = " + std::to_string(mu) +
                    " is outside [3.5699, 4]: the map is not chaotic there");
  }
  if (burnIn < 0 || burnIn > 1000000)
  {
    throw UserError("burn_in = " + std::to_string(burnIn) + " must lie in [0, 1000000]");
  }
}

UserKey
GenerateUserKey()
{
  UserKey key;
  if (RAND_bytes(reinterpret_cast<unsigned char *>(key.b.data()), sizeof(key.b)) != 1)
  {
    throw std::runtime_error("OpenSSL RAND_bytes failed: the system has no usable random source");
  }
  return key;
}

namespace
{

std::string
WordToHex(std::uint64_t word)
{
  char text[17];
  std::snprintf(text, sizeof(text), "%016llx", static_cast<unsigned long long>(word));
  std::string hex(text);
  OPENSSL_cleanse(text, sizeof(text));
  return hex;
}

std::uint64_t
WordFromHex(const std::string & hex, const std::string & origin)
{
  if (hex.size() != 16 || hex.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
  {
    throw UserError(origin + ": each entry of \"b\" must be 16 hexadecimal digits");
  }
  return std::strtoull(hex.c_str(), nullptr, 16);
}

} // namespace

std::string
UserKeyToJson(const UserKey & key)
{
  nlohmann::ordered_json json;
  json["format"] = "medcrypt-key";
  json["version"] = 1;
  json["b"] = nlohmann::json::array();
  for (auto word : key.b)
  {
    json["b"].push_back(WordToHex(word));
  }
  json["mu"] = key.mu;
  json["burn_in"] = key.burnIn;
  return json.dump(2) + "\n";
}

UserKey
UserKeyFromJson(const std::string & text, const std::string & origin)
{
  nlohmann::json json;
  try
  {
    json = nlohmann::json::parse(text);
  }
  catch (const nlohmann::json::exception &)
  {
    throw UserError(origin + ": not a medcrypt key file (not JSON); create one with 'medcrypt keygen --out FILE'");
  }
  if (!json.is_object() || json.value("format", "") != "medcrypt-key")
  {
    throw UserError(
      origin +
      ": not a medcrypt key file (no \"format\": \"medcrypt-key\"); create one with 'medcrypt keygen --out FILE'");
  }
  if (json.value("version", 0) != 1)
  {
    throw UserError(origin + ": key file version " + json.value("version", nlohmann::json()).dump() +
                    " is not supported by this medcrypt (it reads version 1)");
  }
  const auto & words = json["b"];
  if (!words.is_array() || words.size() != 4)
  {
    throw UserError(origin + ": \"b\" must be a list of four 16-digit hexadecimal words");
  }
  UserKey key;
  for (int k = 0; k < 4; ++k)
  {
    if (!words[k].is_string())
    {
      throw UserError(origin + ": each entry of \"b\" must be a string of 16 hexadecimal digits");
    }
    key.b[k] = WordFromHex(words[k].get<std::string>(), origin);
  }
  try
  {
    key.mu = json.value("mu", UserKey::DefaultMu);
    key.burnIn = json.value("burn_in", UserKey::DefaultBurnIn);
  }
  catch (const nlohmann::json::exception &)
  {
    throw UserError(origin + ": \"mu\" must be a number and \"burn_in\" an integer");
  }
  try
  {
    key.Validate();
  }
  catch (const UserError & error)
  {
    throw UserError(origin + ": " + error.what());
  }
  return key;
}

void
SaveUserKeyFile(const UserKey & key, const std::string & path, bool overwrite)
{
  struct stat info;
  if (!overwrite && ::stat(path.c_str(), &info) == 0)
  {
    throw UserError(path + ": file exists; refusing to replace a key (ciphertexts made with it would be lost). "
                           "Choose another name or pass --overwrite");
  }
  const std::string temporary = path + ".tmp-" + std::to_string(::getpid());
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
  {
    throw UserError(path + ": cannot create the key file (" + std::strerror(errno) +
                    "); check that the directory exists and is writable");
  }
  std::string text = UserKeyToJson(key);
  bool ok = ::fchmod(fd, 0600) == 0;
  std::size_t written = 0;
  while (ok && written < text.size())
  {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    ok = n > 0;
    written += ok ? static_cast<std::size_t>(n) : 0;
  }
  ok = ok && ::fsync(fd) == 0;
  ok = (::close(fd) == 0) && ok;
  OPENSSL_cleanse(text.data(), text.size());
  if (!ok || ::rename(temporary.c_str(), path.c_str()) != 0)
  {
    const std::string reason = std::strerror(errno);
    ::unlink(temporary.c_str());
    throw UserError(path + ": cannot write the key file (" + reason + ")");
  }
}

UserKey
LoadUserKeyFile(const std::string & path)
{
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
  {
    throw UserError(path + ": cannot open the key file (" + std::strerror(errno) + ")");
  }
  struct stat info;
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode))
  {
    ::close(fd);
    throw UserError(path + ": not a regular file; a key file is a small JSON file made by 'medcrypt keygen'");
  }
  if ((info.st_mode & 077) != 0)
  {
    ::close(fd);
    std::ostringstream mode;
    mode << std::oct << (info.st_mode & 0777);
    throw UserError(path + ": key file has mode 0" + mode.str() +
                    " and can be read or changed by other users; refusing to use it. Run 'chmod 600 " + path +
                    "' (and consider the key exposed if others could read it)");
  }
  if (info.st_size > 65536)
  {
    ::close(fd);
    throw UserError(path + ": too large for a medcrypt key file");
  }
  std::string text(static_cast<std::size_t>(info.st_size), '\0');
  std::size_t done = 0;
  while (done < text.size())
  {
    const ssize_t n = ::read(fd, text.data() + done, text.size() - done);
    if (n <= 0)
    {
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  text.resize(done);
  try
  {
    UserKey key = UserKeyFromJson(text, path);
    OPENSSL_cleanse(text.data(), text.size());
    return key;
  }
  catch (...)
  {
    OPENSSL_cleanse(text.data(), text.size());
    throw;
  }
}

UserKey
UserKeyFromPassphrase(const std::string & passphrase)
{
  if (passphrase.size() < 8)
  {
    throw UserError("the passphrase is shorter than 8 characters; use a long passphrase or a key file");
  }
  static const char salt[] = "medcrypt/passphrase/v1";
  std::uint8_t out[32];
  if (EVP_PBE_scrypt(passphrase.data(),
                     passphrase.size(),
                     reinterpret_cast<const unsigned char *>(salt),
                     sizeof(salt) - 1,
                     1u << 15,
                     8,
                     1,
                     64ull << 20,
                     out,
                     sizeof(out)) != 1)
  {
    throw std::runtime_error("OpenSSL scrypt failed");
  }
  UserKey key;
  for (int k = 0; k < 4; ++k)
  {
    std::uint64_t word = 0;
    for (int i = 0; i < 8; ++i)
    {
      word = (word << 8) | out[8 * k + i];
    }
    key.b[k] = word;
  }
  OPENSSL_cleanse(out, sizeof(out));
  return key;
}

UserKey
UserKeyFromEnvironment(const std::string & variable)
{
  const char * value = std::getenv(variable.c_str());
  if (value == nullptr || *value == '\0')
  {
    throw UserError("environment variable " + variable + " is not set or empty; it must hold the passphrase");
  }
  return UserKeyFromPassphrase(value);
}

} // namespace medcrypt
