#include "ConversionJournal.h"

#include "AtomicFileWriter.h"

#include "medcrypt/Error.h"

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>

namespace medcrypt::dicom
{

namespace fs = std::filesystem;

namespace
{

std::int64_t
ModifiedNanoseconds(const struct stat & info)
{
  return static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1000000000LL + info.st_mtim.tv_nsec;
}

JournalEntry
EntryFromJson(const nlohmann::json & json)
{
  JournalEntry entry;
  entry.inputPath = json.at("input").get<std::string>();
  entry.input.size = json.at("input_size").get<std::uint64_t>();
  entry.input.modifiedNanoseconds = json.at("input_mtime_ns").get<std::int64_t>();
  entry.input.sha256 = json.at("input_sha256").get<std::string>();
  entry.outputPath = json.at("output").get<std::string>();
  entry.status = json.at("status").get<std::string>();
  entry.message = json.value("message", std::string());
  return entry;
}

} // namespace

ConversionJournal::ConversionJournal(const fs::path & outputRoot)
  : m_OutputRoot(outputRoot)
  , m_Path(outputRoot / JournalFileName)
{
  AtomicFileWriter::EnsureWritableDirectory(outputRoot);
  std::string text;
  {
    std::ifstream in(m_Path, std::ios::binary);
    if (in)
    {
      text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
  }
  const auto lastNewline = text.rfind('\n');
  const std::size_t complete = lastNewline == std::string::npos ? 0 : lastNewline + 1;
  if (complete < text.size())
  {
    // An interrupted append: drop the incomplete last line so the next entry starts on a fresh line.
    if (::truncate(m_Path.c_str(), static_cast<off_t>(complete)) != 0)
    {
      throw UserError(m_Path.string() + ": cannot repair the journal's incomplete last line (" + std::strerror(errno) +
                      ")");
    }
    text.resize(complete);
  }
  std::size_t start = 0;
  std::size_t lineNumber = 0;
  while (start < text.size())
  {
    const std::size_t end = text.find('\n', start);
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    ++lineNumber;
    if (line.empty())
    {
      continue;
    }
    try
    {
      JournalEntry entry = EntryFromJson(nlohmann::json::parse(line));
      m_Latest[entry.inputPath] = std::move(entry);
    }
    catch (const nlohmann::json::exception & error)
    {
      throw UserError(m_Path.string() + ": line " + std::to_string(lineNumber) + " is not a medcrypt journal entry (" +
                      error.what() + "); remove the file to start the run afresh");
    }
  }
  const int descriptor = ::open(m_Path.c_str(), O_WRONLY | O_APPEND | O_CREAT, 0644);
  if (descriptor < 0)
  {
    throw UserError(m_Path.string() + ": cannot create the journal (" + std::strerror(errno) +
                    "): check permissions of the output directory");
  }
  ::close(descriptor);
}

InputFingerprint
ConversionJournal::Fingerprint(const fs::path & file)
{
  InputFingerprint fingerprint;
  struct stat info
  {
  };
  if (::stat(file.c_str(), &info) != 0)
  {
    throw UserError(file.string() + ": cannot read the file's size and time (" + std::strerror(errno) + ")");
  }
  fingerprint.size = static_cast<std::uint64_t>(info.st_size);
  fingerprint.modifiedNanoseconds = ModifiedNanoseconds(info);
  std::ifstream in(file, std::ios::binary);
  if (!in)
  {
    throw UserError(file.string() + ": cannot open the file for reading");
  }
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr);
  std::array<char, 1 << 16> buffer{};
  while (in)
  {
    in.read(buffer.data(), buffer.size());
    EVP_DigestUpdate(context.get(), buffer.data(), static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad())
  {
    throw UserError(file.string() + ": read error while hashing the file");
  }
  std::array<unsigned char, 32> digest{};
  unsigned int length = 0;
  EVP_DigestFinal_ex(context.get(), digest.data(), &length);
  static const char * hex = "0123456789abcdef";
  for (unsigned char byte : digest)
  {
    fingerprint.sha256.push_back(hex[byte >> 4]);
    fingerprint.sha256.push_back(hex[byte & 15]);
  }
  return fingerprint;
}

bool
ConversionJournal::IsDone(const std::string & inputPath, const fs::path & inputFile) const
{
  const auto found = m_Latest.find(inputPath);
  if (found == m_Latest.end() || found->second.status != "done")
  {
    return false;
  }
  const JournalEntry & entry = found->second;
  struct stat info
  {
  };
  if (::stat(inputFile.c_str(), &info) != 0 || static_cast<std::uint64_t>(info.st_size) != entry.input.size ||
      ModifiedNanoseconds(info) != entry.input.modifiedNanoseconds)
  {
    return false;
  }
  std::error_code error;
  if (!fs::is_regular_file(m_OutputRoot / entry.outputPath, error))
  {
    return false;
  }
  return Fingerprint(inputFile).sha256 == entry.input.sha256;
}

void
ConversionJournal::Record(const JournalEntry & entry)
{
  const nlohmann::json json = { { "input", entry.inputPath },
                                { "input_size", entry.input.size },
                                { "input_mtime_ns", entry.input.modifiedNanoseconds },
                                { "input_sha256", entry.input.sha256 },
                                { "output", entry.outputPath },
                                { "status", entry.status },
                                { "message", entry.message } };
  const std::string line = json.dump() + "\n";
  const int descriptor = ::open(m_Path.c_str(), O_WRONLY | O_APPEND | O_CREAT, 0644);
  if (descriptor < 0)
  {
    throw UserError(m_Path.string() + ": cannot open the journal (" + std::strerror(errno) + ")");
  }
  const ssize_t written = ::write(descriptor, line.data(), line.size());
  const bool synced = written == static_cast<ssize_t>(line.size()) && ::fsync(descriptor) == 0;
  ::close(descriptor);
  if (!synced)
  {
    throw UserError(m_Path.string() + ": cannot append to the journal (disk full?)");
  }
  m_Latest[entry.inputPath] = entry;
}

} // namespace medcrypt::dicom
