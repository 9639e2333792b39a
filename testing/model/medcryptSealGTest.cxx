// The cipher header and the exact envelope (docs/format.md, "Cipher header" and "Exact envelope"): HKDF against RFC
// 5869, AES-256-GCM against the GCM specification's test case 16, the header container byte by byte, tampering,
// truncation and wrong keys, and CMS envelopes for KEK and certificate recipients.
#include "ProgramRunning.h"
#include "medcrypt/AuthenticatedEncryption.h"
#include "medcrypt/CipherHeader.h"
#include "medcrypt/CiphertextPermutation.h"
#include "medcrypt/Envelope.h"
#include "medcrypt/KeyDerivation.h"
#include "medcrypt/PoolDigests.h"

#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <unistd.h>
#include <vector>

namespace
{

using namespace medcrypt;
using Bytes = std::vector<std::uint8_t>;

Bytes
FromHex(const std::string & hex)
{
  Bytes bytes;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
  {
    bytes.push_back(static_cast<std::uint8_t>(std::stoul(hex.substr(i, 2), nullptr, 16)));
  }
  return bytes;
}

Bytes
ToBytes(const SecretBytes & secret)
{
  return Bytes(secret.begin(), secret.end());
}

UserKey
FixedKey()
{
  UserKey key;
  key.b = { 0x0123456789ABCDEFull, 0xFEDCBA9876543210ull, 0x0F1E2D3C4B5A6978ull, 0x8877665544332211ull };
  return key;
}

UserKey
OtherKey()
{
  UserKey key = FixedKey();
  key.b[3] ^= 1; // one bit of 256 differs
  return key;
}

Bytes
RandomBytes(std::size_t n)
{
  Bytes bytes(n);
  if (n > 0)
  {
    EXPECT_EQ(RAND_bytes(bytes.data(), static_cast<int>(n)), 1);
  }
  return bytes;
}

std::uint32_t
ReadU32(const Bytes & bytes, std::size_t offset)
{
  return std::uint32_t{ bytes[offset] } | std::uint32_t{ bytes[offset + 1] } << 8 |
         std::uint32_t{ bytes[offset + 2] } << 16 | std::uint32_t{ bytes[offset + 3] } << 24;
}

// ---- HKDF
// ------------------------------------------------------------------------------------------------------------

TEST(KeyDerivation, HkdfMatchesRfc5869TestCase1)
{
  // RFC 5869 A.1 (SHA-256, with salt and info).
  const Bytes ikm(22, 0x0b);
  const Bytes salt = FromHex("000102030405060708090a0b0c");
  const Bytes info = FromHex("f0f1f2f3f4f5f6f7f8f9");
  const Bytes okm = ToBytes(HkdfSha256(ikm, salt, info, 42));
  EXPECT_EQ(okm, FromHex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"));
}

TEST(KeyDerivation, HkdfWithoutSaltMatchesRfc5869TestCase3)
{
  // RFC 5869 A.3: salt and info absent, the case DeriveSubkey uses (with an info).
  const Bytes ikm(22, 0x0b);
  const Bytes okm = ToBytes(HkdfSha256(ikm, ByteView(), ByteView(), 42));
  EXPECT_EQ(okm, FromHex("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"));
}

TEST(KeyDerivation, HkdfRefusesImpossibleLengths)
{
  const Bytes ikm(32, 1);
  EXPECT_THROW(HkdfSha256(ikm, ByteView(), ByteView(), 0), std::invalid_argument);
  EXPECT_THROW(HkdfSha256(ikm, ByteView(), ByteView(), 255 * 32 + 1), std::invalid_argument);
  EXPECT_EQ(HkdfSha256(ikm, ByteView(), ByteView(), 255 * 32).size(), 255u * 32u);
}

// A second implementation of RFC 5869 for L = 32 with HMAC() directly: PRK = HMAC(32 zero bytes, IKM),
// OKM = T(1) = HMAC(PRK, info || 0x01).
Bytes
SubkeyByHmac(const UserKey & key, const std::string & info)
{
  const auto ikm = key.Bytes();
  const Bytes zeros(32, 0);
  unsigned char prk[32];
  unsigned int prkLength = 0;
  HMAC(EVP_sha256(), zeros.data(), 32, ikm.data(), ikm.size(), prk, &prkLength);
  Bytes message(info.begin(), info.end());
  message.push_back(0x01);
  unsigned char okm[32];
  unsigned int okmLength = 0;
  HMAC(EVP_sha256(), prk, static_cast<int>(prkLength), message.data(), message.size(), okm, &okmLength);
  return Bytes(okm, okm + okmLength);
}

TEST(KeyDerivation, SubkeysAreHkdfOfTheKeyBytesWithTheirInfo)
{
  const UserKey key = FixedKey();
  for (std::string_view info : { HeaderKeyInfo, KeyEncryptionKeyInfo, UidKeyInfo })
  {
    EXPECT_EQ(ToBytes(DeriveSubkey(key, info)), SubkeyByHmac(key, std::string(info))) << info;
  }
  EXPECT_EQ(std::string(HeaderKeyInfo), "medcrypt/header");
  EXPECT_EQ(std::string(KeyEncryptionKeyInfo), "medcrypt/kek");
  EXPECT_EQ(std::string(UidKeyInfo), "medcrypt/uid");
  EXPECT_NE(ToBytes(DeriveSubkey(key, HeaderKeyInfo)), ToBytes(DeriveSubkey(key, KeyEncryptionKeyInfo)));
  EXPECT_NE(ToBytes(DeriveSubkey(key, HeaderKeyInfo)), ToBytes(DeriveSubkey(OtherKey(), HeaderKeyInfo)));
  // mu and the burn-in do not enter the subkeys.
  UserKey otherMu = key;
  otherMu.mu = 3.7;
  otherMu.burnIn = 5;
  EXPECT_EQ(ToBytes(DeriveSubkey(otherMu, HeaderKeyInfo)), ToBytes(DeriveSubkey(key, HeaderKeyInfo)));
}

TEST(SecretBytes, CopiesMovesAndClears)
{
  SecretBytes a(ByteView(FromHex("00112233")));
  SecretBytes b = a;
  EXPECT_EQ(ToBytes(b), FromHex("00112233"));
  SecretBytes c = std::move(a);
  EXPECT_TRUE(a.empty()); // NOLINT(bugprone-use-after-move): the moved-from state is documented
  EXPECT_EQ(ToBytes(c), FromHex("00112233"));
  b = SecretBytes(3);
  EXPECT_EQ(ToBytes(b), Bytes(3, 0));
  c.Clear();
  EXPECT_TRUE(c.empty());
}

// ---- AES-256-GCM
// -----------------------------------------------------------------------------------------------------

// McGrew and Viega, "The Galois/Counter Mode of Operation (GCM)", test case 16: AES-256, 96-bit IV,
// 60-byte plaintext, 20 bytes of additional data.
const char * const Case16Key = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308";
const char * const Case16Plain =
  "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e"
  "2449a6b525b16aedf5aa0de657ba637b39";
const char * const Case16Aad = "feedfacedeadbeeffeedfacedeadbeefabaddad2";
const char * const Case16Nonce = "cafebabefacedbaddecaf888";
const char * const Case16Cipher =
  "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1"
  "056828838c5f61e6393ba7a0abcc9f662";
const char * const Case16Tag = "76fc6ece0f4e1768cddf8853bb2d551b";

TEST(AuthenticatedEncryption, MatchesGcmTestCase16)
{
  std::array<std::uint8_t, GcmNonceSize> nonce{};
  const Bytes nonceBytes = FromHex(Case16Nonce);
  std::copy(nonceBytes.begin(), nonceBytes.end(), nonce.begin());
  const GcmSealed sealed =
    detail::SealAes256GcmWithNonce(FromHex(Case16Key), nonce, FromHex(Case16Plain), FromHex(Case16Aad));
  EXPECT_EQ(sealed.ciphertext, FromHex(Case16Cipher));
  EXPECT_EQ(Bytes(sealed.tag.begin(), sealed.tag.end()), FromHex(Case16Tag));
  EXPECT_EQ(OpenAes256Gcm(FromHex(Case16Key), sealed, FromHex(Case16Aad), "case 16"), FromHex(Case16Plain));
}

TEST(AuthenticatedEncryption, RoundTripsWithFreshNonces)
{
  const Bytes key = RandomBytes(32);
  for (std::size_t n : { 0u, 1u, 15u, 16u, 17u, 4096u })
  {
    const Bytes plain = RandomBytes(n);
    const Bytes aad = RandomBytes(n % 7);
    const GcmSealed one = SealAes256Gcm(key, plain, aad);
    const GcmSealed two = SealAes256Gcm(key, plain, aad);
    EXPECT_NE(one.nonce, two.nonce);
    EXPECT_EQ(one.ciphertext.size(), n);
    EXPECT_EQ(OpenAes256Gcm(key, one, aad, "test"), plain);
    EXPECT_EQ(OpenAes256Gcm(key, two, aad, "test"), plain);
  }
  EXPECT_THROW(SealAes256Gcm(RandomBytes(16), Bytes(4), Bytes()), std::invalid_argument);
}

template<typename TCall>
void
ExpectAuthenticationError(TCall && call, const std::string & origin)
{
  try
  {
    call();
    ADD_FAILURE() << "opened although it should have been refused";
  }
  catch (const AuthenticationError & error)
  {
    const std::string message = error.what();
    EXPECT_NE(message.find("wrong key or tampered data"), std::string::npos) << message;
    EXPECT_NE(message.find(origin), std::string::npos) << message;
  }
}

TEST(AuthenticatedEncryption, RefusesAChangeInEveryRegionAndAWrongKey)
{
  const Bytes key = RandomBytes(32);
  const Bytes plain = RandomBytes(64);
  const Bytes aad = RandomBytes(20);
  const GcmSealed sealed = SealAes256Gcm(key, plain, aad);
  for (std::size_t i = 0; i < GcmNonceSize; ++i)
  {
    GcmSealed changed = sealed;
    changed.nonce[i] ^= 0x01;
    ExpectAuthenticationError([&] { OpenAes256Gcm(key, changed, aad, "nonce.bin"); }, "nonce.bin");
  }
  for (std::size_t i = 0; i < plain.size(); ++i)
  {
    GcmSealed changed = sealed;
    changed.ciphertext[i] ^= 0x80;
    ExpectAuthenticationError([&] { OpenAes256Gcm(key, changed, aad, "cipher.bin"); }, "cipher.bin");
  }
  for (std::size_t i = 0; i < GcmTagSize; ++i)
  {
    GcmSealed changed = sealed;
    changed.tag[i] ^= 0x01;
    ExpectAuthenticationError([&] { OpenAes256Gcm(key, changed, aad, "tag.bin"); }, "tag.bin");
  }
  for (std::size_t i = 0; i < aad.size(); ++i)
  {
    Bytes changed = aad;
    changed[i] ^= 0x01;
    ExpectAuthenticationError([&] { OpenAes256Gcm(key, sealed, changed, "aad.bin"); }, "aad.bin");
  }
  GcmSealed shorter = sealed;
  shorter.ciphertext.pop_back();
  ExpectAuthenticationError([&] { OpenAes256Gcm(key, shorter, aad, "short.bin"); }, "short.bin");
  Bytes wrongKey = key;
  wrongKey[31] ^= 0x01;
  ExpectAuthenticationError([&] { OpenAes256Gcm(wrongKey, sealed, aad, "key.bin"); }, "key.bin");
}

// ---- cipher header
// ---------------------------------------------------------------------------------------------------

// A 3-D header: 300 x 200 x 3 voxels in tiles of 256 -> 2 columns, 1 row, 3 slices = 6 tiles.
CipherHeader
SampleHeader()
{
  CipherHeader header;
  ClearHeader & clear = header.clear;
  clear.modelId = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  clear.keySchedule = KeySchedule::Paper;
  clear.geometry.size = { 300, 200, 3 };
  clear.geometry.spacing = { 0.1, 1.0 / 3.0, 2.5 };
  clear.geometry.origin = { -120.25, -0.0, 1e-300 };
  clear.geometry.direction = { 1, 0, 0, 0, 0.6, -0.8, 0, 0.8, 0.6 };
  clear.pixelType = SampleType::Int16;
  clear.intensityMinimum = -1024;
  clear.intensityMaximum = 3071;
  clear.tiles = TileGridFor(clear.geometry, 256);
  clear.neuralOnly = true;
  clear.clearAttributesJson = R"({"OriginalTransferSyntaxUID":"1.2.840.10008.1.2.1","frames":[1,2]})";
  for (std::size_t i = 0; i < 32; ++i)
  {
    clear.pixelDigest[i] = static_cast<std::uint8_t>(0xA0 + i);
  }
  for (std::uint64_t t = 0; t < clear.tiles.Count(); ++t)
  {
    TileSecrets tile;
    for (std::size_t i = 0; i < 32; ++i)
    {
      tile.digest.h[i] = static_cast<std::uint8_t>(t * 32 + i);
    }
    tile.digest.p = static_cast<std::uint8_t>(250 + t);
    // Levels of lengths 4, 0, 3 and t + 1 with awkward values.
    tile.encryptedParameters = {
      { 0.5f, -0.0f, std::numeric_limits<float>::infinity(), std::numeric_limits<float>::denorm_min() },
      {},
      { 1e-38f, -3.25f, static_cast<float>(t) },
      std::vector<float>(t + 1, 0.125f)
    };
    // Format 4: 8 bytes for each of the 16 x 16 pools of a 256-pixel tile.
    for (std::size_t i = 0; i < 256 * PoolDigestBytes; ++i)
    {
      tile.poolDigests.push_back(static_cast<std::uint8_t>(t * 7 + i));
    }
    header.sealed.tiles.push_back(tile);
  }
  header.sealed.originalAttributes = { 0x00, 0xFF, 0x10, 0x20, 0x00 };
  return header;
}

void
ExpectSameBits(const std::vector<float> & a, const std::vector<float> & b)
{
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i)
  {
    EXPECT_EQ(std::memcmp(&a[i], &b[i], sizeof(float)), 0) << i;
  }
}

void
ExpectSameClear(const ClearHeader & a, const ClearHeader & b)
{
  EXPECT_EQ(a.formatVersion, b.formatVersion);
  EXPECT_EQ(a.modelId, b.modelId);
  EXPECT_EQ(a.keySchedule, b.keySchedule);
  EXPECT_EQ(a.geometry.size, b.geometry.size);
  EXPECT_EQ(a.geometry.spacing, b.geometry.spacing);
  EXPECT_EQ(a.geometry.origin, b.geometry.origin);
  EXPECT_EQ(std::signbit(a.geometry.origin[1]), std::signbit(b.geometry.origin[1]));
  EXPECT_EQ(a.geometry.direction, b.geometry.direction);
  EXPECT_EQ(a.pixelType, b.pixelType);
  EXPECT_EQ(a.intensityMinimum, b.intensityMinimum);
  EXPECT_EQ(a.intensityMaximum, b.intensityMaximum);
  EXPECT_EQ(a.tiles.tileSize, b.tiles.tileSize);
  EXPECT_EQ(a.tiles.columns, b.tiles.columns);
  EXPECT_EQ(a.tiles.rows, b.tiles.rows);
  EXPECT_EQ(a.tiles.slices, b.tiles.slices);
  EXPECT_EQ(a.neuralOnly, b.neuralOnly);
  ASSERT_EQ(a.clearAttributesJson.empty(), b.clearAttributesJson.empty());
  if (!a.clearAttributesJson.empty())
  {
    EXPECT_EQ(nlohmann::json::parse(a.clearAttributesJson), nlohmann::json::parse(b.clearAttributesJson));
  }
  EXPECT_EQ(a.pixelDigest, b.pixelDigest);
}

TEST(CipherHeader, TileGridFollowsTheImageSize)
{
  ImageGeometry g;
  g.size = { 300, 200, 3 };
  const TileGrid grid = TileGridFor(g, 256);
  EXPECT_EQ(grid.columns, 2u);
  EXPECT_EQ(grid.rows, 1u);
  EXPECT_EQ(grid.slices, 3u);
  EXPECT_EQ(grid.Count(), 6u);
  g.size = { 256, 257 };
  const TileGrid flat = TileGridFor(g, 256);
  EXPECT_EQ(flat.columns, 1u);
  EXPECT_EQ(flat.rows, 2u);
  EXPECT_EQ(flat.slices, 1u);
}

TEST(CipherHeader, RoundTripKeepsEveryField)
{
  const CipherHeader original = SampleHeader();
  const Bytes bytes = SealHeader(original, FixedKey());
  const CipherHeader opened = OpenHeader(bytes, FixedKey(), "a.mcheader");
  ExpectSameClear(opened.clear, original.clear);
  EXPECT_TRUE(opened.clearDigestAuthentic);
  ASSERT_EQ(opened.sealed.tiles.size(), original.sealed.tiles.size());
  for (std::size_t t = 0; t < original.sealed.tiles.size(); ++t)
  {
    EXPECT_EQ(opened.sealed.tiles[t].digest.h, original.sealed.tiles[t].digest.h);
    EXPECT_EQ(opened.sealed.tiles[t].digest.p, original.sealed.tiles[t].digest.p);
    ASSERT_EQ(opened.sealed.tiles[t].encryptedParameters.size(), original.sealed.tiles[t].encryptedParameters.size());
    for (std::size_t l = 0; l < original.sealed.tiles[t].encryptedParameters.size(); ++l)
    {
      ExpectSameBits(opened.sealed.tiles[t].encryptedParameters[l], original.sealed.tiles[t].encryptedParameters[l]);
    }
    EXPECT_EQ(opened.sealed.tiles[t].poolDigests, original.sealed.tiles[t].poolDigests);
  }
  EXPECT_EQ(opened.sealed.originalAttributes, original.sealed.originalAttributes);

  // A 2-D header without attributes or original attributes round-trips too.
  CipherHeader flat;
  flat.clear.modelId = "m";
  flat.clear.geometry = { { 7, 5 }, { 1, 1 }, { 0, 0 }, { 1, 0, 0, 1 } };
  flat.clear.pixelType = SampleType::Float64;
  flat.clear.intensityMinimum = 0.25;
  flat.clear.intensityMaximum = 0.25;
  flat.clear.formatVersion = 1;
  flat.clear.tiles = TileGridFor(flat.clear.geometry, 4);
  flat.sealed.tiles.resize(4);
  const CipherHeader flatOpened = OpenHeader(SealHeader(flat, FixedKey()), FixedKey(), "flat");
  ExpectSameClear(flatOpened.clear, flat.clear);
  EXPECT_TRUE(flatOpened.clear.clearAttributesJson.empty());
  EXPECT_EQ(flatOpened.sealed.tiles.size(), 4u);
  EXPECT_TRUE(flatOpened.sealed.originalAttributes.empty());
}

TEST(CipherHeader, LayoutIsTheDocumentedOne)
{
  // A header small enough to write its clear JSON by hand (keys sorted, no spaces: nlohmann's dump()).
  CipherHeader header;
  header.clear.modelId = "abc";
  header.clear.keySchedule = KeySchedule::Hardened;
  header.clear.geometry = { { 3, 2 }, { 0.5, 2 }, { -1, 4 }, { 1, 0, 0, 1 } };
  header.clear.pixelType = SampleType::UInt8;
  header.clear.intensityMinimum = 1;
  header.clear.intensityMaximum = 200;
  header.clear.tiles = TileGridFor(header.clear.geometry, 16); // one tile of one 16 x 16 pool
  header.clear.pixelDigest.fill(0x5A);
  TileSecrets tile;
  tile.digest.h.fill(0x11);
  tile.digest.p = 7;
  tile.encryptedParameters = { { 1.0f, -2.0f }, {} };
  tile.poolDigests = { 1, 2, 3, 4, 5, 6, 7, 8 };
  header.sealed.tiles = { tile };
  header.sealed.originalAttributes = { 0xAB };

  const Bytes bytes = SealHeader(header, FixedKey());
  const std::string expectedJson =
    R"({"geometry":{"direction":[1.0,0.0,0.0,1.0],"origin":[-1.0,4.0],"size":[3,2],"spacing":[0.5,2.0]},)"
    R"("intensity":{"maximum":200.0,"minimum":1.0},"key_schedule":"hardened","model_id":"abc","neural_only":false,)"
    R"("pixel_type":"uint8","tiles":{"columns":1,"rows":1,"size":16,"slices":1}})";
  // Sealed records: digest copy 32 | tile count 4 | h 32 | p 1 | L 4 | n 4 + 2 x 4 | n 4 | pool digest
  // length 4 | 8 | A 4 | 1 = 110 bytes.
  const std::size_t sealedLength = 32 + 4 + 32 + 1 + 4 + 4 + 8 + 4 + 4 + 8 + 4 + 1;
  // 88 fixed bytes + J + S must be even: one space pads the JSON when it is odd.
  const std::size_t jsonLength = expectedJson.size() + ((88 + expectedJson.size() + sealedLength) % 2);

  ASSERT_EQ(bytes.size(), 88 + jsonLength + sealedLength);
  EXPECT_EQ(std::memcmp(bytes.data(), "MEDCRYPT-HEADER\0", 16), 0);
  EXPECT_EQ(ReadU32(bytes, 16), 4u);
  ASSERT_EQ(ReadU32(bytes, 20), jsonLength);
  const std::string json(bytes.begin() + 24, bytes.begin() + 24 + jsonLength);
  EXPECT_EQ(json.substr(0, expectedJson.size()), expectedJson);
  EXPECT_EQ(json.size() == expectedJson.size() ? std::string() : json.substr(expectedJson.size()),
            std::string(jsonLength - expectedJson.size(), ' '));
  const std::size_t digestAt = 24 + jsonLength;
  EXPECT_EQ(Bytes(bytes.begin() + digestAt, bytes.begin() + digestAt + 32), Bytes(32, 0x5A));
  const std::size_t nonceAt = digestAt + 32;
  ASSERT_EQ(ReadU32(bytes, nonceAt + 12), sealedLength);

  // Open the sealed part by hand: AES-256-GCM under HKDF(key, "medcrypt/header"), AAD = bytes [0, 24 + J).
  GcmSealed sealed;
  std::copy(bytes.begin() + nonceAt, bytes.begin() + nonceAt + 12, sealed.nonce.begin());
  sealed.ciphertext.assign(bytes.begin() + nonceAt + 16, bytes.begin() + nonceAt + 16 + sealedLength);
  std::copy(bytes.end() - 16, bytes.end(), sealed.tag.begin());
  const Bytes aad(bytes.begin(), bytes.begin() + digestAt);
  const Bytes headerKey = SubkeyByHmac(FixedKey(), "medcrypt/header");
  const Bytes plain = OpenAes256Gcm(headerKey, sealed, aad, "by hand");
  Bytes expected(32, 0x5A);                                    // digest copy
  expected.insert(expected.end(), { 1, 0, 0, 0 });             // one tile
  expected.insert(expected.end(), 32, 0x11);                   // h
  expected.push_back(7);                                       // p
  expected.insert(expected.end(), { 2, 0, 0, 0 });             // two levels
  expected.insert(expected.end(), { 2, 0, 0, 0 });             // two values
  expected.insert(expected.end(), { 0x00, 0x00, 0x80, 0x3F }); // 1.0f
  expected.insert(expected.end(), { 0x00, 0x00, 0x00, 0xC0 }); // -2.0f
  expected.insert(expected.end(), { 0, 0, 0, 0 });             // empty level
  expected.insert(expected.end(), { 8, 0, 0, 0 });             // 8 bytes of pool digests
  expected.insert(expected.end(), { 1, 2, 3, 4, 5, 6, 7, 8 }); // one pool's
  expected.insert(expected.end(), { 1, 0, 0, 0, 0xAB });       // original attributes
  EXPECT_EQ(plain, expected);
}

TEST(CipherHeader, LengthIsAlwaysEven)
{
  CipherHeader header = SampleHeader();
  for (int extra = 0; extra < 6; ++extra)
  {
    header.sealed.originalAttributes.push_back(static_cast<std::uint8_t>(extra));
    EXPECT_EQ(SealHeader(header, FixedKey()).size() % 2, 0u) << extra;
  }
}

TEST(CipherHeader, ClearPartIsReadableWithoutTheKey)
{
  const CipherHeader original = SampleHeader();
  const ClearHeader clear = ReadClearPart(SealHeader(original, FixedKey()), "a.mcheader");
  ExpectSameClear(clear, original.clear);
}

TEST(CipherHeader, WrongKeyIsRefused)
{
  const Bytes bytes = SealHeader(SampleHeader(), FixedKey());
  ExpectAuthenticationError([&] { OpenHeader(bytes, OtherKey(), "x.dcm"); }, "x.dcm");
}

TEST(CipherHeader, EveryChangedByteOutsideThePixelDigestIsRefused)
{
  const CipherHeader original = SampleHeader();
  const Bytes bytes = SealHeader(original, FixedKey());
  const std::size_t digestAt = 24 + ReadU32(bytes, 20);
  for (std::size_t i = 0; i < bytes.size(); ++i)
  {
    Bytes changed = bytes;
    changed[i] ^= 0x01;
    if (i >= digestAt && i < digestAt + 32)
    {
      // The pixel digest is not authenticated: the header opens, says so, and keeps the sealed copy.
      const CipherHeader opened = OpenHeader(changed, FixedKey(), "h");
      EXPECT_FALSE(opened.clearDigestAuthentic) << i;
      EXPECT_EQ(opened.clear.pixelDigest, original.clear.pixelDigest) << i;
      EXPECT_EQ(ReadClearPart(changed, "h").pixelDigest[i - digestAt], original.clear.pixelDigest[i - digestAt] ^ 1);
      continue;
    }
    EXPECT_THROW(OpenHeader(changed, FixedKey(), "h"), UserError) << "byte " << i;
  }
  // A change inside the JSON that leaves valid JSON (a letter of the model id) is an authentication failure.
  Bytes changed = bytes;
  const auto at =
    std::search(changed.begin(), changed.end(), original.clear.modelId.begin(), original.clear.modelId.end());
  ASSERT_NE(at, changed.end());
  *at = 'a';
  ExpectAuthenticationError([&] { OpenHeader(changed, FixedKey(), "model.mcheader"); }, "model.mcheader");
  EXPECT_EQ(ReadClearPart(changed, "model").modelId[0], 'a'); // readable, but not authenticated
}

TEST(CipherHeader, TruncationAtEveryLengthIsAUserError)
{
  const Bytes bytes = SealHeader(SampleHeader(), FixedKey());
  for (std::size_t n = 0; n < bytes.size(); ++n)
  {
    const ByteView cut(bytes.data(), n);
    try
    {
      OpenHeader(cut, FixedKey(), "cut.mcheader");
      ADD_FAILURE() << "a header cut to " << n << " bytes opened";
    }
    catch (const AuthenticationError &)
    {
      ADD_FAILURE() << "a header cut to " << n << " bytes reached decryption";
    }
    catch (const UserError & error)
    {
      EXPECT_EQ(std::string(error.what()).rfind("cut.mcheader: ", 0), 0u) << error.what();
    }
    EXPECT_THROW(ReadClearPart(cut, "cut.mcheader"), UserError) << n;
  }
}

TEST(CipherHeader, ForeignOrDamagedContainersAreRefused)
{
  const Bytes bytes = SealHeader(SampleHeader(), FixedKey());
  auto expectMessage = [](const Bytes & input, const std::string & part)
  {
    try
    {
      ReadClearPart(input, "f.bin");
      ADD_FAILURE() << "accepted";
    }
    catch (const UserError & error)
    {
      EXPECT_NE(std::string(error.what()).find(part), std::string::npos) << error.what();
      EXPECT_EQ(std::string(error.what()).rfind("f.bin: ", 0), 0u) << error.what();
    }
  };
  Bytes wrongMagic = bytes;
  wrongMagic[3] = 'X';
  expectMessage(wrongMagic, "not a MedCrypt cipher header");
  Bytes newer = bytes;
  newer[16] = 5;
  expectMessage(newer, "version 5 is not supported");
  Bytes zero = bytes;
  zero[16] = 0;
  expectMessage(zero, "version 0 is not supported");
  Bytes huge = bytes;
  huge[23] = 0x7F; // J = 2^30 + ...
  expectMessage(huge, "declares a clear part");
  Bytes longer = bytes;
  longer.push_back(0);
  expectMessage(longer, "follow the end");
  Bytes hugeSealed = bytes;
  const std::size_t sealedLengthAt = 24 + ReadU32(bytes, 20) + 32 + 12;
  hugeSealed[sealedLengthAt + 3] = 0xFF;
  expectMessage(hugeSealed, "truncated");
  expectMessage(Bytes(), "is empty");
}

TEST(CipherHeader, OlderVersionsAreStillWrittenAndReadAndTheVersionIsAuthenticated)
{
  for (const std::uint32_t version : { 1u, 2u, 3u })
  {
    CipherHeader header = SampleHeader();
    header.clear.formatVersion = version;
    for (TileSecrets & tile : header.sealed.tiles)
    {
      tile.poolDigests.clear(); // pool digests came with version 4
    }
    const Bytes older = SealHeader(header, FixedKey());
    EXPECT_EQ(ReadU32(older, 16), version);
    EXPECT_EQ(ReadClearPart(older, "old").formatVersion, version);
    EXPECT_EQ(OpenHeader(older, FixedKey(), "old").clear.formatVersion, version);
  }
  // Relabelling a version-4 header as version 3, 2 or 1 (so that a reader would undo another permutation or
  // none, or read no pool digests) fails authentication: the version is part of the additional data.
  for (const std::uint8_t version : { 1, 2, 3 })
  {
    Bytes relabelled = SealHeader(SampleHeader(), FixedKey());
    ASSERT_EQ(ReadU32(relabelled, 16), 4u);
    relabelled[16] = version;
    EXPECT_EQ(ReadClearPart(relabelled, "d").formatVersion, version);
    EXPECT_THROW(OpenHeader(relabelled, FixedKey(), "d"), AuthenticationError);
  }
}

TEST(CipherHeader, InconsistentHeadersAreNotSealed)
{
  const UserKey key = FixedKey();
  auto expectRefused = [&](const CipherHeader & header, const std::string & part)
  {
    try
    {
      SealHeader(header, key);
      ADD_FAILURE() << "sealed";
    }
    catch (const UserError & error)
    {
      EXPECT_NE(std::string(error.what()).find(part), std::string::npos) << error.what();
    }
  };
  CipherHeader h = SampleHeader();
  h.clear.tiles.columns = 3;
  expectRefused(h, "tile grid");
  h = SampleHeader();
  h.sealed.tiles.pop_back();
  expectRefused(h, "tile records");
  h = SampleHeader();
  h.clear.geometry.spacing[0] = std::nan("");
  expectRefused(h, "not finite");
  h = SampleHeader();
  h.clear.geometry.spacing[0] = 0;
  expectRefused(h, "positive");
  h = SampleHeader();
  h.clear.geometry.size.push_back(2);
  expectRefused(h, "4-D");
  h = SampleHeader();
  h.clear.clearAttributesJson = "[1, 2]";
  expectRefused(h, "JSON object");
  h = SampleHeader();
  h.clear.intensityMinimum = 5000;
  expectRefused(h, "minimum <= maximum");
  h = SampleHeader();
  h.clear.formatVersion = 5;
  expectRefused(h, "writes versions 1 to 4");
  h.clear.formatVersion = 0;
  expectRefused(h, "writes versions 1 to 4");
  // Format 4 needs 8 bytes of digest for every pool of every tile, and earlier formats have none.
  h = SampleHeader();
  h.sealed.tiles[2].poolDigests.pop_back();
  expectRefused(h, "2047 bytes of pool digests where format 4 has 2048");
  h = SampleHeader();
  h.clear.formatVersion = 3;
  expectRefused(h, "2048 bytes of pool digests where format 3 has 0");
  h = SampleHeader();
  h.clear.tiles = TileGridFor(h.clear.geometry, 200);
  expectRefused(h, "tiles of 200 pixels are not whole pools of 16");
}

// ---- ciphertext permutation (format versions 2 and 3)
// ----------------------------------------------------------------------------------------------------

medcrypt::TileKeyParameters
PermutationKeys()
{
  medcrypt::TileKeyParameters keys;
  keys.x0 = { 0.123456789, 0.5, 0.75, 0.987654321 };
  return keys;
}

constexpr medcrypt::CiphertextLayout Version2 = medcrypt::CiphertextLayoutVersion2;
constexpr medcrypt::CiphertextLayout Version3 = medcrypt::CiphertextLayoutVersion3;

// ---- pool digests (format version 4)
// ----------------------------------------------------------------------------------------------------

TEST(PoolDigests, EachIsTheStartOfTheSha256OfItsPoolAndOnlyAChangedPoolDiffers)
{
  constexpr unsigned tile = 32;
  std::vector<std::uint16_t> samples(tile * tile);
  for (std::size_t i = 0; i < samples.size(); ++i)
  {
    samples[i] = static_cast<std::uint16_t>(i * 7919u);
  }
  ASSERT_EQ(medcrypt::PoolCount(tile, 16), 4u);
  const Bytes digests = medcrypt::ComputePoolDigests(samples.data(), tile, 16);
  ASSERT_EQ(digests.size(), 4 * medcrypt::PoolDigestBytes);

  // Pool 1 is the top right one (x 16..31, y 0..15): SHA-256 of its samples, little-endian, row by row.
  Bytes bytes;
  for (unsigned y = 0; y < 16; ++y)
  {
    for (unsigned x = 16; x < 32; ++x)
    {
      const std::uint16_t v = samples[y * tile + x];
      bytes.push_back(static_cast<std::uint8_t>(v & 0xFF));
      bytes.push_back(static_cast<std::uint8_t>(v >> 8));
    }
  }
  Bytes sha(EVP_MAX_MD_SIZE);
  unsigned int length = 0;
  ASSERT_EQ(EVP_Digest(bytes.data(), bytes.size(), sha.data(), &length, EVP_sha256(), nullptr), 1);
  EXPECT_EQ(Bytes(digests.begin() + 8, digests.begin() + 16), Bytes(sha.begin(), sha.begin() + 8));

  // One changed sample at (20, 18) changes pool 3 alone, and MarkAuthenticPools says so pixel by pixel.
  samples[18 * tile + 20] ^= 1;
  const Bytes changed = medcrypt::ComputePoolDigests(samples.data(), tile, 16);
  EXPECT_EQ(Bytes(changed.begin(), changed.begin() + 24), Bytes(digests.begin(), digests.begin() + 24));
  EXPECT_NE(Bytes(changed.begin() + 24, changed.end()), Bytes(digests.begin() + 24, digests.end()));
  std::vector<float> authentic(tile * tile, -1.0f);
  EXPECT_EQ(medcrypt::MarkAuthenticPools(digests, changed, tile, 16, authentic.data()), 1u);
  for (unsigned y = 0; y < tile; ++y)
  {
    for (unsigned x = 0; x < tile; ++x)
    {
      ASSERT_EQ(authentic[y * tile + x], x >= 16 && y >= 16 ? 0.0f : 1.0f) << x << ", " << y;
    }
  }
  EXPECT_THROW(medcrypt::PoolCount(40, 16), std::invalid_argument);
  EXPECT_THROW(medcrypt::MarkAuthenticPools(digests, Bytes(8), tile, 16, authentic.data()), std::invalid_argument);
  EXPECT_FALSE(medcrypt::SealsPoolDigests(3));
  EXPECT_TRUE(medcrypt::SealsPoolDigests(4));
}

TEST(CiphertextPermutation, VersionsMapToTheirLayouts)
{
  EXPECT_EQ(medcrypt::CiphertextLayoutOf(2).cellEdge, 8u);
  EXPECT_EQ(medcrypt::CiphertextLayoutOf(2).poolEdge, 8u);
  EXPECT_EQ(medcrypt::CiphertextLayoutOf(3).cellEdge, 8u);
  EXPECT_EQ(medcrypt::CiphertextLayoutOf(3).poolEdge, 16u);
  EXPECT_EQ(medcrypt::CiphertextLayoutOf(4).cellEdge, 8u);
  EXPECT_EQ(medcrypt::CiphertextLayoutOf(4).poolEdge, 16u);
  EXPECT_TRUE(medcrypt::StoresPermutedTiles(4));
  EXPECT_FALSE(medcrypt::StoresPermutedTiles(1));
  EXPECT_TRUE(medcrypt::StoresPermutedTiles(2));
  EXPECT_TRUE(medcrypt::StoresPermutedTiles(3));
}

/** order holds each index of a tile x tile tile exactly once. */
void
ExpectEveryIndexOnce(const std::vector<std::uint32_t> & order, unsigned tile)
{
  ASSERT_EQ(order.size(), std::size_t{ tile } * tile);
  std::vector<std::uint32_t> sorted = order;
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t i = 0; i < sorted.size(); ++i)
  {
    ASSERT_EQ(sorted[i], i) << tile;
  }
}

TEST(CiphertextPermutation, Version2IsAPermutationThatMovesWholeCells)
{
  for (const unsigned tile : { 8u, 32u, 256u })
  {
    const auto order = medcrypt::CiphertextPermutation(PermutationKeys(), tile, Version2);
    ExpectEveryIndexOnce(order, tile);
    // The 64 pixels of a stored cell come from one network cell, each network cell feeds one stored cell.
    const unsigned cells = tile / 8;
    std::vector<int> used(std::size_t{ cells } * cells, 0);
    for (unsigned cy = 0; cy < cells; ++cy)
    {
      for (unsigned cx = 0; cx < cells; ++cx)
      {
        const auto source = [&](unsigned q)
        {
          const std::uint32_t from = order[(cy * 8 + q / 8) * tile + cx * 8 + q % 8];
          return (from / tile / 8) * cells + (from % tile) / 8;
        };
        for (unsigned q = 1; q < 64; ++q)
        {
          ASSERT_EQ(source(q), source(0)) << tile << " cell " << cy << "," << cx;
        }
        ++used[source(0)];
      }
    }
    EXPECT_TRUE(std::all_of(used.begin(), used.end(), [](int n) { return n == 1; })) << tile;
  }
}

TEST(CiphertextPermutation, Version3StoresFourWholeNetworkCellsInEachBlockAndShufflesTheirPixels)
{
  for (const unsigned tile : { 16u, 32u, 256u })
  {
    const auto order = medcrypt::CiphertextPermutation(PermutationKeys(), tile, Version3);
    ExpectEveryIndexOnce(order, tile);
    // Each stored 16 x 16 block holds all 64 pixels of exactly four network cells (so an erased stored
    // rectangle erases whole cells inside it), and every network cell lands in one block.
    const unsigned cells = tile / 8;
    const unsigned blocks = tile / 16;
    std::vector<int> blockOf(std::size_t{ cells } * cells, -1);
    std::size_t adjacentSameCell = 0;
    std::size_t adjacentPairs = 0;
    for (unsigned by = 0; by < blocks; ++by)
    {
      for (unsigned bx = 0; bx < blocks; ++bx)
      {
        std::map<std::uint32_t, int> count;
        for (unsigned q = 0; q < 256; ++q)
        {
          const std::size_t y = by * 16 + q / 16;
          const std::size_t x = bx * 16 + q % 16;
          const std::uint32_t from = order[y * tile + x];
          const std::uint32_t cell = (from / tile / 8) * cells + (from % tile) / 8;
          ++count[cell];
          if (x % 16 != 15)
          {
            const std::uint32_t right = order[y * tile + x + 1];
            adjacentSameCell += (right / tile / 8) * cells + (right % tile) / 8 == cell;
            ++adjacentPairs;
          }
        }
        ASSERT_EQ(count.size(), 4u) << tile << " block " << by << "," << bx;
        for (const auto & [cell, n] : count)
        {
          EXPECT_EQ(n, 64) << tile << " cell " << cell;
          EXPECT_EQ(blockOf[cell], -1) << tile << " cell " << cell << " in two blocks";
          blockOf[cell] = static_cast<int>(by * blocks + bx);
        }
      }
    }
    EXPECT_TRUE(std::all_of(blockOf.begin(), blockOf.end(), [](int b) { return b >= 0; })) << tile;
    // The pixels of the four cells are mixed: a horizontal neighbour inside a block comes from the same
    // network cell about a quarter of the time (63 / 255), not always as in version 2.
    const double sameFraction = static_cast<double>(adjacentSameCell) / static_cast<double>(adjacentPairs);
    EXPECT_NEAR(sameFraction, 63.0 / 255.0, tile == 16 ? 0.12 : 0.03) << tile;
  }
}

TEST(CiphertextPermutation, Version3MovesTheCellsAsVersion2Does)
{
  // The same key draws the same cell shuffle first; only the pixels then move inside larger blocks.
  const unsigned tile = 64;
  const auto two = medcrypt::CiphertextPermutation(PermutationKeys(), tile, Version2);
  const auto three = medcrypt::CiphertextPermutation(PermutationKeys(), tile, Version3);
  EXPECT_NE(two, three);
  const auto cellOf = [&](std::uint32_t index) { return (index / tile / 8) * (tile / 8) + (index % tile) / 8; };
  const auto blockOfStored = [&](std::size_t i) { return (i / tile / 16) * (tile / 16) + (i % tile) / 16; };
  for (unsigned cy = 0; cy < tile / 8; ++cy)
  {
    for (unsigned cx = 0; cx < tile / 8; ++cx)
    {
      // Where version 2 stores network cell c, version 3's block around that place holds all of c.
      const std::size_t i = std::size_t{ cy } * 8 * tile + cx * 8;
      const std::uint32_t cell = cellOf(two[i]);
      const auto found =
        std::find_if(three.begin(), three.end(), [&](std::uint32_t from) { return cellOf(from) == cell; });
      ASSERT_NE(found, three.end());
      EXPECT_EQ(blockOfStored(static_cast<std::size_t>(found - three.begin())), blockOfStored(i)) << cy << "," << cx;
    }
  }
}

TEST(CiphertextPermutation, DependsOnEveryKeyParameterAndNothingElse)
{
  for (const auto layout : { Version2, Version3 })
  {
    const auto order = medcrypt::CiphertextPermutation(PermutationKeys(), 256, layout);
    EXPECT_EQ(medcrypt::CiphertextPermutation(PermutationKeys(), 256, layout), order);
    const auto sameFraction = [&](const std::vector<std::uint32_t> & other)
    {
      std::size_t same = 0;
      for (std::size_t i = 0; i < order.size(); ++i)
      {
        same += order[i] == other[i];
      }
      return static_cast<double>(same) / static_cast<double>(order.size());
    };
    // About 1 in 1024 cells stays and 1 in 64 of its pixels: far under 1% of the pixels keep their source.
    for (std::size_t k = 0; k < 4; ++k)
    {
      auto keys = PermutationKeys();
      keys.x0[k] += 1e-15;
      ASSERT_NE(keys.x0[k], PermutationKeys().x0[k]);
      EXPECT_LT(sameFraction(medcrypt::CiphertextPermutation(keys, 256, layout)), 0.01) << "x0_" << k + 1;
    }
    auto keys = PermutationKeys();
    keys.mu = std::nextafter(3.99, 4.0);
    EXPECT_LT(sameFraction(medcrypt::CiphertextPermutation(keys, 256, layout)), 0.01) << "mu";
    keys = PermutationKeys();
    keys.burnIn = 1001;
    EXPECT_LT(sameFraction(medcrypt::CiphertextPermutation(keys, 256, layout)), 0.01) << "burn-in";
  }
  auto keys = PermutationKeys();
  // Where a cell goes is spread over the tile: the first network cell's stored place across 2,048 keys
  // falls in each quarter of the 64 places of a 64 x 64 tile about 512 times.
  std::array<int, 4> quarters{};
  for (int trial = 0; trial < 2048; ++trial)
  {
    keys = PermutationKeys();
    keys.x0[0] = (trial + 0.5) / 2048.0;
    const auto o = medcrypt::CiphertextPermutation(keys, 64, Version2);
    const auto where = std::find(o.begin(), o.end(), 0u) - o.begin();
    const auto cell = (where / 64 / 8) * 8 + (where % 64) / 8;
    ++quarters[cell / 16];
  }
  for (int n : quarters)
  {
    EXPECT_NEAR(n, 512, 100); // binomial sd 19.6: five of them
  }
}

TEST(CiphertextPermutation, UnpermuteUndoesPermuteExactly)
{
  for (const auto layout : { Version2, Version3 })
  {
    const auto order = medcrypt::CiphertextPermutation(PermutationKeys(), 32, layout);
    std::vector<float> network(order.size());
    std::mt19937 random(5);
    std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
    for (auto & v : network)
    {
      v = uniform(random);
    }
    std::vector<float> stored(order.size());
    std::vector<float> back(order.size(), -1.0f);
    medcrypt::PermuteTile(order, network.data(), stored.data());
    EXPECT_NE(stored, network);
    medcrypt::UnpermuteTile(order, stored.data(), back.data());
    EXPECT_EQ(back, network);
  }
}

TEST(CiphertextPermutation, RefusesTilesThatAreNotWholeBlocks)
{
  const auto expectRefused = [](unsigned tile, medcrypt::CiphertextLayout layout, const std::string & words)
  {
    try
    {
      (void)medcrypt::CiphertextPermutation(PermutationKeys(), tile, layout);
      FAIL() << tile;
    }
    catch (const medcrypt::UserError & error)
    {
      EXPECT_NE(std::string(error.what()).find(words), std::string::npos) << error.what();
    }
  };
  for (const unsigned tile : { 0u, 12u, 20u })
  {
    expectRefused(tile, Version2, "multiple of 8");
  }
  for (const unsigned tile : { 0u, 8u, 24u, 40u })
  {
    expectRefused(tile, Version3, "multiple of 16");
  }
  expectRefused(64, medcrypt::CiphertextLayout{ 8, 12 }, "multiple of the cell edge");
}

// ---- exact envelope
// ----------------------------------------------------------------------------------------------------

using KeyPointer = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using X509Pointer = std::unique_ptr<X509, decltype(&X509_free)>;

/** A fresh key pair and a self-signed certificate for it, written as PEM files. */
struct Recipient
{
  std::string certificateFile;
  std::string privateKeyFile;
};

Recipient
MakeRecipient(const medcrypt::testing::TemporaryDirectory & directory, const std::string & name, bool elliptic)
{
  KeyPointer key(elliptic ? EVP_EC_gen("P-256") : EVP_RSA_gen(2048), &EVP_PKEY_free);
  EXPECT_TRUE(key);
  X509Pointer certificate(X509_new(), &X509_free);
  X509_set_version(certificate.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(certificate.get()),
                   static_cast<long>(std::hash<std::string>{}(name)&0x7FFFFFFF));
  X509_gmtime_adj(X509_getm_notBefore(certificate.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(certificate.get()), 3600);
  X509_NAME * subject = X509_get_subject_name(certificate.get());
  X509_NAME_add_entry_by_txt(
    subject, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char *>(name.c_str()), -1, -1, 0);
  X509_set_issuer_name(certificate.get(), subject);
  X509_set_pubkey(certificate.get(), key.get());
  EXPECT_GT(X509_sign(certificate.get(), key.get(), EVP_sha256()), 0);

  Recipient recipient{ directory / (name + ".crt"), directory / (name + ".key") };
  FILE * file = std::fopen(recipient.certificateFile.c_str(), "w");
  PEM_write_X509(file, certificate.get());
  std::fclose(file);
  file = std::fopen(recipient.privateKeyFile.c_str(), "w");
  PEM_write_PrivateKey(file, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(file);
  return recipient;
}

bool
Contains(const Bytes & haystack, const Bytes & needle)
{
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) != haystack.end();
}

TEST(Envelope, KekRoundTripIsAuthEnvelopedDataWithAesGcm)
{
  const Bytes plain = RandomBytes(100000);
  const Bytes envelope = SealEnvelope(plain, FixedKey());
  EXPECT_EQ(OpenEnvelope(envelope, FixedKey(), "e.mcenvelope"), plain);
  // DER object identifiers: id-ct-authEnvelopedData 1.2.840.113549.1.9.16.1.23, aes256-GCM
  // 2.16.840.1.101.3.4.1.46, id-aes256-wrap 2.16.840.1.101.3.4.1.45, and the KEK identifier.
  EXPECT_TRUE(Contains(envelope, FromHex("060b2a864886f70d0109100117")));
  EXPECT_TRUE(Contains(envelope, FromHex("060960864801650304012e")));
  EXPECT_TRUE(Contains(envelope, FromHex("060960864801650304012d")));
  EXPECT_TRUE(Contains(envelope, Bytes(EnvelopeKekIdentifier.begin(), EnvelopeKekIdentifier.end())));
  // Fresh content key and nonce each time.
  EXPECT_NE(SealEnvelope(plain, FixedKey()), envelope);
  // Empty content and the DICOM padding byte.
  const Bytes empty = SealEnvelope(Bytes(), FixedKey());
  EXPECT_TRUE(OpenEnvelope(empty, FixedKey(), "e").empty());
  Bytes padded = envelope;
  padded.push_back(0);
  EXPECT_EQ(OpenEnvelope(padded, FixedKey(), "e"), plain);
}

TEST(Envelope, WrongKeyAndTamperingAreRefused)
{
  const Bytes plain = RandomBytes(1000);
  const Bytes envelope = SealEnvelope(plain, FixedKey());
  ExpectAuthenticationError([&] { OpenEnvelope(envelope, OtherKey(), "w.mcenvelope"); }, "w.mcenvelope");
  // The last 16 bytes are the GCM tag (the value of the mac OCTET STRING, whose 2-byte DER header comes
  // before it); the 1000 bytes before that header are the encrypted content.
  for (std::size_t back : { 1u, 8u, 16u, 19u, 500u, 1018u })
  {
    Bytes changed = envelope;
    changed[changed.size() - back] ^= 0x01;
    ExpectAuthenticationError([&] { OpenEnvelope(changed, FixedKey(), "t.mcenvelope"); }, "t.mcenvelope");
  }
  // The wrapped content key (inside the KEK recipient): find it after the key identifier.
  Bytes changed = envelope;
  const auto id =
    std::search(changed.begin(), changed.end(), EnvelopeKekIdentifier.begin(), EnvelopeKekIdentifier.end());
  ASSERT_NE(id, changed.end());
  *(id + static_cast<long>(EnvelopeKekIdentifier.size()) + 20) ^= 0x01;
  ExpectAuthenticationError([&] { OpenEnvelope(changed, FixedKey(), "k.mcenvelope"); }, "k.mcenvelope");
  // Every single-byte change is refused or leaves the plaintext unchanged (a few DER fields, such as
  // version numbers, are not authenticated by RFC 5083 and do not reach the plaintext).
  for (std::size_t i = 0; i < envelope.size(); i += 7)
  {
    Bytes one = envelope;
    one[i] ^= 0x04;
    try
    {
      EXPECT_EQ(OpenEnvelope(one, FixedKey(), "o"), plain) << i;
    }
    catch (const UserError &)
    {
    }
  }
}

TEST(Envelope, ForeignInputIsAUserError)
{
  EXPECT_THROW(OpenEnvelope(Bytes(), FixedKey(), "n"), UserError);
  EXPECT_THROW(OpenEnvelope(RandomBytes(64), FixedKey(), "n"), UserError);
  const Bytes envelope = SealEnvelope(RandomBytes(10), FixedKey());
  EXPECT_THROW(OpenEnvelope(ByteView(envelope.data(), envelope.size() - 1), FixedKey(), "n"), UserError);
  Bytes twoExtra = envelope;
  twoExtra.insert(twoExtra.end(), { 0, 0 });
  EXPECT_THROW(OpenEnvelope(twoExtra, FixedKey(), "n"), UserError);
  EXPECT_THROW(SealEnvelope(Bytes(1), FixedKey(), { "/nonexistent/cert.pem" }), UserError);
}

TEST(Envelope, CertificateRecipientsOpenWithTheirPrivateKeyAlone)
{
  medcrypt::testing::TemporaryDirectory directory;
  const Recipient rsa = MakeRecipient(directory, "site-rsa", false);
  const Recipient ec = MakeRecipient(directory, "site-ec", true);
  const Recipient stranger = MakeRecipient(directory, "stranger", false);
  const Bytes plain = RandomBytes(5000);
  const Bytes envelope = SealEnvelope(plain, FixedKey(), { rsa.certificateFile, ec.certificateFile });

  // RSA recipients use RSAES-OAEP (1.2.840.113549.1.1.7) with SHA-256 (2.16.840.1.101.3.4.2.1); EC
  // recipients dhSinglePass-stdDH-sha256kdf-scheme (1.3.132.1.11.1).
  EXPECT_TRUE(Contains(envelope, FromHex("06092a864886f70d010107")));
  EXPECT_TRUE(Contains(envelope, FromHex("0609608648016503040201")));
  EXPECT_TRUE(Contains(envelope, FromHex("06062b8104010b01")));
  EXPECT_EQ(OpenEnvelopeWithPrivateKey(envelope, rsa.certificateFile, rsa.privateKeyFile, "c"), plain);
  EXPECT_EQ(OpenEnvelopeWithPrivateKey(envelope, ec.certificateFile, ec.privateKeyFile, "c"), plain);
  EXPECT_EQ(OpenEnvelope(envelope, FixedKey(), "c"), plain); // the KEK recipient is always there
  ExpectAuthenticationError(
    [&] { OpenEnvelopeWithPrivateKey(envelope, stranger.certificateFile, stranger.privateKeyFile, "s.mcenvelope"); },
    "s.mcenvelope");
  // A private key that does not belong to the certificate.
  EXPECT_THROW(OpenEnvelopeWithPrivateKey(envelope, rsa.certificateFile, stranger.privateKeyFile, "c"), UserError);
  // A certificate file that is not PEM.
  const std::string junk = directory / "junk.pem";
  FILE * file = std::fopen(junk.c_str(), "w");
  std::fputs("not a certificate\n", file);
  std::fclose(file);
  EXPECT_THROW(SealEnvelope(plain, FixedKey(), { junk }), UserError);
  // Tampering is refused on the certificate path too.
  Bytes changed = envelope;
  changed[changed.size() - 20] ^= 0x01;
  ExpectAuthenticationError([&] { OpenEnvelopeWithPrivateKey(changed, rsa.certificateFile, rsa.privateKeyFile, "r"); },
                            "r");
}

} // namespace
