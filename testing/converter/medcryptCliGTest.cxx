// The medcrypt command line: exit statuses, messages and files for good and bad input.
#include "CliTestSupport.h"

#include <gtest/gtest.h>

#include <sys/stat.h>

namespace
{

using medcrypt::testing::Contains;
using medcrypt::testing::RunMedcrypt;
using medcrypt::testing::TemporaryDirectory;

TEST(Cli, UsageListsCommandsAndUnknownCommandFails)
{
  const auto help = RunMedcrypt("--help");
  EXPECT_EQ(help.status, 0);
  EXPECT_TRUE(Contains(help.output, "keygen"));
  const auto unknown = RunMedcrypt("frobnicate");
  EXPECT_NE(unknown.status, 0);
  EXPECT_TRUE(Contains(unknown.errors, "unknown command 'frobnicate'"));
}

TEST(Cli, EveryCommandHasHelp)
{
  const auto usage = RunMedcrypt("--help").output;
  const std::string marker = "commands:\n";
  std::size_t at = usage.find(marker);
  ASSERT_NE(at, std::string::npos);
  at += marker.size();
  int checked = 0;
  while (at < usage.size() && usage.compare(at, 2, "  ") == 0)
  {
    const std::size_t start = at + 2;
    const std::string name = usage.substr(start, usage.find(' ', start) - start);
    const auto result = RunMedcrypt(name + " --help");
    EXPECT_EQ(result.status, 0) << name;
    EXPECT_TRUE(Contains(result.output, "usage: medcrypt " + name)) << name << ": " << result.output;
    ++checked;
    at = usage.find('\n', at) + 1;
  }
  EXPECT_GE(checked, 2);
}

TEST(Cli, KeygenWritesMode0600AndRefusesToReplace)
{
  TemporaryDirectory directory;
  const auto key = directory / "user.key";
  const auto first = RunMedcrypt("keygen --out " + key);
  ASSERT_EQ(first.status, 0) << first.errors;
  struct stat info;
  ASSERT_EQ(stat(key.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  const auto second = RunMedcrypt("keygen --out " + key);
  EXPECT_NE(second.status, 0);
  EXPECT_TRUE(Contains(second.errors, key)) << second.errors;
  EXPECT_TRUE(Contains(second.errors, "exists")) << second.errors;
}

TEST(Cli, KeyFileReadableByOthersIsRefusedWithTheReason)
{
  TemporaryDirectory directory;
  const auto key = directory / "user.key";
  const auto image = directory / "ramp.mha";
  medcrypt::testing::WriteRampImage(image, 20, 12);
  ASSERT_EQ(RunMedcrypt("keygen --out " + key).status, 0);
  ASSERT_EQ(RunMedcrypt("keys --key " + key + " " + image).status, 0);
  ASSERT_EQ(chmod(key.c_str(), 0644), 0);
  const auto result = RunMedcrypt("keys --key " + key + " " + image);
  EXPECT_NE(result.status, 0);
  EXPECT_TRUE(Contains(result.errors, key)) << result.errors;
  EXPECT_TRUE(Contains(result.errors, "mode 0644")) << result.errors;
  EXPECT_TRUE(Contains(result.errors, "chmod 600")) << result.errors;
  EXPECT_TRUE(result.output.empty());
}

TEST(Cli, KeyNeverComesFromTheCommandLine)
{
  TemporaryDirectory directory;
  const auto image = directory / "ramp.mha";
  medcrypt::testing::WriteRampImage(image, 20, 12);
  const auto missing = RunMedcrypt("keys " + image);
  EXPECT_NE(missing.status, 0);
  EXPECT_TRUE(Contains(missing.errors, "--key FILE or --key-env VAR")) << missing.errors;
  // A passphrase comes through an environment variable named on the command line.
  const auto fromEnvironment =
    RunMedcrypt("keys --key-env MEDCRYPT_TEST_PASS --json " + image, "MEDCRYPT_TEST_PASS='a long test passphrase'");
  EXPECT_EQ(fromEnvironment.status, 0) << fromEnvironment.errors;
  EXPECT_FALSE(Contains(fromEnvironment.output, "a long test passphrase"));
  const auto unset = RunMedcrypt("keys --key-env MEDCRYPT_TEST_UNSET " + image);
  EXPECT_NE(unset.status, 0);
  EXPECT_TRUE(Contains(unset.errors, "MEDCRYPT_TEST_UNSET")) << unset.errors;
}

TEST(Cli, BadInputFilesGetOneClearMessage)
{
  TemporaryDirectory directory;
  const auto key = directory / "user.key";
  ASSERT_EQ(RunMedcrypt("keygen --out " + key).status, 0);

  const auto missingImage = RunMedcrypt("keys --key " + key + " " + (directory / "absent.mha"));
  EXPECT_NE(missingImage.status, 0);
  EXPECT_TRUE(Contains(missingImage.errors, "absent.mha")) << missingImage.errors;
  EXPECT_TRUE(Contains(missingImage.errors, "No such file")) << missingImage.errors;

  const auto text = directory / "notes.dcm";
  medcrypt::testing::WriteTextFile(text, "this is not an image\n");
  const auto notImage = RunMedcrypt("keys --key " + key + " " + text);
  EXPECT_NE(notImage.status, 0);
  EXPECT_TRUE(Contains(notImage.errors, "notes.dcm")) << notImage.errors;
  EXPECT_TRUE(Contains(notImage.errors, "no ITK reader")) << notImage.errors;

  const auto truncated = directory / "truncated.mha";
  medcrypt::testing::WriteRampImage(truncated, 64, 64);
  ASSERT_EQ(truncate(truncated.c_str(), 200), 0);
  const auto cut = RunMedcrypt("keys --key " + key + " " + truncated);
  EXPECT_NE(cut.status, 0);
  EXPECT_TRUE(Contains(cut.errors, "truncated.mha")) << cut.errors;

  // A header cut short is found and opened: the message says it is damaged, not "No such file".
  const auto header = directory / "header.mha";
  medcrypt::testing::WriteRampImage(header, 64, 64);
  ASSERT_EQ(truncate(header.c_str(), 40), 0);
  const auto cutHeader = RunMedcrypt("keys --key " + key + " " + header);
  EXPECT_NE(cutHeader.status, 0);
  EXPECT_TRUE(Contains(cutHeader.errors, "header.mha: cannot read the image header")) << cutHeader.errors;
  EXPECT_TRUE(Contains(cutHeader.errors, "truncated, damaged")) << cutHeader.errors;
  EXPECT_FALSE(Contains(cutHeader.errors, "No such file")) << cutHeader.errors;

  const auto badKey = directory / "bad.key";
  medcrypt::testing::WriteTextFile(badKey, "{\"format\": \"something-else\"}");
  ASSERT_EQ(chmod(badKey.c_str(), 0600), 0);
  const auto wrongFormat = RunMedcrypt("keys --key " + badKey + " " + truncated);
  EXPECT_NE(wrongFormat.status, 0);
  EXPECT_TRUE(Contains(wrongFormat.errors, "not a medcrypt key file")) << wrongFormat.errors;
}

} // namespace
