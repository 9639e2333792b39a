// The DICOM layer of encrypt/decrypt (converter/dicom/): tree walk, pixel decoding, deterministic UIDs,
// encrypted and restored datasets, the Modified Attributes plaintext, atomic output and the journal.
// Every DICOM file is generated here with DCMTK (native, RLE, JPEG-LS and JPEG lossless), so the suite
// runs without data/; the test over data/dicom-tree runs only where that tree exists.
#include "AtomicFileWriter.h"
#include "ProgramRunning.h"
#include "ConversionJournal.h"
#include "DicomCodecs.h"
#include "DicomFileIO.h"
#include "DicomPixelData.h"
#include "DicomTreeWalker.h"
#include "DicomUid.h"
#include "EncryptedDatasetBuilder.h"
#include "MedcryptPrivateBlock.h"
#include "ModifiedAttributes.h"
#include "RestoredDatasetBuilder.h"

#include "medcrypt/CipherHeader.h"
#include "medcrypt/Error.h"
#include "medcrypt/PoolDigests.h"
#include "medcrypt/UserKey.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcostrmb.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcpxitem.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmjpeg/djrplol.h>
#include <dcmtk/dcmjpls/djrparam.h>

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <numeric>
#include <sstream>
#include <climits>
#include <algorithm>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace medcrypt;
using namespace medcrypt::dicom;
using medcrypt::testing::ReadBytes;
using medcrypt::testing::WriteBytes;

namespace
{

/** This process's scratch directory. */
fs::path
ScratchRoot()
{
  return fs::temp_directory_path() / ("medcrypt-dicom-gtest-" + std::to_string(::getpid()));
}

/** Removes the scratch directory when the suite ends. */
class ScratchCleanup : public ::testing::Environment
{
public:
  void
  TearDown() override
  {
    std::error_code ignored;
    fs::remove_all(ScratchRoot(), ignored);
  }
};

[[maybe_unused]] ::testing::Environment * const scratchCleanup =
  ::testing::AddGlobalTestEnvironment(new ScratchCleanup);

/** A fresh empty directory per test. */
fs::path
TestDirectory(const std::string & name)
{
  const fs::path directory = ScratchRoot() / name;
  fs::remove_all(directory);
  fs::create_directories(directory);
  return directory;
}

/** What a generated image looks like. */
struct ImageSpec
{
  std::uint16_t rows = 12;
  std::uint16_t columns = 10;
  std::uint32_t frames = 1;
  std::uint16_t samplesPerPixel = 1;
  std::uint16_t bitsAllocated = 16;
  std::uint16_t bitsStored = 12;
  bool isSigned = false;
  std::string seriesUid = "1.2.826.0.1.3680043.10.1234.1";
  std::string sopInstanceUid = "1.2.826.0.1.3680043.10.1234.1.1";
};

/** The stored value of sample (frame, channel, row, column): a mix that covers the whole range of
 * bitsStored, offset into the signed range for signed images. */
std::int64_t
ExpectedValue(const ImageSpec & spec,
              std::uint32_t frame,
              std::uint16_t channel,
              std::uint32_t row,
              std::uint32_t column)
{
  const std::int64_t range = std::int64_t{ 1 } << spec.bitsStored;
  const std::int64_t mixed = (row * 131 + column * 71 + frame * 997 + channel * 313 + row * column * 2477) % range;
  return spec.isSigned ? mixed - range / 2 : mixed;
}

/** A DICOM image per `spec`, native explicit little endian, colour by pixel. */
std::unique_ptr<DcmFileFormat>
MakeImage(const ImageSpec & spec)
{
  auto file = std::make_unique<DcmFileFormat>();
  DcmDataset & data = *file->getDataset();
  const bool colour = spec.samplesPerPixel == 3;
  data.putAndInsertString(
    DCM_SOPClassUID, spec.frames > 1 ? UID_MultiframeGrayscaleWordSecondaryCaptureImageStorage : UID_CTImageStorage);
  data.putAndInsertString(DCM_SOPInstanceUID, spec.sopInstanceUid.c_str());
  data.putAndInsertString(DCM_StudyInstanceUID, "1.2.826.0.1.3680043.10.1234");
  data.putAndInsertString(DCM_SeriesInstanceUID, spec.seriesUid.c_str());
  data.putAndInsertString(DCM_FrameOfReferenceUID, "1.2.826.0.1.3680043.10.1234.9");
  data.putAndInsertString(DCM_Modality, "CT");
  data.putAndInsertString(DCM_PatientName, "Test^Patient");
  data.putAndInsertString(DCM_PatientID, "MC-0001");
  data.putAndInsertString(DCM_ImageType, "ORIGINAL\\PRIMARY\\AXIAL");
  data.putAndInsertString(DCM_RescaleIntercept, "-1024");
  data.putAndInsertString(DCM_RescaleSlope, "1");
  data.putAndInsertString(DCM_RescaleType, "HU");
  data.putAndInsertString(DCM_WindowCenter, "40\\400");
  data.putAndInsertString(DCM_WindowWidth, "400\\2000");
  data.putAndInsertString(DCM_WindowCenterWidthExplanation, "SOFT\\BONE");
  data.putAndInsertUint16(DCM_Rows, spec.rows);
  data.putAndInsertUint16(DCM_Columns, spec.columns);
  if (spec.frames > 1)
  {
    data.putAndInsertString(DCM_NumberOfFrames, std::to_string(spec.frames).c_str());
  }
  data.putAndInsertUint16(DCM_SamplesPerPixel, spec.samplesPerPixel);
  data.putAndInsertString(DCM_PhotometricInterpretation, colour ? "RGB" : "MONOCHROME2");
  if (colour)
  {
    data.putAndInsertUint16(DCM_PlanarConfiguration, 0);
  }
  data.putAndInsertUint16(DCM_BitsAllocated, spec.bitsAllocated);
  data.putAndInsertUint16(DCM_BitsStored, spec.bitsStored);
  data.putAndInsertUint16(DCM_HighBit, spec.bitsStored - 1);
  data.putAndInsertUint16(DCM_PixelRepresentation, spec.isSigned ? 1 : 0);

  const unsigned bytesPerSample = spec.bitsAllocated / 8;
  std::vector<std::uint8_t> bytes;
  for (std::uint32_t frame = 0; frame < spec.frames; ++frame)
    for (std::uint32_t row = 0; row < spec.rows; ++row)
      for (std::uint32_t column = 0; column < spec.columns; ++column)
        for (std::uint16_t channel = 0; channel < spec.samplesPerPixel; ++channel)
        {
          const auto value = static_cast<std::uint32_t>(ExpectedValue(spec, frame, channel, row, column));
          for (unsigned i = 0; i < bytesPerSample; ++i)
          {
            bytes.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
          }
        }
  if (bytesPerSample == 1)
  {
    data.putAndInsertUint8Array(DCM_PixelData, bytes.data(), static_cast<unsigned long>(bytes.size()));
  }
  else
  {
    std::vector<Uint16> words(bytes.size() / 2);
    for (std::size_t i = 0; i < words.size(); ++i)
    {
      words[i] = static_cast<Uint16>(bytes[2 * i] | (bytes[2 * i + 1] << 8));
    }
    data.putAndInsertUint16Array(DCM_PixelData, words.data(), static_cast<unsigned long>(words.size()));
  }
  return file;
}

/** Saves `spec`'s image in `xfer` (compressing with DCMTK's encoders where needed). */
fs::path
SaveImage(const ImageSpec & spec, E_TransferSyntax xfer, const fs::path & path)
{
  RegisterDicomCodecs();
  auto file = MakeImage(spec);
  std::unique_ptr<DcmRepresentationParameter> parameter;
  if (xfer == EXS_JPEGLSLossless)
  {
    parameter = std::make_unique<DJLSRepresentationParameter>(0, OFTrue);
  }
  else if (xfer == EXS_JPEGProcess14SV1)
  {
    parameter = std::make_unique<DJ_RPLossless>();
  }
  if (DcmXfer(xfer).isEncapsulated())
  {
    const OFCondition status = file->getDataset()->chooseRepresentation(xfer, parameter.get());
    if (status.bad() || !file->getDataset()->canWriteXfer(xfer))
    {
      ADD_FAILURE() << "DCMTK cannot encode in " << DescribeTransferSyntax(xfer) << ": " << status.text();
    }
  }
  const OFCondition status = file->saveFile(OFFilename(path.c_str()), xfer);
  EXPECT_TRUE(status.good()) << path << ": " << status.text();
  return path;
}

/** The bytes of a dataset written by DCMTK in `xfer` (to compare two datasets element for element). */
std::vector<std::uint8_t>
DatasetBytes(DcmDataset & dataset, E_TransferSyntax xfer)
{
  dataset.loadAllDataIntoMemory();
  const Uint32 length = dataset.getLength(xfer, EET_ExplicitLength);
  std::vector<std::uint8_t> buffer(static_cast<std::size_t>(length) + 1024);
  DcmOutputBufferStream stream(buffer.data(), static_cast<offile_off_t>(buffer.size()));
  dataset.transferInit();
  const OFCondition status = dataset.write(stream, xfer, EET_ExplicitLength, nullptr);
  dataset.transferEnd();
  EXPECT_TRUE(status.good()) << status.text();
  void * data = nullptr;
  offile_off_t written = 0;
  stream.flushBuffer(data, written);
  buffer.resize(static_cast<std::size_t>(written));
  return buffer;
}

std::string
GetString(DcmItem & item, const DcmTagKey & tag)
{
  OFString value;
  item.findAndGetOFStringArray(tag, value);
  return value.c_str();
}

/** Runs a shell command and returns its standard output (empty when it fails to start). */
std::string
CommandOutput(const std::string & command, int & status)
{
  std::string result;
  FILE * pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr)
  {
    status = -1;
    return result;
  }
  std::array<char, 4096> buffer{};
  std::size_t count = 0;
  while ((count = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
  {
    result.append(buffer.data(), count);
  }
  status = ::pclose(pipe);
  return result;
}

bool
PydicomAvailable()
{
  int status = 0;
  CommandOutput("/usr/bin/python3 -c 'import pydicom, numpy' 2>/dev/null", status);
  return status == 0;
}

const std::array<std::uint8_t, 32> TestUidSecret = { 1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
                                                     17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32 };

/** The test double of the network: replacement frames that are simply a fixed scramble of the stored
 * values (the DICOM layer must not care what the values are). */
EncryptedFrames
StandInFrames(const DicomPixelData & pixels)
{
  const PixelFormat & format = pixels.Format();
  EncryptedFrames frames;
  frames.rows = format.rows;
  frames.columns = format.columns;
  frames.frames = format.frames;
  frames.samplesPerPixel = format.samplesPerPixel;
  for (std::uint32_t frame = 0; frame < format.frames; ++frame)
    for (std::uint16_t channel = 0; channel < format.samplesPerPixel; ++channel)
      for (const std::int64_t value : pixels.Plane(frame, channel))
      {
        frames.samples.push_back(static_cast<std::uint16_t>((value * 40503 + 12345 + frame) & 0xFFFF));
      }
  return frames;
}

/** The outcome of encrypting one file with the stand-in frames and restoring it again. */
struct RoundTrip
{
  fs::path encryptedPath;
  fs::path restoredPath;
  EncryptedFrames frames;
  EncryptedParts parts;
};

RoundTrip
EncryptAndRestore(const fs::path & input, const fs::path & directory)
{
  RoundTrip result;
  auto original = LoadDicomFile(input);
  const auto pixels = DicomPixelData::Decode(*original->getDataset(), input.string());
  result.frames = StandInFrames(pixels);
  const auto item = CollectModifiedAttributes(*original, true, input.string());
  result.parts.cipherHeader = { 'h', 'e', 'a', 'd', 'e', 'r', 0, 1, 2, 3 };
  result.parts.hasEnvelope = true;
  result.parts.envelopeTransferSyntaxUid = EncryptedContentTransferSyntaxUid;
  // Stand-in for the CMS envelope: this layer treats the envelope as opaque bytes, so the plaintext
  // itself travels here (the real caller seals it with SealEnvelope).
  result.parts.envelope = SerializeModifiedAttributes(*item);

  const EncryptedDatasetBuilder builder{ ByteView(TestUidSecret) };
  auto encrypted = builder.Build(*original, result.frames, result.parts, input.string());
  result.encryptedPath = directory / (input.stem().string() + ".encrypted.dcm");
  SaveDicomFile(*encrypted, EXS_LittleEndianExplicit, result.encryptedPath);

  auto reloaded = LoadDicomFile(result.encryptedPath);
  const auto parts = ReadEncryptedParts(*reloaded->getDataset(), result.encryptedPath.string());
  if (!parts || !parts->hasEnvelope)
  {
    ADD_FAILURE() << result.encryptedPath << ": no MEDCRYPT block or envelope after reloading";
    return result;
  }
  const auto restoredItem =
    ParseModifiedAttributes(ByteView(parts->envelope), parts->envelopeTransferSyntaxUid, result.encryptedPath.string());
  auto restored = RestoredDatasetBuilder::Build(*reloaded, *restoredItem, result.encryptedPath.string());
  result.restoredPath = directory / (input.stem().string() + ".restored.dcm");
  SaveDicomFile(*restored.file, restored.transferSyntax, result.restoredPath);
  return result;
}

} // namespace

// ---------------------------------------------------------------------------------------------------
// UIDs

TEST(DicomUid, DecimalOf128BitValuesWorkedOutByHand)
{
  std::array<std::uint8_t, 16> value{};
  EXPECT_EQ(UnsignedDecimal128(value), "0");
  value[15] = 1;
  EXPECT_EQ(UnsignedDecimal128(value), "1");
  value = {};
  value[15] = 10;
  EXPECT_EQ(UnsignedDecimal128(value), "10");
  value = {};
  value[7] = 1; // 2^64
  EXPECT_EQ(UnsignedDecimal128(value), "18446744073709551616");
  value = {};
  value[8] = 0xFF, value[9] = 0xFF, value[10] = 0xFF, value[11] = 0xFF;   // 2^64 - 2^32 ... low word zero
  value[12] = 0xFF, value[13] = 0xFF, value[14] = 0xFF, value[15] = 0xFF; // 2^64 - 1
  EXPECT_EQ(UnsignedDecimal128(value), "18446744073709551615");
  value.fill(0xFF); // 2^128 - 1
  EXPECT_EQ(UnsignedDecimal128(value), "340282366920938463463374607431768211455");
  value = {};
  value[0] = 0x80; // 2^127
  EXPECT_EQ(UnsignedDecimal128(value), "170141183460469231731687303715884105728");
}

TEST(DicomUid, DeriveUidIsHmacSha256TruncatedTo128Bits)
{
  // RFC 4231 test case 2: HMAC-SHA256(key "Jefe", "what do ya want for nothing?") starts with
  // 5bdcc146bf60754e6a042426089575c7; that 128-bit number in decimal (Python: int('5bdc...75c7', 16)).
  const std::string key = "Jefe";
  EXPECT_EQ(DeriveUid(ByteView::FromString(key), "what do ya want for nothing?"),
            "2.25.122105973035558135001342321684253078983");
  // DICOM padding of the original value does not change the result.
  EXPECT_EQ(DeriveUid(ByteView::FromString(key), std::string("what do ya want for nothing?") + '\0'),
            DeriveUid(ByteView::FromString(key), "what do ya want for nothing?"));
}

TEST(DicomUid, DeterministicValidAndDistinct)
{
  const ByteView secret(TestUidSecret);
  std::array<std::uint8_t, 32> otherSecret = TestUidSecret;
  otherSecret[0] ^= 1;
  const std::string a = DeriveUid(secret, "1.2.840.113619.2.1.1.1");
  EXPECT_EQ(a, DeriveUid(secret, "1.2.840.113619.2.1.1.1"));
  EXPECT_NE(a, DeriveUid(secret, "1.2.840.113619.2.1.1.2"));
  EXPECT_NE(a, DeriveUid(ByteView(otherSecret), "1.2.840.113619.2.1.1.1"));
  for (int i = 0; i < 200; ++i)
  {
    const std::string uid = DeriveUid(secret, "1.2.3." + std::to_string(i));
    EXPECT_TRUE(IsValidUid(uid)) << uid;
    EXPECT_LE(uid.size(), 44u);
    EXPECT_EQ(uid.rfind("2.25.", 0), 0u);
  }
  EXPECT_FALSE(IsValidUid("2.25.0123"));
  EXPECT_FALSE(IsValidUid("2..25"));
  EXPECT_FALSE(IsValidUid("2.25.x"));
  EXPECT_TRUE(IsValidUid("2.25.0"));
  EXPECT_THROW(DeriveUid(ByteView(), "1.2"), std::invalid_argument);
}

// ---------------------------------------------------------------------------------------------------
// Pixel decoding

struct DecodeCase
{
  const char * name;
  ImageSpec spec;
  E_TransferSyntax xfer;
};

class DicomPixelDecoding : public ::testing::TestWithParam<DecodeCase>
{
};

TEST_P(DicomPixelDecoding, GivesTheStoredValues)
{
  const DecodeCase & c = GetParam();
  const fs::path path = SaveImage(c.spec, c.xfer, TestDirectory(std::string("decode-") + c.name) / "image.dcm");
  auto file = LoadDicomFile(path);
  ASSERT_EQ(file->getDataset()->getOriginalXfer(), c.xfer);
  const auto pixels = DicomPixelData::Decode(*file->getDataset(), path.string());
  const PixelFormat & format = pixels.Format();
  EXPECT_EQ(format.rows, c.spec.rows);
  EXPECT_EQ(format.columns, c.spec.columns);
  EXPECT_EQ(format.frames, c.spec.frames);
  EXPECT_EQ(format.samplesPerPixel, c.spec.samplesPerPixel);
  EXPECT_EQ(format.bitsStored, c.spec.bitsStored);
  EXPECT_EQ(format.pixelRepresentation, c.spec.isSigned ? 1 : 0);
  EXPECT_EQ(pixels.OriginalTransferSyntaxUid(), DcmXfer(c.xfer).getXferID());
  std::size_t mismatches = 0;
  for (std::uint32_t frame = 0; frame < c.spec.frames; ++frame)
    for (std::uint16_t channel = 0; channel < c.spec.samplesPerPixel; ++channel)
    {
      const auto plane = pixels.Plane(frame, channel);
      ASSERT_EQ(plane.size(), std::size_t{ c.spec.rows } * c.spec.columns);
      for (std::uint32_t row = 0; row < c.spec.rows; ++row)
        for (std::uint32_t column = 0; column < c.spec.columns; ++column)
        {
          mismatches += plane[row * c.spec.columns + column] != ExpectedValue(c.spec, frame, channel, row, column);
        }
    }
  EXPECT_EQ(mismatches, 0u);
  EXPECT_THROW(pixels.Plane(c.spec.frames, 0), std::out_of_range);
}

ImageSpec
Spec(std::uint16_t bitsAllocated,
     std::uint16_t bitsStored,
     bool isSigned,
     std::uint32_t frames = 1,
     std::uint16_t samples = 1)
{
  ImageSpec spec;
  spec.bitsAllocated = bitsAllocated;
  spec.bitsStored = bitsStored;
  spec.isSigned = isSigned;
  spec.frames = frames;
  spec.samplesPerPixel = samples;
  return spec;
}

INSTANTIATE_TEST_SUITE_P(
  GeneratedImages,
  DicomPixelDecoding,
  ::testing::Values(DecodeCase{ "u8", Spec(8, 8, false), EXS_LittleEndianExplicit },
                    DecodeCase{ "s8", Spec(8, 8, true), EXS_LittleEndianExplicit },
                    DecodeCase{ "u12", Spec(16, 12, false), EXS_LittleEndianExplicit },
                    DecodeCase{ "s12", Spec(16, 12, true), EXS_LittleEndianExplicit },
                    DecodeCase{ "u16", Spec(16, 16, false), EXS_LittleEndianExplicit },
                    DecodeCase{ "s16", Spec(16, 16, true), EXS_LittleEndianExplicit },
                    DecodeCase{ "u16implicit", Spec(16, 16, false), EXS_LittleEndianImplicit },
                    DecodeCase{ "s16bigendian", Spec(16, 16, true), EXS_BigEndianExplicit },
                    DecodeCase{ "u32", Spec(32, 32, false), EXS_LittleEndianExplicit },
                    DecodeCase{ "s32", Spec(32, 20, true), EXS_LittleEndianExplicit },
                    DecodeCase{ "u16deflated", Spec(16, 16, false), EXS_DeflatedLittleEndianExplicit },
                    DecodeCase{ "multiframe", Spec(16, 12, false, 3), EXS_LittleEndianExplicit },
                    DecodeCase{ "rgb8", Spec(8, 8, false, 2, 3), EXS_LittleEndianExplicit },
                    DecodeCase{ "rle_u12", Spec(16, 12, false), EXS_RLELossless },
                    DecodeCase{ "rle_s16_multiframe", Spec(16, 16, true, 3), EXS_RLELossless },
                    DecodeCase{ "rle_rgb8", Spec(8, 8, false, 2, 3), EXS_RLELossless },
                    DecodeCase{ "jpegls_u12", Spec(16, 12, false), EXS_JPEGLSLossless },
                    DecodeCase{ "jpegls_u16_multiframe", Spec(16, 16, false, 2), EXS_JPEGLSLossless },
                    DecodeCase{ "jpeglossless_u12", Spec(16, 12, false), EXS_JPEGProcess14SV1 },
                    DecodeCase{ "jpeglossless_u8", Spec(8, 8, false), EXS_JPEGProcess14SV1 }),
  [](const ::testing::TestParamInfo<DecodeCase> & info) { return std::string(info.param.name); });

TEST(DicomPixelDecoding, MasksBitsAboveBitsStored)
{
  // A 12-bit image whose unused high bits hold junk (an overlay in old files): only the low 12 count.
  const ImageSpec spec = Spec(16, 12, false);
  auto file = MakeImage(spec);
  Uint16 * words = nullptr;
  DcmElement * element = nullptr;
  ASSERT_TRUE(file->getDataset()->findAndGetElement(DCM_PixelData, element).good());
  ASSERT_TRUE(element->getUint16Array(words).good());
  words[0] |= 0xF000;
  words[5] |= 0x8000;
  const auto pixels = DicomPixelData::Decode(*file->getDataset(), "memory");
  EXPECT_EQ(pixels.Sample(0, 0, 0, 0), ExpectedValue(spec, 0, 0, 0, 0));
  EXPECT_EQ(pixels.Sample(0, 0, 0, 5), ExpectedValue(spec, 0, 0, 0, 5));
  EXPECT_EQ(pixels.StoredSampleType(), SampleType::UInt16);
}

/** Decodes `path` in a forked child and compares every sample with ExpectedValue(spec): a decoder that
 * corrupts the heap or aborts fails this test instead of killing the whole suite. Returns a description
 * of what went wrong, or an empty string when every stored value came back. */
std::string
DecodeInChildAndCompare(const fs::path & path, const ImageSpec & spec)
{
  std::fflush(nullptr);
  const pid_t child = ::fork();
  if (child == 0)
  {
    int code = 0;
    try
    {
      auto file = LoadDicomFile(path);
      const auto pixels = DicomPixelData::Decode(*file->getDataset(), path.string());
      const PixelFormat & format = pixels.Format();
      if (format.rows != spec.rows || format.columns != spec.columns || format.frames != spec.frames)
      {
        code = 3;
      }
      else
      {
        for (std::uint32_t frame = 0; frame < spec.frames && code == 0; ++frame)
        {
          const auto plane = pixels.Plane(frame, 0);
          for (std::uint32_t row = 0; row < spec.rows; ++row)
            for (std::uint32_t column = 0; column < spec.columns; ++column)
            {
              code |= plane[row * spec.columns + column] != ExpectedValue(spec, frame, 0, row, column) ? 4 : 0;
            }
        }
      }
    }
    catch (const UserError &)
    {
      code = 2;
    }
    catch (...)
    {
      code = 5;
    }
    ::_exit(code);
  }
  int status = 0;
  if (child < 0 || ::waitpid(child, &status, 0) != child)
  {
    return "cannot fork the decoding child";
  }
  if (WIFSIGNALED(status))
  {
    return "the decoder crashed with signal " + std::to_string(WTERMSIG(status));
  }
  switch (WEXITSTATUS(status))
  {
    case 0:
      return "";
    case 2:
      return "Decode threw UserError";
    case 3:
      return "wrong rows, columns or frames";
    case 4:
      return "decoded values differ from the stored values before compression";
    default:
      return "Decode failed with exit code " + std::to_string(WEXITSTATUS(status));
  }
}

TEST(DicomPixelDecoding, SmallOddSizedJpegLsFromDcmtkDecodesExactly)
{
  // Regression: 12-bit JPEG-LS images of odd sizes (33 columns x 36 rows) written by DCMTK crashed the
  // process inside DCMTK's JPEG-LS decoder, whose legacy JpegLs* calls bound to the system CharLS 2
  // (another ABI) once libcharls.so.2 was loaded. (Tiny images are left out: DCMTK 3.6.7's encoder
  // itself writes past its buffer in fixPaddingIfNecessary for them.) Encoded by DCMTK's encoder (unsigned 12 and 16
  // bits, several sizes) and by the dcmcjpls tool (signed 12 bits, which DCMTK's in-process encoder cannot encode).
  const fs::path directory = TestDirectory("decode-jpegls-odd");
  for (const auto & [rows, columns] :
       std::vector<std::pair<std::uint16_t, std::uint16_t>>{ { 36, 33 }, { 40, 33 }, { 33, 36 }, { 37, 35 } })
  {
    for (const std::uint16_t bitsStored : { std::uint16_t{ 12 }, std::uint16_t{ 16 } })
    {
      ImageSpec spec = Spec(16, bitsStored, false);
      spec.rows = rows;
      spec.columns = columns;
      const std::string name = std::to_string(rows) + "x" + std::to_string(columns) + "_u" + std::to_string(bitsStored);
      const fs::path path = SaveImage(spec, EXS_JPEGLSLossless, directory / (name + ".dcm"));
      EXPECT_EQ(DecodeInChildAndCompare(path, spec), "") << name;
    }
    ImageSpec spec = Spec(16, 12, true);
    spec.rows = rows;
    spec.columns = columns;
    const std::string name = std::to_string(rows) + "x" + std::to_string(columns) + "_s12_dcmcjpls";
    const fs::path native = SaveImage(spec, EXS_LittleEndianExplicit, directory / (name + "_native.dcm"));
    const fs::path path = directory / (name + ".dcm");
    if (std::system(("/usr/bin/dcmcjpls " + native.string() + " " + path.string() + " >/dev/null 2>&1").c_str()) != 0)
    {
      ADD_FAILURE() << "dcmcjpls failed on " << native;
      continue;
    }
    EXPECT_EQ(DecodeInChildAndCompare(path, spec), "") << name;
  }
}

TEST(DicomPixelDecoding, DamagedJpegLsIsAUserErrorNamingTheFile)
{
  ImageSpec spec = Spec(16, 12, false);
  spec.rows = 36;
  spec.columns = 33;
  const fs::path path = SaveImage(spec, EXS_JPEGLSLossless, TestDirectory("decode-jpegls-damaged") / "image.dcm");
  auto file = LoadDicomFile(path);
  DcmElement * element = nullptr;
  ASSERT_TRUE(file->getDataset()->findAndGetElement(DCM_PixelData, element).good());
  DcmPixelSequence * sequence = nullptr;
  ASSERT_TRUE(
    static_cast<DcmPixelData *>(element)->getEncapsulatedRepresentation(EXS_JPEGLSLossless, nullptr, sequence).good());
  DcmPixelItem * fragment = nullptr;
  ASSERT_TRUE(sequence->getItem(fragment, 1).good());
  Uint8 * data = nullptr;
  ASSERT_TRUE(fragment->getUint8Array(data).good());
  ASSERT_GT(fragment->getLength(), 40u);
  // SOI and the start of the frame header only: CharLS cannot read the header. (A stream cut inside the
  // scan also fails, but CharLS 2.4.1 takes seconds to find out.)
  const std::vector<Uint8> truncated(data, data + 12);
  ASSERT_TRUE(fragment->putUint8Array(truncated.data(), static_cast<Uint32>(truncated.size())).good());
  try
  {
    DicomPixelData::Decode(*file->getDataset(), path.string());
    FAIL() << "a truncated JPEG-LS stream was decoded";
  }
  catch (const UserError & error)
  {
    EXPECT_NE(std::string(error.what()).find(path.string()), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("JPEG-LS"), std::string::npos) << error.what();
  }
}

TEST(DicomPixelDecoding, ExpandsNativeYbrFull422)
{
  // 1 row of 4 pixels, 8-bit: Y1 Y2 Cb Cr | Y3 Y4 Cb Cr.
  DcmDataset data;
  data.putAndInsertUint16(DCM_Rows, 1);
  data.putAndInsertUint16(DCM_Columns, 4);
  data.putAndInsertUint16(DCM_SamplesPerPixel, 3);
  data.putAndInsertString(DCM_PhotometricInterpretation, "YBR_FULL_422");
  data.putAndInsertUint16(DCM_PlanarConfiguration, 0);
  data.putAndInsertUint16(DCM_BitsAllocated, 8);
  data.putAndInsertUint16(DCM_BitsStored, 8);
  data.putAndInsertUint16(DCM_HighBit, 7);
  data.putAndInsertUint16(DCM_PixelRepresentation, 0);
  const Uint8 bytes[8] = { 10, 20, 100, 200, 30, 40, 110, 210 };
  data.putAndInsertUint8Array(DCM_PixelData, bytes, 8);
  const auto pixels = DicomPixelData::Decode(data, "memory");
  EXPECT_EQ(pixels.Format().photometricInterpretation, "YBR_FULL");
  EXPECT_EQ(pixels.Plane(0, 0), (std::vector<std::int64_t>{ 10, 20, 30, 40 }));
  EXPECT_EQ(pixels.Plane(0, 1), (std::vector<std::int64_t>{ 100, 100, 110, 110 }));
  EXPECT_EQ(pixels.Plane(0, 2), (std::vector<std::int64_t>{ 200, 200, 210, 210 }));
}

TEST(DicomPixelDecoding, RefusesJpeg2000AndShortPixelData)
{
  // A JPEG 2000 file (the syntax is what matters; DCMTK has no decoder for it).
  auto file = MakeImage(Spec(16, 16, false));
  const fs::path path = TestDirectory("j2k") / "fake-j2k.dcm";
  {
    // Pixel Data encapsulated as JPEG 2000: an empty offset table and one (dummy) fragment. The syntax is
    // what matters: DCMTK has no JPEG 2000 decoder.
    DcmFileFormat j2k(*file);
    auto * sequence = new DcmPixelSequence(DcmTag(DCM_PixelSequenceTag));
    sequence->insert(new DcmPixelItem(DcmTag(DCM_Item, EVR_OB)));
    auto * fragment = new DcmPixelItem(DcmTag(DCM_Item, EVR_OB));
    const Uint8 codestream[4] = { 0xFF, 0x4F, 0xFF, 0xD9 };
    fragment->putUint8Array(codestream, 4);
    sequence->insert(fragment);
    auto * pixelData = new DcmPixelData(DcmTag(DCM_PixelData, EVR_OB));
    pixelData->putOriginalRepresentation(EXS_JPEG2000LosslessOnly, nullptr, sequence);
    j2k.getDataset()->insert(pixelData, true);
    ASSERT_TRUE(j2k.saveFile(OFFilename(path.c_str()), EXS_JPEG2000LosslessOnly).good());
  }
  auto loaded = LoadDicomFile(path);
  ASSERT_EQ(loaded->getDataset()->getOriginalXfer(), EXS_JPEG2000LosslessOnly);
  try
  {
    DicomPixelData::Decode(*loaded->getDataset(), path.string());
    FAIL() << "JPEG 2000 was decoded";
  }
  catch (const UnsupportedPixelDataError & error)
  {
    EXPECT_NE(std::string(error.what()).find("JPEG 2000"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find(path.string()), std::string::npos) << error.what();
  }
  const DicomTreeEntry entry = DicomTreeWalker::Classify(path, "fake-j2k.dcm");
  EXPECT_EQ(entry.kind, DicomFileKind::Image);
  EXPECT_FALSE(entry.pixelDataDecodable);
  EXPECT_NE(entry.note.find("JPEG 2000"), std::string::npos) << entry.note;

  DcmDataset short16(*file->getDataset());
  short16.putAndInsertUint16(DCM_Rows, 100);
  EXPECT_THROW(DicomPixelData::Decode(short16, "short"), UserError);
}

// ---------------------------------------------------------------------------------------------------
// Tree walk

TEST(DicomTreeWalker, ClassifiesGroupsAndAvoidsLinkLoops)
{
  const fs::path root = TestDirectory("walk");
  const fs::path in = root / "in";
  fs::create_directories(in / "a");
  fs::create_directories(in / "b" / "c");
  ImageSpec s1 = Spec(16, 12, false);
  s1.seriesUid = "1.2.3.100";
  s1.sopInstanceUid = "1.2.3.100.1";
  SaveImage(s1, EXS_LittleEndianExplicit, in / "a" / "img1.dcm");
  s1.sopInstanceUid = "1.2.3.100.2";
  SaveImage(s1, EXS_RLELossless, in / "a" / "img2.dcm");
  ImageSpec s2 = Spec(8, 8, false);
  s2.seriesUid = "1.2.3.200";
  s2.sopInstanceUid = "1.2.3.200.1";
  SaveImage(s2, EXS_LittleEndianExplicit, in / "b" / "c" / "img3.dcm");
  {
    // A raw dataset (no preamble, no meta header), implicit VR.
    s2.sopInstanceUid = "1.2.3.200.2";
    auto file = MakeImage(s2);
    ASSERT_TRUE(
      file->getDataset()->saveFile(OFFilename((in / "b" / "raw.dcm").c_str()), EXS_LittleEndianImplicit).good());
  }
  {
    DcmFileFormat sr;
    sr.getDataset()->putAndInsertString(DCM_SOPClassUID, UID_BasicTextSRStorage);
    sr.getDataset()->putAndInsertString(DCM_SOPInstanceUID, "1.2.3.300.1");
    sr.getDataset()->putAndInsertString(DCM_SeriesInstanceUID, "1.2.3.300");
    sr.getDataset()->putAndInsertString(DCM_Modality, "SR");
    ASSERT_TRUE(sr.saveFile(OFFilename((in / "report.dcm").c_str()), EXS_LittleEndianExplicit).good());
  }
  {
    DcmFileFormat dir;
    dir.getMetaInfo()->putAndInsertString(DCM_MediaStorageSOPClassUID, UID_MediaStorageDirectoryStorage);
    dir.getMetaInfo()->putAndInsertString(DCM_MediaStorageSOPInstanceUID, "1.2.3.400");
    dir.getDataset()->putAndInsertString(DCM_FileSetID, "TEST");
    DcmItem * record = nullptr;
    dir.getDataset()->findOrCreateSequenceItem(DCM_DirectoryRecordSequence, record, 0);
    record->putAndInsertString(DCM_DirectoryRecordType, "PATIENT");
    ASSERT_TRUE(dir
                  .saveFile(OFFilename((in / "DICOMDIR").c_str()),
                            EXS_LittleEndianExplicit,
                            EET_ExplicitLength,
                            EGL_recalcGL,
                            EPD_noChange,
                            0,
                            0,
                            EWM_dontUpdateMeta)
                  .good());
  }
  WriteBytes(in / "notes.txt", { 'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd', '\n' });
  {
    auto bytes = ReadBytes(in / "a" / "img1.dcm");
    bytes.resize(bytes.size() - 40); // the end of Pixel Data is missing
    WriteBytes(in / "truncated.dcm", bytes);
  }
  fs::create_directory_symlink("..", in / "b" / "loop");
  fs::create_directory_symlink("a", in / "link-to-a");
  fs::create_symlink("missing.dcm", in / "broken-link.dcm");

  const DicomTree tree = DicomTreeWalker::Walk(in);
  std::map<std::string, DicomFileKind> kinds;
  for (const auto & entry : tree.entries)
  {
    kinds[entry.relativePath] = entry.kind;
  }
  const std::map<std::string, DicomFileKind> expected = {
    { "DICOMDIR", DicomFileKind::DicomDir },        { "a/img1.dcm", DicomFileKind::Image },
    { "a/img2.dcm", DicomFileKind::Image },         { "b/c/img3.dcm", DicomFileKind::Image },
    { "b/raw.dcm", DicomFileKind::Image },          { "broken-link.dcm", DicomFileKind::Unreadable },
    { "notes.txt", DicomFileKind::NotDicom },       { "report.dcm", DicomFileKind::NonImage },
    { "truncated.dcm", DicomFileKind::Unreadable },
  };
  EXPECT_EQ(kinds, expected);
  EXPECT_EQ(tree.skippedDirectoryLinks, (std::vector<std::string>{ "b/loop", "link-to-a" }));
  ASSERT_EQ(tree.series.size(), 2u);
  std::vector<std::string> series100, series200;
  for (const auto index : tree.series.at("1.2.3.100"))
    series100.push_back(tree.entries[index].relativePath);
  for (const auto index : tree.series.at("1.2.3.200"))
    series200.push_back(tree.entries[index].relativePath);
  EXPECT_EQ(series100, (std::vector<std::string>{ "a/img1.dcm", "a/img2.dcm" }));
  EXPECT_EQ(series200, (std::vector<std::string>{ "b/c/img3.dcm", "b/raw.dcm" }));
  for (const auto & entry : tree.entries)
  {
    if (entry.relativePath == "b/raw.dcm")
    {
      EXPECT_FALSE(entry.part10);
      EXPECT_EQ(entry.transferSyntaxUid, UID_LittleEndianImplicitTransferSyntax);
    }
    if (entry.relativePath == "a/img2.dcm")
    {
      EXPECT_TRUE(entry.part10);
      EXPECT_EQ(entry.transferSyntaxUid, UID_RLELosslessTransferSyntax);
      EXPECT_TRUE(entry.pixelDataDecodable);
    }
    if (entry.kind == DicomFileKind::Unreadable || entry.kind == DicomFileKind::NotDicom)
    {
      EXPECT_FALSE(entry.note.empty()) << entry.relativePath;
    }
  }
  EXPECT_EQ(tree.Count(DicomFileKind::Image), 4u);
  EXPECT_THROW(DicomTreeWalker::Walk(in / "notes.txt"), UserError);
}

TEST(DicomTreeWalker, RefusesAnOutputInsideOrEqualToTheInput)
{
  const fs::path root = TestDirectory("location");
  fs::create_directories(root / "in" / "sub");
  fs::create_directory_symlink(root / "in", root / "alias");
  EXPECT_THROW(DicomTreeWalker::CheckOutputLocation(root / "in", root / "in"), UserError);
  EXPECT_THROW(DicomTreeWalker::CheckOutputLocation(root / "in", root / "in/"), UserError);
  EXPECT_THROW(DicomTreeWalker::CheckOutputLocation(root / "in", root / "in" / "sub" / "out"), UserError);
  EXPECT_THROW(DicomTreeWalker::CheckOutputLocation(root / "in", root / "alias"), UserError);
  EXPECT_THROW(DicomTreeWalker::CheckOutputLocation(root / "in", root / "alias" / "new"), UserError);
  EXPECT_THROW(DicomTreeWalker::CheckOutputLocation(root / "in" / "sub", root / "in"), UserError);
  EXPECT_NO_THROW(DicomTreeWalker::CheckOutputLocation(root / "in", root / "out"));
  EXPECT_NO_THROW(DicomTreeWalker::CheckOutputLocation(root / "in", root / "in-encrypted"));
  try
  {
    DicomTreeWalker::CheckOutputLocation(root / "in", root / "in" / "sub" / "out");
  }
  catch (const UserError & error)
  {
    EXPECT_NE(std::string(error.what()).find("inside the input"), std::string::npos) << error.what();
  }
}

// ---------------------------------------------------------------------------------------------------
// Encrypted and restored datasets

class DicomRoundTrip : public ::testing::TestWithParam<DecodeCase>
{
};

TEST_P(DicomRoundTrip, EncryptedFileIsValidAndRestoreIsByteExact)
{
  const DecodeCase & c = GetParam();
  const fs::path directory = TestDirectory(std::string("roundtrip-") + c.name);
  const fs::path input = SaveImage(c.spec, c.xfer, directory / "original.dcm");
  const RoundTrip result = EncryptAndRestore(input, directory);

  // The encrypted file, read back by DCMTK.
  auto encrypted = LoadDicomFile(result.encryptedPath);
  DcmDataset & data = *encrypted->getDataset();
  EXPECT_EQ(data.getOriginalXfer(), EXS_LittleEndianExplicit);
  const std::string newSop = DeriveUid(ByteView(TestUidSecret), c.spec.sopInstanceUid);
  EXPECT_EQ(GetString(data, DCM_SOPInstanceUID), newSop);
  EXPECT_EQ(GetString(*encrypted->getMetaInfo(), DCM_MediaStorageSOPInstanceUID), newSop);
  EXPECT_EQ(GetString(data, DCM_SeriesInstanceUID), DeriveUid(ByteView(TestUidSecret), c.spec.seriesUid));
  EXPECT_EQ(GetString(data, DCM_StudyInstanceUID), "1.2.826.0.1.3680043.10.1234");
  EXPECT_EQ(GetString(data, DCM_PatientName), "Test^Patient");
  EXPECT_EQ(GetString(data, DCM_ImageType), "DERIVED\\SECONDARY\\AXIAL");
  EXPECT_EQ(GetString(data, DCM_BurnedInAnnotation), "NO");
  EXPECT_EQ(GetString(data, DCM_DerivationDescription), EncryptedDerivationDescription);
  EXPECT_EQ(GetString(data, DCM_PhotometricInterpretation), c.spec.samplesPerPixel == 1 ? "MONOCHROME2" : "RGB");
  EXPECT_EQ(GetString(data, DCM_BitsAllocated), "16");
  EXPECT_EQ(GetString(data, DCM_BitsStored), "16");
  EXPECT_EQ(GetString(data, DCM_HighBit), "15");
  EXPECT_EQ(GetString(data, DCM_PixelRepresentation), "0");
  EXPECT_EQ(GetString(data, DCM_RescaleIntercept), "0");
  EXPECT_EQ(GetString(data, DCM_RescaleSlope), "1");
  EXPECT_EQ(GetString(data, DCM_WindowCenter), "32767.5");
  EXPECT_EQ(GetString(data, DCM_WindowWidth), "65536");
  EXPECT_FALSE(data.tagExists(DCM_WindowCenterWidthExplanation));
  const Uint16 * pixels = nullptr;
  unsigned long count = 0;
  ASSERT_TRUE(data.findAndGetUint16Array(DCM_PixelData, pixels, &count).good());
  ASSERT_EQ(count, result.frames.samples.size());
  EXPECT_TRUE(std::equal(pixels, pixels + count, result.frames.samples.begin()));
  const auto parts = ReadEncryptedParts(data, result.encryptedPath.string());
  ASSERT_TRUE(parts.has_value());
  EXPECT_EQ(parts->formatVersion, MedcryptDicomFormatVersion);
  EXPECT_EQ(parts->cipherHeader, result.parts.cipherHeader);
  EXPECT_EQ(parts->envelopeTransferSyntaxUid, EncryptedContentTransferSyntaxUid);
  // DICOM pads odd-length OB values with one zero byte.
  auto envelope = parts->envelope;
  if (envelope.size() == result.parts.envelope.size() + 1 && envelope.back() == 0)
  {
    envelope.pop_back();
  }
  EXPECT_EQ(envelope, result.parts.envelope);

  // DCMTK's dcmdump and pydicom read it.
  int status = 0;
  if (fs::exists("/usr/bin/dcmdump"))
  {
    const std::string dump = CommandOutput("/usr/bin/dcmdump -q +L " + result.encryptedPath.string() + " 2>&1", status);
    EXPECT_EQ(status, 0) << dump;
    EXPECT_NE(dump.find("MEDCRYPT 1"), std::string::npos) << dump;
    EXPECT_NE(dump.find("(0400,0500)"), std::string::npos) << dump;
  }
  if (PydicomAvailable())
  {
    const std::string script = "import pydicom, sys; d = pydicom.dcmread(sys.argv[1]); a = d.pixel_array; "
                               "print(d.SOPInstanceUID, int(a.astype('int64').sum()), a.size, "
                               "len(d.EncryptedAttributesSequence))";
    const std::string output =
      CommandOutput("/usr/bin/python3 -c \"" + script + "\" " + result.encryptedPath.string() + " 2>&1", status);
    EXPECT_EQ(status, 0) << output;
    const auto sum = std::accumulate(result.frames.samples.begin(), result.frames.samples.end(), std::int64_t{ 0 });
    EXPECT_EQ(output, newSop + " " + std::to_string(sum) + " " + std::to_string(result.frames.samples.size()) + " 1\n");
  }

  // The restored file is the original, byte for byte (both written by DCMTK).
  EXPECT_EQ(ReadBytes(result.restoredPath), ReadBytes(input)) << "restored file differs from " << input;
}

INSTANTIATE_TEST_SUITE_P(
  GeneratedImages,
  DicomRoundTrip,
  ::testing::Values(DecodeCase{ "native_u12", Spec(16, 12, false), EXS_LittleEndianExplicit },
                    DecodeCase{ "native_s16_multiframe", Spec(16, 16, true, 3), EXS_LittleEndianExplicit },
                    DecodeCase{ "native_u8_implicit", Spec(8, 8, false), EXS_LittleEndianImplicit },
                    DecodeCase{ "native_s16_bigendian", Spec(16, 16, true), EXS_BigEndianExplicit },
                    DecodeCase{ "native_rgb8", Spec(8, 8, false, 2, 3), EXS_LittleEndianExplicit },
                    DecodeCase{ "rle_u12", Spec(16, 12, false), EXS_RLELossless },
                    DecodeCase{ "rle_rgb8_multiframe", Spec(8, 8, false, 2, 3), EXS_RLELossless },
                    DecodeCase{ "jpegls_u12", Spec(16, 12, false), EXS_JPEGLSLossless },
                    DecodeCase{ "jpegls_u16_multiframe", Spec(16, 16, false, 2), EXS_JPEGLSLossless },
                    DecodeCase{ "jpeglossless_u12", Spec(16, 12, false), EXS_JPEGProcess14SV1 }),
  [](const ::testing::TestParamInfo<DecodeCase> & info) { return std::string(info.param.name); });

TEST(DicomModifiedAttributes, HoldsTheOriginalsAndTheEncapsulatedPixelData)
{
  const fs::path directory = TestDirectory("modified");
  const fs::path input = SaveImage(Spec(16, 12, false), EXS_RLELossless, directory / "rle.dcm");
  auto original = LoadDicomFile(input);
  const auto item = CollectModifiedAttributes(*original, true, input.string());
  EXPECT_EQ(GetString(*item, DCM_SOPInstanceUID), "1.2.826.0.1.3680043.10.1234.1.1");
  EXPECT_EQ(GetString(*item, DCM_RescaleIntercept), "-1024");
  EXPECT_EQ(GetString(*item, DCM_WindowCenterWidthExplanation), "SOFT\\BONE");
  EXPECT_FALSE(item->tagExists(DCM_PatientName)); // not touched by encryption
  EXPECT_FALSE(item->tagExists(DCM_PixelData));   // encapsulated: kept as exact bytes in the private block
  const auto block = FindMedcryptBlock(*item);
  ASSERT_TRUE(block.has_value());
  EXPECT_EQ(GetString(*item, DcmTagKey(MedcryptPrivateGroup, (*block << 8) | block::OriginalTransferSyntax)),
            UID_RLELosslessTransferSyntax);
  EXPECT_TRUE(item->tagExists(DcmTagKey(MedcryptPrivateGroup, (*block << 8) | block::EncapsulatedPixelData)));

  // Serialised: Deflated Explicit VR Little Endian, parsed back to the same item.
  const auto bytes = SerializeModifiedAttributes(*item);
  const auto parsed = ParseModifiedAttributes(ByteView(bytes), EncryptedContentTransferSyntaxUid, "memory");
  DcmDataset left, right;
  left.insertSequenceItem(DCM_ModifiedAttributesSequence, new DcmItem(*item));
  right.insertSequenceItem(DCM_ModifiedAttributesSequence, new DcmItem(*parsed));
  EXPECT_EQ(DatasetBytes(left, EXS_LittleEndianExplicit), DatasetBytes(right, EXS_LittleEndianExplicit));

  // DCMTK's own deflated writer and reader agree with these bytes: a Part 10 file written by DCMTK in
  // the deflated syntax carries a body that ParseModifiedAttributes reads, and DCMTK reads a file whose
  // body is SerializeModifiedAttributes' output.
  DcmFileFormat deflated(&left);
  const fs::path dcmtkPath = directory / "dcmtk-deflated.dcm";
  ASSERT_TRUE(deflated.saveFile(OFFilename(dcmtkPath.c_str()), EXS_DeflatedLittleEndianExplicit).good());
  const auto dcmtkBytes = ReadBytes(dcmtkPath);
  // Meta header: 128 + "DICM" + (0002,0000) UL element (12 bytes) whose value is the rest of the group.
  const std::size_t metaEnd =
    132 + 12 +
    (dcmtkBytes[140] | (dcmtkBytes[141] << 8) | (dcmtkBytes[142] << 16) | (std::size_t{ dcmtkBytes[143] } << 24));
  const std::vector<std::uint8_t> dcmtkBody(dcmtkBytes.begin() + static_cast<std::ptrdiff_t>(metaEnd),
                                            dcmtkBytes.end());
  const auto fromDcmtk = ParseModifiedAttributes(ByteView(dcmtkBody), EncryptedContentTransferSyntaxUid, "dcmtk");
  DcmDataset viaDcmtk;
  viaDcmtk.insertSequenceItem(DCM_ModifiedAttributesSequence, new DcmItem(*fromDcmtk));
  EXPECT_EQ(DatasetBytes(viaDcmtk, EXS_LittleEndianExplicit), DatasetBytes(left, EXS_LittleEndianExplicit));
  std::vector<std::uint8_t> spliced(dcmtkBytes.begin(), dcmtkBytes.begin() + static_cast<std::ptrdiff_t>(metaEnd));
  spliced.insert(spliced.end(), bytes.begin(), bytes.end());
  const fs::path splicedPath = directory / "ours-deflated.dcm";
  WriteBytes(splicedPath, spliced);
  auto reread = LoadDicomFile(splicedPath);
  EXPECT_EQ(DatasetBytes(*reread->getDataset(), EXS_LittleEndianExplicit),
            DatasetBytes(left, EXS_LittleEndianExplicit));
  if (PydicomAvailable())
  {
    int status = 0;
    const std::string output =
      CommandOutput("/usr/bin/python3 -c \"import pydicom, sys; d = pydicom.dcmread(sys.argv[1]); "
                    "print(d.ModifiedAttributesSequence[0].SOPInstanceUID)\" " +
                      splicedPath.string() + " 2>&1",
                    status);
    EXPECT_EQ(output, "1.2.826.0.1.3680043.10.1234.1.1\n");
  }

  EXPECT_THROW(ParseModifiedAttributes(ByteView(bytes), "1.2.840.10008.1.2", "memory"), UserError);
  std::vector<std::uint8_t> garbage(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(bytes.size() / 2));
  EXPECT_THROW(ParseModifiedAttributes(ByteView(garbage), EncryptedContentTransferSyntaxUid, "memory"), UserError);
}

TEST(DicomRestore, RefusesAnItemWithoutOriginalTransferSyntax)
{
  auto file = MakeImage(Spec(16, 12, false));
  DcmItem item;
  item.putAndInsertString(DCM_SOPInstanceUID, "1.2.3");
  EXPECT_THROW(RestoredDatasetBuilder::Build(*file, item, "memory"), UserError);
}

TEST(DicomEncrypt, RefusesFramesThatDoNotFit)
{
  auto file = MakeImage(Spec(16, 12, false, 2));
  const EncryptedDatasetBuilder builder{ ByteView(TestUidSecret) };
  EncryptedFrames frames;
  frames.rows = 12;
  frames.columns = 10;
  frames.frames = 1; // the original has 2
  frames.samples.assign(120, 0);
  EXPECT_THROW(builder.Build(*file, frames, EncryptedParts{}, "memory"), std::invalid_argument);
  frames.frames = 2;
  EXPECT_THROW(builder.Build(*file, frames, EncryptedParts{}, "memory"), std::invalid_argument); // 120 != 240
  frames.samples.assign(240, 7);
  EXPECT_NO_THROW(builder.Build(*file, frames, EncryptedParts{}, "memory"));
}

TEST(DicomEncrypt, NeuralOnlyHasNoEnvelopeAndKeepsOtherPrivateBlocks)
{
  auto file = MakeImage(Spec(16, 12, false));
  // Someone else's private block in group 0099 takes the first slot.
  file->getDataset()->putAndInsertString(DcmTag(0x0099, 0x0010, EVR_LO), "OTHER VENDOR");
  file->getDataset()->putAndInsertString(DcmTag(0x0099, 0x1001, EVR_LO), "vendor value");
  const EncryptedDatasetBuilder builder{ ByteView(TestUidSecret) };
  const auto pixels = DicomPixelData::Decode(*file->getDataset(), "memory");
  EncryptedParts parts;
  parts.cipherHeader = { 9, 8, 7 };
  auto encrypted = builder.Build(*file, StandInFrames(pixels), parts, "memory");
  DcmDataset & data = *encrypted->getDataset();
  EXPECT_FALSE(data.tagExists(DCM_EncryptedAttributesSequence));
  EXPECT_EQ(FindMedcryptBlock(data), std::optional<std::uint16_t>(0x11));
  EXPECT_EQ(GetString(data, DcmTagKey(0x0099, 0x1001)), "vendor value");
  const auto read = ReadEncryptedParts(data, "memory");
  ASSERT_TRUE(read.has_value());
  EXPECT_FALSE(read->hasEnvelope);
  // A PACS that rewrites the file in implicit VR without MedCrypt's private dictionary: the block reads
  // back as UN and is still understood.
  const fs::path implicitPath = TestDirectory("implicit-private") / "implicit.dcm";
  SaveDicomFile(*encrypted, EXS_LittleEndianImplicit, implicitPath);
  auto implicitFile = LoadDicomFile(implicitPath);
  const auto implicitParts = ReadEncryptedParts(*implicitFile->getDataset(), implicitPath.string());
  ASSERT_TRUE(implicitParts.has_value());
  EXPECT_EQ(implicitParts->formatVersion, MedcryptDicomFormatVersion);
  // The odd-length header was padded to an even length in the file; the recorded length drops the pad.
  EXPECT_EQ(implicitParts->cipherHeader, (std::vector<std::uint8_t>{ 9, 8, 7 }));

  RemoveMedcryptBlock(data);
  EXPECT_FALSE(FindMedcryptBlock(data).has_value());
  EXPECT_EQ(GetString(data, DcmTagKey(0x0099, 0x0010)), "OTHER VENDOR");
  EXPECT_EQ(GetString(data, DcmTagKey(0x0099, 0x1001)), "vendor value");
  EXPECT_FALSE(ReadEncryptedParts(data, "memory").has_value());
}

// ---------------------------------------------------------------------------------------------------
// Safe output

TEST(AtomicFileWriter, WritesCreatesDirectoriesAndLeavesNothingOnFailure)
{
  const fs::path directory = TestDirectory("atomic");
  const fs::path target = directory / "deep" / "er" / "file.bin";
  AtomicFileWriter::WriteBytes(target, ByteView::FromString("first"));
  EXPECT_EQ(ReadBytes(target), (std::vector<std::uint8_t>{ 'f', 'i', 'r', 's', 't' }));

  const fs::path failing = directory / "deep" / "er" / "failing.bin";
  EXPECT_THROW(AtomicFileWriter::Write(failing,
                                       [](const fs::path & temporary)
                                       {
                                         std::ofstream out(temporary, std::ios::binary);
                                         out << "partial content";
                                         out.close();
                                         throw UserError("disk full (simulated)");
                                       }),
               UserError);
  EXPECT_FALSE(fs::exists(failing));
  // A failed replacement leaves the earlier file untouched, and no temporary file remains.
  EXPECT_THROW(AtomicFileWriter::Write(target, [](const fs::path &) { throw std::runtime_error("boom"); }),
               std::runtime_error);
  EXPECT_EQ(ReadBytes(target), (std::vector<std::uint8_t>{ 'f', 'i', 'r', 's', 't' }));
  std::vector<std::string> names;
  for (const auto & entry : fs::directory_iterator(directory / "deep" / "er"))
  {
    names.push_back(entry.path().filename().string());
  }
  EXPECT_EQ(names, (std::vector<std::string>{ "file.bin" }));

  // Leftovers of an interrupted run are removed, nothing else.
  WriteBytes(directory / "deep" / ".file2.bin.medcrypt-partial-123-0", { 1 });
  WriteBytes(directory / ".hidden-but-ours-not", { 2 });
  EXPECT_EQ(AtomicFileWriter::RemovePartialFiles(directory), 1u);
  EXPECT_FALSE(fs::exists(directory / "deep" / ".file2.bin.medcrypt-partial-123-0"));
  EXPECT_TRUE(fs::exists(directory / ".hidden-but-ours-not"));
  EXPECT_TRUE(fs::exists(target));

  // A directory that cannot be created (a regular file is in the way): a clear UserError.
  try
  {
    AtomicFileWriter::WriteBytes(target / "below" / "x.bin", ByteView::FromString("x"));
    FAIL() << "wrote below a regular file";
  }
  catch (const UserError & error)
  {
    EXPECT_NE(std::string(error.what()).find("cannot create the output directory"), std::string::npos) << error.what();
  }
}

TEST(ConversionJournal, ResumesOnlyUnchangedCompletedFiles)
{
  const fs::path directory = TestDirectory("journal");
  const fs::path input = directory / "in";
  const fs::path output = directory / "out";
  fs::create_directories(input);
  WriteBytes(input / "a.dcm", { 1, 2, 3 });
  WriteBytes(input / "b.dcm", { 4, 5, 6 });
  {
    ConversionJournal journal(output);
    EXPECT_TRUE(journal.Entries().empty());
    EXPECT_FALSE(journal.IsDone("a.dcm", input / "a.dcm"));
    AtomicFileWriter::WriteBytes(output / "a.dcm", ByteView::FromString("encrypted a"));
    journal.Record({ "a.dcm", ConversionJournal::Fingerprint(input / "a.dcm"), "a.dcm", "done", "" });
    journal.Record({ "b.dcm", ConversionJournal::Fingerprint(input / "b.dcm"), "b.dcm", "failed", "simulated" });
  }
  {
    // Interrupted in the middle of appending a line.
    std::ofstream out(output / ConversionJournal::JournalFileName, std::ios::app);
    out << "{\"input\": \"c.dcm\", \"inpu";
  }
  ConversionJournal resumed(output);
  EXPECT_EQ(resumed.Entries().size(), 2u);
  EXPECT_TRUE(resumed.IsDone("a.dcm", input / "a.dcm"));
  EXPECT_FALSE(resumed.IsDone("b.dcm", input / "b.dcm")); // failed last time: redo
  EXPECT_EQ(resumed.Entries().at("a.dcm").input.sha256,
            "039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81"); // sha256sum of bytes 01 02 03
  resumed.Record({ "b.dcm", ConversionJournal::Fingerprint(input / "b.dcm"), "b.dcm", "skipped", "not DICOM" });
  {
    ConversionJournal again(output);
    EXPECT_EQ(again.Entries().at("b.dcm").status, "skipped"); // the latest line wins
    const auto text = ReadBytes(again.Path());
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 3); // the broken line was dropped, not kept
  }

  // Changed input (same size, new content and time): not done any more.
  WriteBytes(input / "a.dcm", { 1, 2, 4 });
  EXPECT_FALSE(resumed.IsDone("a.dcm", input / "a.dcm"));
  // Output deleted: not done either.
  WriteBytes(input / "b.dcm", { 4, 5, 6 });
  resumed.Record({ "b.dcm", ConversionJournal::Fingerprint(input / "b.dcm"), "b.dcm", "done", "" });
  EXPECT_FALSE(resumed.IsDone("b.dcm", input / "b.dcm"));

  EXPECT_THROW(ConversionJournal(input / "a.dcm" / "out"), UserError);
}

// ---------------------------------------------------------------------------------------------------
// The real test data (data/dicom-tree from scripts/fetch-data.sh), where present.

TEST(DicomDataTree, ClassifiesDecodesAndRestoresEveryFile)
{
  const fs::path tree = MEDCRYPT_DICOM_TREE;
  if (!fs::is_directory(tree))
  {
    GTEST_SKIP() << tree << " is absent (run scripts/fetch-data.sh); the generated-file tests cover the layer";
  }
  const fs::path work = TestDirectory("data-tree");
  const DicomTree walked = DicomTreeWalker::Walk(tree);
  std::map<std::string, int> outcome;
  for (const auto & entry : walked.entries)
  {
    std::string result = ToString(entry.kind);
    if (entry.kind == DicomFileKind::Image)
    {
      const fs::path path = tree / entry.relativePath;
      try
      {
        auto original = LoadDicomFile(path);
        const auto pixels = DicomPixelData::Decode(*original->getDataset(), path.string());
        const fs::path directory = work / std::to_string(&entry - walked.entries.data());
        fs::create_directories(directory);
        const RoundTrip trip = EncryptAndRestore(path, directory);
        auto restored = LoadDicomFile(trip.restoredPath);
        auto reference = LoadDicomFile(path);
        const E_TransferSyntax xfer = reference->getDataset()->getOriginalXfer();
        const bool exact = DatasetBytes(*restored->getDataset(), xfer) == DatasetBytes(*reference->getDataset(), xfer);
        EXPECT_TRUE(exact) << entry.relativePath << ": restored dataset differs from the original";
        result = exact ? "image: decoded, encrypted, restored exactly" : "image: restored WITH DIFFERENCES";
        std::cout << "  " << entry.relativePath << ": " << pixels.Format().columns << "x" << pixels.Format().rows << "x"
                  << pixels.Format().frames << " " << pixels.Format().samplesPerPixel << " spp "
                  << pixels.Format().bitsStored << "/" << pixels.Format().bitsAllocated << " bit "
                  << pixels.Format().photometricInterpretation << ", " << DescribeTransferSyntax(xfer) << ": "
                  << (exact ? "exact" : "DIFFERENT") << "\n";
      }
      catch (const UnsupportedPixelDataError & error)
      {
        result = "image: refused as unsupported";
        std::cout << "  " << entry.relativePath << ": unsupported: " << error.what() << "\n";
      }
      catch (const UserError & error)
      {
        result = "image: refused (error)";
        std::cout << "  " << entry.relativePath << ": error: " << error.what() << "\n";
      }
    }
    else if (!entry.note.empty())
    {
      std::cout << "  " << entry.relativePath << ": " << ToString(entry.kind) << ": " << entry.note << "\n";
    }
    ++outcome[result];
  }
  // The same image stored in different syntaxes decodes to the same stored values.
  const std::vector<std::vector<std::string>> sameImages = {
    { "python3-pydicom/MR_small.dcm",
      "python3-pydicom/MR_small_bigendian.dcm",
      "python3-pydicom/MR_small_expb.dcm",
      "python3-pydicom/MR_small_implicit.dcm",
      "python3-pydicom/MR_small_RLE.dcm",
      "python3-pydicom/MR_small_jpeg_ls_lossless.dcm" },
    { "python3-pydicom/rtdose.dcm", "python3-pydicom/rtdose_expb.dcm", "python3-pydicom/rtdose_rle.dcm" },
    { "python3-pydicom/SC_rgb_rle_32bit_2frame.dcm" },
  };
  for (const auto & group : sameImages)
  {
    std::vector<std::int64_t> reference;
    for (const auto & relative : group)
    {
      auto file = LoadDicomFile(tree / relative);
      const auto pixels = DicomPixelData::Decode(*file->getDataset(), relative);
      std::vector<std::int64_t> all;
      for (std::uint32_t frame = 0; frame < pixels.Format().frames; ++frame)
        for (std::uint16_t channel = 0; channel < pixels.Format().samplesPerPixel; ++channel)
        {
          const auto plane = pixels.Plane(frame, channel);
          all.insert(all.end(), plane.begin(), plane.end());
        }
      if (reference.empty())
      {
        reference = all;
      }
      EXPECT_EQ(all, reference) << relative << " decodes differently from " << group.front();
    }
  }

  // pydicom's pixel_array agrees with the decoded values (sum and extremes), where pydicom can decode.
  if (PydicomAvailable())
  {
    const fs::path list = work / "decoded.txt";
    std::ofstream listing(list);
    std::map<std::string, std::string> ours;
    for (const auto & entry : walked.entries)
    {
      if (entry.kind != DicomFileKind::Image || !entry.pixelDataDecodable)
      {
        continue;
      }
      try
      {
        auto file = LoadDicomFile(tree / entry.relativePath);
        const auto pixels = DicomPixelData::Decode(*file->getDataset(), entry.relativePath);
        std::int64_t sum = 0, minimum = INT64_MAX, maximum = INT64_MIN;
        for (std::uint32_t frame = 0; frame < pixels.Format().frames; ++frame)
          for (std::uint16_t channel = 0; channel < pixels.Format().samplesPerPixel; ++channel)
            for (const auto value : pixels.Plane(frame, channel))
            {
              sum += value;
              minimum = std::min(minimum, value);
              maximum = std::max(maximum, value);
            }
        ours[entry.relativePath] = std::to_string(sum) + " " + std::to_string(minimum) + " " + std::to_string(maximum);
        listing << (tree / entry.relativePath).string() << "\n";
      }
      catch (const UserError &)
      {
      }
    }
    listing.close();
    int status = 0;
    const std::string script =
      "import sys, warnings, pydicom\n"
      "warnings.simplefilter('ignore')\n"
      "root = sys.argv[2]\n"
      "for path in open(sys.argv[1]).read().split():\n"
      "    try:\n"
      "        d = pydicom.dcmread(path, force=True)\n"
      "        if 'YBR' in str(d.PhotometricInterpretation) and d.file_meta.TransferSyntaxUID.is_compressed:\n"
      "            continue\n"
      "        a = d.pixel_array.astype('int64')\n"
      "        print(path[len(root) + 1:], int(a.sum()), int(a.min()), int(a.max()))\n"
      "    except Exception as e:\n"
      "        pass\n";
    std::ofstream(work / "pydicom_sums.py") << script;
    const std::string output = CommandOutput("/usr/bin/python3 " + (work / "pydicom_sums.py").string() + " " +
                                               list.string() + " " + tree.string() + " 2>/dev/null",
                                             status);
    std::istringstream lines(output);
    std::string line;
    int compared = 0;
    while (std::getline(lines, line))
    {
      const auto space = line.find(' ');
      const auto path = line.substr(0, space);
      ++compared;
      EXPECT_EQ(ours[path], line.substr(space + 1)) << path << ": MedCrypt (left) and pydicom (right) disagree";
    }
    std::cout << "pydicom decoded " << compared << " of " << ours.size() << " images; sums and extremes compared\n";
  }

  std::cout << walked.entries.size() << " files, " << walked.series.size() << " image series:\n";
  for (const auto & [result, count] : outcome)
  {
    std::cout << "  " << count << " " << result << "\n";
  }
}

// ---------------------------------------------------------------------------------------------------
// medcrypt info

TEST(MedcryptInfo, DescribesPlainEncryptedAndBrokenFiles)
{
  const fs::path directory = TestDirectory("info");
  const fs::path plain = SaveImage(Spec(16, 12, false), EXS_RLELossless, directory / "plain.dcm");
  const std::string medcrypt = MEDCRYPT_EXECUTABLE;
  int status = 0;

  std::string output = CommandOutput(medcrypt + " info " + plain.string() + " 2>&1", status);
  EXPECT_EQ(WEXITSTATUS(status), 0) << output;
  EXPECT_NE(output.find("not encrypted by MedCrypt"), std::string::npos) << output;
  EXPECT_NE(output.find("10 x 12 (columns x rows)"), std::string::npos) << output;
  EXPECT_NE(output.find("RLE Lossless"), std::string::npos) << output;
  EXPECT_NE(output.find("MONOCHROME2"), std::string::npos) << output;

  // Encrypted with a real sealed cipher header: its clear part is shown without the key.
  CipherHeader header;
  header.clear.modelId = "test-model-id";
  header.clear.geometry.size = { 10, 12 };
  header.clear.geometry.spacing = { 1.0, 1.0 };
  header.clear.geometry.origin = { 0.0, 0.0 };
  header.clear.geometry.direction = { 1.0, 0.0, 0.0, 1.0 };
  header.clear.intensityMaximum = 4095.0;
  header.clear.tiles = TileGridFor(header.clear.geometry, 256);
  header.sealed.tiles.resize(header.clear.tiles.Count());
  for (auto & tile : header.sealed.tiles)
  {
    tile.poolDigests.assign(256 * PoolDigestBytes, 0); // format 4: one digest per 16 x 16 pool
  }
  UserKey key;
  key.b = { 1, 2, 3, 4 };
  auto original = LoadDicomFile(plain);
  const auto pixels = DicomPixelData::Decode(*original->getDataset(), plain.string());
  EncryptedParts parts;
  parts.cipherHeader = SealHeader(header, key);
  parts.hasEnvelope = true;
  parts.envelopeTransferSyntaxUid = EncryptedContentTransferSyntaxUid;
  parts.envelope = { 0x30, 0x80, 0, 0 };
  const EncryptedDatasetBuilder builder{ ByteView(TestUidSecret) };
  const fs::path encryptedPath = directory / "encrypted.dcm";
  SaveDicomFile(
    *builder.Build(*original, StandInFrames(pixels), parts, plain.string()), EXS_LittleEndianExplicit, encryptedPath);
  output = CommandOutput(medcrypt + " info " + encryptedPath.string() + " 2>&1", status);
  EXPECT_EQ(WEXITSTATUS(status), 0) << output;
  EXPECT_NE(output.find("encrypted by MedCrypt (DICOM format version 1)"), std::string::npos) << output;
  EXPECT_NE(output.find("model test-model-id"), std::string::npos) << output;
  EXPECT_NE(output.find("exact envelope:    present"), std::string::npos) << output;
  EXPECT_NE(output.find("1 x 1 x 1 of 256 pixels"), std::string::npos) << output;

  // A damaged cipher header: said so, status 1.
  parts.cipherHeader = { 1, 2, 3 };
  parts.hasEnvelope = false;
  const fs::path damagedPath = directory / "damaged.dcm";
  SaveDicomFile(
    *builder.Build(*original, StandInFrames(pixels), parts, plain.string()), EXS_LittleEndianExplicit, damagedPath);
  output = CommandOutput(medcrypt + " info " + damagedPath.string() + " 2>&1", status);
  EXPECT_EQ(WEXITSTATUS(status), 1) << output;
  EXPECT_NE(output.find("cannot be read"), std::string::npos) << output;
  EXPECT_NE(output.find("exact envelope:    absent"), std::string::npos) << output;

  // Not DICOM, truncated: a clear error naming the file, status 2.
  WriteBytes(directory / "notes.txt", { 'n', 'o', 't', 'e', 's', ' ', 'h', 'e', 'r', 'e', '\n' });
  output = CommandOutput(medcrypt + " info " + (directory / "notes.txt").string() + " 2>&1", status);
  EXPECT_EQ(WEXITSTATUS(status), 2) << output;
  EXPECT_NE(output.find("notes.txt: not a DICOM file"), std::string::npos) << output;
  auto bytes = ReadBytes(plain);
  bytes.resize(bytes.size() - 10);
  WriteBytes(directory / "truncated.dcm", bytes);
  output = CommandOutput(medcrypt + " info " + (directory / "truncated.dcm").string() + " 2>&1", status);
  EXPECT_EQ(WEXITSTATUS(status), 2) << output;
  EXPECT_NE(output.find("truncated.dcm: cannot read it as DICOM"), std::string::npos) << output;
}
