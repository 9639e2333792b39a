// Feature-key derivation (paper Eq. 1-2, docs/format.md): pinned values and properties.
//
// The pinned numbers below were computed by testing/reference/keys_reference.py ("pin"), an
// independent implementation written from docs/format.md with Python's hashlib/hmac/struct/math only
// (no code shared with model/). CTest also runs that script against `medcrypt keys --json` on
// several images and pixel types ("keys_cli_matches_reference").
#include "medcrypt/FeatureKeys.h"
#include "medcrypt/Error.h"

#include <gtest/gtest.h>

#include <openssl/sha.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace
{

using namespace medcrypt;

UserKey
FixedKey()
{
  UserKey key;
  key.b = { 0x0123456789ABCDEFull, 0xFEDCBA9876543210ull, 0x0F1E2D3C4B5A6978ull, 0x8877665544332211ull };
  return key;
}

// The 4 x 4 uint8 ramp im(x, y) = 16 y + 5 x, row-major.
std::vector<std::uint8_t>
Ramp()
{
  std::vector<std::uint8_t> samples;
  for (int y = 0; y < 4; ++y)
  {
    for (int x = 0; x < 4; ++x)
    {
      samples.push_back(static_cast<std::uint8_t>(16 * y + 5 * x));
    }
  }
  return samples;
}

TileDigest
DigestRamp(const std::optional<TilePosition> & position = std::nullopt)
{
  const auto samples = Ramp();
  TileDigester digester;
  digester.Add(samples.data(), samples.size());
  return digester.Finish(position);
}

TEST(TileDigest, HashAndPOfRamp)
{
  const TileDigest digest = DigestRamp();
  EXPECT_EQ(ToHex(digest.h), "70f1a720b7998157d27e2e762227bace15cb7448f90741c6e092950e9cebc7d4");
  // p = sum_{i=1..16} im(i) * i mod 256, worked out by hand:
  // row y contributes sum_x (16y + 5x)(4y + x + 1); total 5664 = 22 * 256 + 32.
  EXPECT_EQ(digest.p, 32);
}

TEST(TileDigest, MatchesOpenSslOneShotSha256)
{
  const auto samples = Ramp();
  unsigned char expected[32];
  SHA256(samples.data(), samples.size(), expected);
  const TileDigest digest = DigestRamp();
  EXPECT_EQ(0, std::memcmp(expected, digest.h.data(), 32));
}

TEST(TileDigest, PositionIsAppendedLittleEndian)
{
  EXPECT_EQ(ToHex(DigestRamp(TilePosition{ 1, 2, 3 }).h),
            "11c5bdc1f4253cc0638209ca01c28eb7585fd1ee309aa375004438ca227e22b6");
}

TEST(TileDigest, SignedAndFloatingSamplesUseTheirStoredBytesAndFlooredValues)
{
  // int16 -2 is stored as fe ff; its residue modulo 256 is 254. p = 254 * 1 + 3 * 2 = 260 = 4 (mod 256).
  const std::int16_t values[] = { -2, 3 };
  TileDigester digester;
  digester.Add(values, 2);
  const auto digest = digester.Finish(std::nullopt);
  const unsigned char bytes[] = { 0xfe, 0xff, 0x03, 0x00 };
  unsigned char expected[32];
  SHA256(bytes, sizeof(bytes), expected);
  EXPECT_EQ(0, std::memcmp(expected, digest.h.data(), 32));
  EXPECT_EQ(digest.p, 4);
  // floor(-0.5) = -1 -> 255; floor(2.75) = 2. p = 255 + 2 * 2 = 259 = 3 (mod 256).
  const float floats[] = { -0.5f, 2.75f };
  TileDigester floatDigester;
  floatDigester.Add(floats, 2);
  EXPECT_EQ(floatDigester.Finish(std::nullopt).p, 3);
}

TEST(KeySchedule, PaperInitialValuesArePinned)
{
  const auto x0 = DeriveInitialValues(FixedKey(), DigestRamp(), KeySchedule::Paper);
  EXPECT_EQ(x0[0], 0.72163049861789108);
  EXPECT_EQ(x0[1], 0.1289742827758561);
  EXPECT_EQ(x0[2], 0.031821192049324654);
  EXPECT_EQ(x0[3], 0.14604462164165277);
}

TEST(KeySchedule, HardenedInitialValuesArePinned)
{
  const auto x0 = DeriveInitialValues(FixedKey(), DigestRamp(), KeySchedule::Hardened);
  EXPECT_EQ(x0[0], 0.86318544236457295);
  EXPECT_EQ(x0[1], 0.64968973497800275);
  EXPECT_EQ(x0[2], 0.95070434929771552);
  EXPECT_EQ(x0[3], 0.91193549817840391);
}

TEST(KeySchedule, PaperWordIsHashWindowPlusKeyWord)
{
  // With b = 0 and p = 0, word 1 is the first 8 digest bytes read big-endian.
  TileDigest digest;
  for (int i = 0; i < 32; ++i)
  {
    digest.h[i] = static_cast<std::uint8_t>(i + 1);
  }
  digest.p = 0;
  UserKey zero;
  zero.b = { 0, 0, 0, 0 };
  auto words = DeriveKeyWords(zero, digest, KeySchedule::Paper);
  EXPECT_EQ(words[0], 0x0102030405060708ull);
  EXPECT_EQ(words[3], 0x191a1b1c1d1e1f20ull);
  // p = 8: the window starts one byte later; the last word wraps around to byte 0.
  digest.p = 8;
  words = DeriveKeyWords(zero, digest, KeySchedule::Paper);
  EXPECT_EQ(words[0], 0x0203040506070809ull);
  EXPECT_EQ(words[3], 0x1a1b1c1d1e1f2001ull);
  // Addition of b_k is modulo 2^64.
  zero.b[0] = 0xFFFFFFFFFFFFFFFFull;
  EXPECT_EQ(DeriveKeyWords(zero, digest, KeySchedule::Paper)[0], 0x0203040506070808ull);
}

TEST(KeySchedule, InitialValuesStayStrictlyInsideTheUnitInterval)
{
  // The paper's literal (s + 1) / (2^64 + 2) rounds to 1.0 for the largest s; ours never does.
  // scheme.md's ((s >> 11) + 0.5) 2^-53 would round to 1.0 for s = 2^64 - 1 (2^53 - 0.5 is not a double).
  EXPECT_EQ(InitialValueFromWord(0), 0x1p-53);
  EXPECT_LT(InitialValueFromWord(~0ull), 1.0);
  EXPECT_EQ(InitialValueFromWord(~0ull), 1.0 - 0x1p-53);
}

TEST(LogisticMap, SequenceAfterBurnInIsPinned)
{
  const auto x0 = DeriveInitialValues(FixedKey(), DigestRamp(), KeySchedule::Paper);
  const auto y = UniformisedSequence(x0[0], 3.99, 1000, 3);
  EXPECT_EQ(y[0], 0.94100663184083311);
  EXPECT_EQ(y[1], 0.11783745068179129);
  EXPECT_EQ(y[2], 0.23536590488311337);
  const auto hardened = DeriveInitialValues(FixedKey(), DigestRamp(), KeySchedule::Hardened);
  const auto z = UniformisedSequence(hardened[0], 3.99, 1000, 3);
  EXPECT_EQ(z[0], 0.88552216813570783);
  EXPECT_EQ(z[1], 0.22865629562854722);
  EXPECT_EQ(z[2], 0.45661686648905009);
}

TEST(LogisticMap, FirstValueIsXBurnInPlusOne)
{
  // Burn-in 0: the first value is x_1 = mu x0 (1 - x0) = 3.99 * 0.25 * 0.75 = 0.7481250000000000.
  LogisticSequence sequence(0.25, 3.99, 0);
  EXPECT_DOUBLE_EQ(sequence.Next(), 3.99 * 0.25 * 0.75);
  // Uniformise(x) = (2/pi) asin(sqrt(x)): 0.5 -> 0.5, 0.25 -> 1/3.
  EXPECT_DOUBLE_EQ(Uniformise(0.5), 0.5);
  EXPECT_NEAR(Uniformise(0.25), 1.0 / 3.0, 1e-15);
}

TEST(LogisticMap, UniformisedValuesAreUniformAtMuFour)
{
  // At mu = 4 the map's invariant density is the arcsine law, and Uniformise makes it uniform:
  // each decile holds about 10%.
  const auto values = UniformisedSequence(0.123456789, 4.0, 1000, 200000);
  std::vector<int> deciles(10, 0);
  for (double v : values)
  {
    ASSERT_GT(v, 0.0);
    ASSERT_LT(v, 1.0);
    ++deciles[std::min(9, static_cast<int>(v * 10))];
  }
  for (int count : deciles)
  {
    EXPECT_NEAR(count / 200000.0, 0.1, 0.01);
  }
}

TEST(LogisticMap, UniformisedValuesAtDefaultMuStayInsideTheAttractor)
{
  // For mu < 4 the orbit stays in [mu^2 (4 - mu) / 16, mu / 4] (docs/design.md): at mu = 3.99 the
  // uniformised values never fall below (2/pi) asin(sqrt(0.00995...)) = 0.0637 and deciles 2-10 hold
  // 10% +- 2%.
  const double mu = 3.99;
  const double lowest = Uniformise(mu * mu * (4.0 - mu) / 16.0);
  const auto values = UniformisedSequence(0.123456789, mu, 1000, 200000);
  std::vector<int> deciles(10, 0);
  for (double v : values)
  {
    ASSERT_GE(v, lowest - 1e-12);
    ASSERT_LE(v, Uniformise(mu / 4.0) + 1e-12);
    ++deciles[std::min(9, static_cast<int>(v * 10))];
  }
  for (int d = 1; d < 10; ++d)
  {
    EXPECT_NEAR(deciles[d] / 200000.0, 0.1, 0.02) << "decile " << d;
  }
}

TEST(LogisticMap, TinyChangeOfInitialValueChangesTheSequence)
{
  // Key sensitivity: x0 + 1e-15 gives a different sequence after burn-in (paper section IV.C).
  const auto a = UniformisedSequence(0.3, 3.99, 1000, 1000);
  const auto b = UniformisedSequence(0.3 + 1e-15, 3.99, 1000, 1000);
  int different = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
  {
    different += std::fabs(a[i] - b[i]) > 1e-3;
  }
  EXPECT_GT(different, 980);
}

TEST(UserKey, JsonRoundTripAndValidation)
{
  UserKey key = FixedKey();
  key.mu = 3.8;
  const UserKey back = UserKeyFromJson(UserKeyToJson(key), "test");
  EXPECT_EQ(back.b, key.b);
  EXPECT_EQ(back.mu, 3.8);
  EXPECT_THROW(UserKeyFromJson("{\"format\":\"medcrypt-key\",\"version\":1,\"b\":[\"00\"],\"mu\":3.9}", "t"),
               UserError);
  EXPECT_THROW(UserKeyFromJson("not json", "t"), UserError);
  key.mu = 3.0; // not chaotic
  EXPECT_THROW(UserKeyFromJson(UserKeyToJson(key), "t"), UserError);
}

TEST(UserKey, FileIsWrittenWithMode0600AndGroupReadableFilesAreRefused)
{
  char directory[] = "/tmp/medcrypt-keytest-XXXXXX";
  ASSERT_NE(mkdtemp(directory), nullptr);
  const std::string path = std::string(directory) + "/user.key";
  const UserKey key = GenerateUserKey();
  SaveUserKeyFile(key, path);
  struct stat info;
  ASSERT_EQ(stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_EQ(LoadUserKeyFile(path).b, key.b);
  EXPECT_THROW(SaveUserKeyFile(key, path), UserError); // no silent replacement of a key
  ASSERT_EQ(chmod(path.c_str(), 0644), 0);
  try
  {
    LoadUserKeyFile(path);
    ADD_FAILURE() << "a key file with mode 0644 was accepted";
  }
  catch (const UserError & error)
  {
    EXPECT_NE(std::string(error.what()).find("0644"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("chmod 600"), std::string::npos) << error.what();
  }
  unlink(path.c_str());
  rmdir(directory);
}

TEST(UserKey, PassphraseIsStretchedDeterministically)
{
  const UserKey a = UserKeyFromPassphrase("correct horse battery staple");
  const UserKey b = UserKeyFromPassphrase("correct horse battery staple");
  const UserKey c = UserKeyFromPassphrase("correct horse battery stapler");
  EXPECT_EQ(a.b, b.b);
  EXPECT_NE(a.b, c.b);
  EXPECT_THROW(UserKeyFromPassphrase("short"), UserError);
}

} // namespace
