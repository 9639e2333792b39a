// `medcrypt encrypt|decrypt IN_DIR OUT_DIR` on a DICOM tree generated here with DCMTK (a 2-series study:
// signed 16-bit CT frames, 8-bit MONOCHROME1, RGB, multi-frame, RLE and JPEG-LS copies; an SR without
// pixels, a DICOMDIR, a text file named .dcm; a truncated file where a test adds one), with an untrained
// tiny model: exact restore, new consistent UIDs, copies, bad files, refusals, resume, --verify, --jobs,
// the JSON report, certificate recipients and the network-only restore of a file whose envelope was stripped.
#include "CliTestSupport.h"
#include "TinyModelFile.h"

#include "DicomCodecs.h"

#include "medcrypt/UserKey.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcostrmb.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace
{

namespace fs = std::filesystem;
using medcrypt::testing::Contains;
using medcrypt::testing::ReadBytes;
using medcrypt::testing::RunMedcrypt;
using medcrypt::testing::TemporaryDirectory;
using medcrypt::testing::WriteBytes;

/** One generated image. */
struct ImageSpec
{
  std::string path;
  std::string seriesUid;
  std::string sopInstanceUid;
  std::uint16_t rows = 40;
  std::uint16_t columns = 36;
  std::uint32_t frames = 1;
  std::uint16_t samplesPerPixel = 1;
  std::uint16_t bitsAllocated = 16;
  std::uint16_t bitsStored = 12;
  bool isSigned = false;
  std::string photometric = "MONOCHROME2";
  E_TransferSyntax xfer = EXS_LittleEndianExplicit;
};

const char * const StudyUid = "1.2.826.0.1.3680043.10.4711";
const char * const SeriesOne = "1.2.826.0.1.3680043.10.4711.1";
const char * const SeriesTwo = "1.2.826.0.1.3680043.10.4711.2";

/** Writes `spec`'s image: values a fixed mix over the whole Bits Stored range (signed: offset into it). */
void
WriteImage(const ImageSpec & spec, const fs::path & root)
{
  DcmFileFormat file;
  DcmDataset & data = *file.getDataset();
  data.putAndInsertString(DCM_SOPClassUID,
                          spec.frames > 1 ? UID_MultiframeGrayscaleWordSecondaryCaptureImageStorage
                                          : UID_SecondaryCaptureImageStorage);
  data.putAndInsertString(DCM_SOPInstanceUID, spec.sopInstanceUid.c_str());
  data.putAndInsertString(DCM_StudyInstanceUID, StudyUid);
  data.putAndInsertString(DCM_SeriesInstanceUID, spec.seriesUid.c_str());
  data.putAndInsertString(DCM_Modality, spec.bitsAllocated == 16 ? "CT" : "OT");
  data.putAndInsertString(DCM_PatientName, "Tree^Patient");
  data.putAndInsertString(DCM_PatientID, "MC-TREE");
  data.putAndInsertString(DCM_ImageType, "ORIGINAL\\PRIMARY\\AXIAL");
  if (spec.isSigned)
  {
    data.putAndInsertString(DCM_RescaleIntercept, "0");
    data.putAndInsertString(DCM_RescaleSlope, "1");
    data.putAndInsertString(DCM_WindowCenter, "40");
    data.putAndInsertString(DCM_WindowWidth, "400");
  }
  data.putAndInsertUint16(DCM_Rows, spec.rows);
  data.putAndInsertUint16(DCM_Columns, spec.columns);
  if (spec.frames > 1)
  {
    data.putAndInsertString(DCM_NumberOfFrames, std::to_string(spec.frames).c_str());
  }
  data.putAndInsertUint16(DCM_SamplesPerPixel, spec.samplesPerPixel);
  data.putAndInsertString(DCM_PhotometricInterpretation, spec.photometric.c_str());
  if (spec.samplesPerPixel == 3)
  {
    data.putAndInsertUint16(DCM_PlanarConfiguration, 0);
  }
  data.putAndInsertUint16(DCM_BitsAllocated, spec.bitsAllocated);
  data.putAndInsertUint16(DCM_BitsStored, spec.bitsStored);
  data.putAndInsertUint16(DCM_HighBit, spec.bitsStored - 1);
  data.putAndInsertUint16(DCM_PixelRepresentation, spec.isSigned ? 1 : 0);
  const std::int64_t range = std::int64_t{ 1 } << spec.bitsStored;
  std::vector<std::uint8_t> bytes;
  std::vector<Uint16> words;
  for (std::uint32_t frame = 0; frame < spec.frames; ++frame)
    for (std::uint32_t row = 0; row < spec.rows; ++row)
      for (std::uint32_t column = 0; column < spec.columns; ++column)
        for (std::uint16_t channel = 0; channel < spec.samplesPerPixel; ++channel)
        {
          const std::int64_t mixed =
            (row * 131 + column * 71 + frame * 997 + channel * 313 + row * column * 29) % range;
          const auto value = static_cast<std::uint32_t>(spec.isSigned ? mixed - range / 2 : mixed);
          bytes.push_back(static_cast<std::uint8_t>(value));
          words.push_back(static_cast<Uint16>(value));
        }
  if (spec.bitsAllocated == 8)
  {
    data.putAndInsertUint8Array(DCM_PixelData, bytes.data(), static_cast<unsigned long>(bytes.size()));
  }
  else
  {
    data.putAndInsertUint16Array(DCM_PixelData, words.data(), static_cast<unsigned long>(words.size()));
  }
  if (DcmXfer(spec.xfer).isEncapsulated())
  {
    medcrypt::dicom::RegisterDicomCodecs();
    const OFCondition status = data.chooseRepresentation(spec.xfer, nullptr);
    ASSERT_TRUE(status.good() && data.canWriteXfer(spec.xfer)) << spec.path << ": " << status.text();
  }
  fs::create_directories((root / spec.path).parent_path());
  ASSERT_TRUE(file.saveFile(OFFilename((root / spec.path).c_str()), spec.xfer).good()) << spec.path;
}

/** The images of the tree: series one holds two signed CT frames and an RLE copy (no JPEG-LS copy:
 * DicomPixelData::Decode of a JPEG-LS file that DCMTK 3.6.7 encoded here aborts inside DCMTK's
 * DJLSDecoderBase::decodeFrame, reported to the lead);
 * series two an 8-bit MONOCHROME1 image, an RGB image and a 3-frame image. */
std::vector<ImageSpec>
TreeImages()
{
  std::vector<ImageSpec> images;
  ImageSpec ct;
  ct.seriesUid = SeriesOne;
  ct.isSigned = true;
  ct.path = "study/series1/ct1.dcm";
  ct.sopInstanceUid = std::string(SeriesOne) + ".1";
  images.push_back(ct);
  ct.path = "study/series1/ct2.dcm";
  ct.sopInstanceUid = std::string(SeriesOne) + ".2";
  ct.rows = 33;
  images.push_back(ct);
  ct.path = "study/series1/ct3-rle.dcm";
  ct.sopInstanceUid = std::string(SeriesOne) + ".3";
  ct.xfer = EXS_RLELossless;
  images.push_back(ct);

  ImageSpec mono;
  mono.seriesUid = SeriesTwo;
  mono.path = "study/series2/mono1.dcm";
  mono.sopInstanceUid = std::string(SeriesTwo) + ".1";
  mono.bitsAllocated = 8;
  mono.bitsStored = 8;
  mono.photometric = "MONOCHROME1";
  images.push_back(mono);
  ImageSpec rgb = mono;
  rgb.path = "study/series2/rgb.dcm";
  rgb.sopInstanceUid = std::string(SeriesTwo) + ".2";
  rgb.samplesPerPixel = 3;
  rgb.photometric = "RGB";
  images.push_back(rgb);
  ImageSpec multi;
  multi.seriesUid = SeriesTwo;
  multi.path = "study/series2/multiframe.dcm";
  multi.sopInstanceUid = std::string(SeriesTwo) + ".3";
  multi.frames = 3;
  multi.rows = 20;
  multi.columns = 24;
  images.push_back(multi);
  return images;
}

/** A Basic Text SR document (no Pixel Data). */
void
WriteStructuredReport(const fs::path & path)
{
  DcmFileFormat file;
  DcmDataset & data = *file.getDataset();
  data.putAndInsertString(DCM_SOPClassUID, UID_BasicTextSRStorage);
  data.putAndInsertString(DCM_SOPInstanceUID, "1.2.826.0.1.3680043.10.4711.3.1");
  data.putAndInsertString(DCM_StudyInstanceUID, StudyUid);
  data.putAndInsertString(DCM_SeriesInstanceUID, "1.2.826.0.1.3680043.10.4711.3");
  data.putAndInsertString(DCM_Modality, "SR");
  data.putAndInsertString(DCM_ValueType, "CONTAINER");
  data.putAndInsertString(DCM_CompletionFlag, "COMPLETE");
  fs::create_directories(path.parent_path());
  ASSERT_TRUE(file.saveFile(OFFilename(path.c_str()), EXS_LittleEndianExplicit).good());
}

/** A minimal DICOMDIR: media storage class Media Storage Directory, an empty record sequence. */
void
WriteDicomDir(const fs::path & path)
{
  DcmFileFormat file;
  file.getMetaInfo()->putAndInsertString(DCM_MediaStorageSOPClassUID, UID_MediaStorageDirectoryStorage);
  DcmDataset & data = *file.getDataset();
  data.putAndInsertString(DCM_FileSetID, "MEDCRYPT");
  data.insertEmptyElement(DCM_DirectoryRecordSequence);
  ASSERT_TRUE(file.saveFile(OFFilename(path.c_str()), EXS_LittleEndianExplicit).good());
}

/** A loaded file and two of its strings. */
struct Loaded
{
  std::unique_ptr<DcmFileFormat> file = std::make_unique<DcmFileFormat>();
  std::string
  Get(const DcmTagKey & tag)
  {
    OFString value;
    file->getDataset()->findAndGetOFStringArray(tag, value);
    return value.c_str();
  }
};

Loaded
Load(const fs::path & path)
{
  medcrypt::dicom::RegisterDicomCodecs();
  Loaded loaded;
  EXPECT_TRUE(loaded.file->loadFile(OFFilename(path.c_str())).good()) << path;
  loaded.file->loadAllDataIntoMemory();
  return loaded;
}

/** The bytes of a dataset encoded in `xfer` (all elements, Pixel Data as stored), to compare two files
 * attribute by attribute independently of their meta headers. */
std::vector<std::uint8_t>
DatasetBytes(DcmDataset & dataset, E_TransferSyntax xfer)
{
  const Uint32 length = dataset.getLength(xfer, EET_ExplicitLength);
  std::vector<std::uint8_t> buffer(static_cast<std::size_t>(length) + 1024);
  DcmOutputBufferStream stream(buffer.data(), static_cast<offile_off_t>(buffer.size()));
  dataset.transferInit();
  EXPECT_TRUE(dataset.write(stream, xfer, EET_ExplicitLength, nullptr).good());
  dataset.transferEnd();
  void * data = nullptr;
  offile_off_t written = 0;
  stream.flushBuffer(data, written);
  buffer.resize(static_cast<std::size_t>(written));
  return buffer;
}

/** The Pixel Data of an encrypted (native 16-bit) file. */
std::vector<Uint16>
CipherPixels(const fs::path & path)
{
  auto loaded = Load(path);
  const Uint16 * words = nullptr;
  unsigned long count = 0;
  EXPECT_TRUE(loaded.file->getDataset()->findAndGetUint16Array(DCM_PixelData, words, &count).good()) << path;
  return words == nullptr ? std::vector<Uint16>() : std::vector<Uint16>(words, words + count);
}

nlohmann::json
ReadJson(const fs::path & path)
{
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

/** The --report JSON's counts named in `counts` (e.g. {"encrypted", 6}) and its exit status. */
void
ExpectReport(const nlohmann::json & report, const std::map<std::string, int> & counts, int exitStatus)
{
  for (const auto & [status, count] : counts)
  {
    EXPECT_EQ(report["counts"][status], count) << status;
  }
  EXPECT_EQ(report["exit_status"], exitStatus);
}

/** A self-signed EC P-256 certificate and its private key (PEM). */
void
MakeRecipient(const fs::path & certificateFile, const fs::path & privateKeyFile)
{
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), &EVP_PKEY_free);
  ASSERT_TRUE(key);
  std::unique_ptr<X509, decltype(&X509_free)> certificate(X509_new(), &X509_free);
  X509_set_version(certificate.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(certificate.get()), 7);
  X509_gmtime_adj(X509_getm_notBefore(certificate.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(certificate.get()), 3600);
  X509_NAME * subject = X509_get_subject_name(certificate.get());
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char *>("site"), -1, -1, 0);
  X509_set_issuer_name(certificate.get(), subject);
  X509_set_pubkey(certificate.get(), key.get());
  ASSERT_GT(X509_sign(certificate.get(), key.get(), EVP_sha256()), 0);
  FILE * file = std::fopen(certificateFile.c_str(), "w");
  PEM_write_X509(file, certificate.get());
  std::fclose(file);
  file = std::fopen(privateKeyFile.c_str(), "w");
  PEM_write_PrivateKey(file, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(file);
}

/** The generated tree, a key and a tiny model, made once for the suite; each test writes its own outputs. */
class DicomTreeCli : public ::testing::Test
{
protected:
  static void
  SetUpTestSuite()
  {
    directory = new TemporaryDirectory();
    input = fs::path(directory->Path()) / "in";
    for (const auto & image : TreeImages())
    {
      WriteImage(image, input);
    }
    WriteStructuredReport(input / "sr" / "report.dcm");
    WriteDicomDir(input / "DICOMDIR");
    medcrypt::testing::WriteTextFile((input / "notes.dcm").string(), "not a DICOM file, only named like one\n");
    key = fs::path(directory->Path()) / "user.key";
    model = fs::path(directory->Path()) / "tiny.mcmodel";
    medcrypt::SaveUserKeyFile(medcrypt::GenerateUserKey(), key);
    medcrypt::testing::WriteTinyModelFile(model.string(), 5);
  }

  static void
  TearDownTestSuite()
  {
    delete directory;
    directory = nullptr;
  }

  /** A fresh path in the suite's directory. */
  static fs::path
  Scratch(const std::string & name)
  {
    const fs::path path = fs::path(directory->Path()) / name;
    fs::remove_all(path);
    return path;
  }

  static medcrypt::testing::CommandResult
  Encrypt(const fs::path & in, const fs::path & out, const std::string & extra = "")
  {
    return RunMedcrypt("encrypt --key " + key.string() + " --model " + model.string() + " " + extra + " " +
                       in.string() + " " + out.string());
  }

  static medcrypt::testing::CommandResult
  Decrypt(const fs::path & in, const fs::path & out, const std::string & extra = "")
  {
    return RunMedcrypt("decrypt " + (Contains(extra, "--private-key") ? std::string() : "--key " + key.string()) + " " +
                       extra + " " + in.string() + " " + out.string());
  }

  /** Every image of `restoredRoot` holds the original's dataset (all attributes, Pixel Data as stored)
   * in the original transfer syntax; the SR and the DICOMDIR are byte-identical copies. */
  static void
  ExpectRestoredTree(const fs::path & restoredRoot)
  {
    for (const auto & image : TreeImages())
    {
      auto original = Load(input / image.path);
      auto restored = Load(restoredRoot / image.path);
      EXPECT_EQ(restored.file->getDataset()->getOriginalXfer(), image.xfer) << image.path;
      EXPECT_TRUE(DatasetBytes(*original.file->getDataset(), image.xfer) ==
                  DatasetBytes(*restored.file->getDataset(), image.xfer))
        << image.path << ": the restored dataset differs from the original";
    }
    EXPECT_EQ(ReadBytes(restoredRoot / "sr" / "report.dcm"), ReadBytes(input / "sr" / "report.dcm"));
    EXPECT_EQ(ReadBytes(restoredRoot / "DICOMDIR"), ReadBytes(input / "DICOMDIR"));
    EXPECT_FALSE(fs::exists(restoredRoot / "notes.dcm"));
  }

  static TemporaryDirectory * directory;
  static fs::path input;
  static fs::path key;
  static fs::path model;
};

TemporaryDirectory * DicomTreeCli::directory = nullptr;
fs::path DicomTreeCli::input;
fs::path DicomTreeCli::key;
fs::path DicomTreeCli::model;

TEST_F(DicomTreeCli, EncryptThenDecryptRestoresTheTreeAndReportsEveryFile)
{
  const fs::path encrypted = Scratch("encrypted");
  const fs::path report = Scratch("encrypt-report.json");
  const auto encryption = Encrypt(input, encrypted, "--report " + report.string());
  ASSERT_EQ(encryption.status, 0) << encryption.errors;
  EXPECT_TRUE(Contains(encryption.errors, "notes.dcm")) << encryption.errors;

  // The report: 6 images encrypted, SR and DICOMDIR copied, the text file skipped, nothing failed.
  const auto json = ReadJson(report);
  ExpectReport(json, { { "total", 9 }, { "encrypted", 6 }, { "copied", 2 }, { "skipped", 1 }, { "failed", 0 } }, 0);
  std::map<std::string, std::string> statuses;
  for (const auto & file : json["files"])
  {
    statuses[file["path"]] = file["status"];
  }
  EXPECT_EQ(statuses["notes.dcm"], "skipped");
  EXPECT_EQ(statuses["sr/report.dcm"], "copied");
  EXPECT_EQ(statuses["DICOMDIR"], "copied");
  EXPECT_EQ(statuses["study/series2/rgb.dcm"], "encrypted");

  // New UIDs, one new Series Instance UID per original series; ciphertext pixel module.
  std::map<std::string, std::set<std::string>> newSeries;
  std::set<std::string> newInstances;
  for (const auto & image : TreeImages())
  {
    auto file = Load(encrypted / image.path);
    const std::string sop = file.Get(DCM_SOPInstanceUID);
    const std::string series = file.Get(DCM_SeriesInstanceUID);
    EXPECT_EQ(sop.rfind("2.25.", 0), 0u) << image.path << ": " << sop;
    EXPECT_NE(sop, image.sopInstanceUid);
    EXPECT_NE(series, image.seriesUid);
    newInstances.insert(sop);
    newSeries[image.seriesUid].insert(series);
    EXPECT_EQ(file.Get(DCM_BitsAllocated), "16");
    EXPECT_EQ(file.Get(DCM_PixelRepresentation), "0");
    EXPECT_EQ(file.Get(DCM_StudyInstanceUID), StudyUid);
    EXPECT_EQ(file.file->getDataset()->getOriginalXfer(), EXS_LittleEndianExplicit);
    EXPECT_EQ(file.Get(DCM_SamplesPerPixel), std::to_string(image.samplesPerPixel));
  }
  EXPECT_EQ(newInstances.size(), TreeImages().size());
  ASSERT_EQ(newSeries.size(), 2u);
  EXPECT_EQ(newSeries[SeriesOne].size(), 1u);
  EXPECT_EQ(newSeries[SeriesTwo].size(), 1u);
  EXPECT_NE(*newSeries[SeriesOne].begin(), *newSeries[SeriesTwo].begin());
  EXPECT_EQ(ReadBytes(encrypted / "sr" / "report.dcm"), ReadBytes(input / "sr" / "report.dcm"));
  EXPECT_EQ(ReadBytes(encrypted / "DICOMDIR"), ReadBytes(input / "DICOMDIR"));
  EXPECT_FALSE(fs::exists(encrypted / "notes.dcm"));

  const fs::path restored = Scratch("restored");
  const fs::path decryptReport = Scratch("decrypt-report.json");
  const auto decryption = Decrypt(encrypted, restored, "--report " + decryptReport.string());
  ASSERT_EQ(decryption.status, 0) << decryption.errors;
  const auto decryptJson = ReadJson(decryptReport);
  // The encrypted tree's journal is not DICOM: skipped with a note, not copied.
  ExpectReport(decryptJson, { { "restored", 6 }, { "copied", 2 }, { "skipped", 1 }, { "failed", 0 } }, 0);
  ExpectRestoredTree(restored);

  // A wrong key restores nothing: every image fails, exit status 1.
  const fs::path otherKey = Scratch("other.key");
  medcrypt::SaveUserKeyFile(medcrypt::GenerateUserKey(), otherKey);
  const auto wrong =
    RunMedcrypt("decrypt --key " + otherKey.string() + " " + encrypted.string() + " " + Scratch("wrong").string());
  EXPECT_EQ(wrong.status, 1) << wrong.errors;
  EXPECT_TRUE(Contains(wrong.errors, "6 failed")) << wrong.errors;
  EXPECT_FALSE(fs::exists(Scratch("wrong") / "study" / "series1" / "ct1.dcm"));
}

TEST_F(DicomTreeCli, BadFilesAreReportedAndTheRunGoesOn)
{
  // A copy of the tree with a truncated DICOM file (an image cut in its Pixel Data).
  const fs::path bad = Scratch("bad-in");
  fs::copy(input, bad, fs::copy_options::recursive);
  auto bytes = ReadBytes(input / "study" / "series1" / "ct1.dcm");
  bytes.resize(bytes.size() - 1000);
  WriteBytes(bad / "study" / "series1" / "truncated.dcm", bytes);

  const fs::path out = Scratch("bad-out");
  const fs::path report = Scratch("bad-report.json");
  const auto result = Encrypt(bad, out, "--report " + report.string());
  EXPECT_EQ(result.status, 1) << result.errors;
  EXPECT_TRUE(Contains(result.errors, "failed: study/series1/truncated.dcm")) << result.errors;
  EXPECT_TRUE(Contains(result.errors, "skipped: notes.dcm")) << result.errors;
  const auto json = ReadJson(report);
  ExpectReport(json, { { "failed", 1 }, { "encrypted", 6 } }, 1);
  EXPECT_FALSE(fs::exists(out / "study" / "series1" / "truncated.dcm"));
  EXPECT_TRUE(fs::exists(out / "study" / "series2" / "multiframe.dcm"));
}

TEST_F(DicomTreeCli, FailOnNonDicomMakesTheTextFileFailTheRun)
{
  // The tree holds one text file (notes.dcm): skipped by default (exit 0), a failure with the option.
  const fs::path out = Scratch("strict-out");
  const fs::path report = Scratch("strict-report.json");
  const auto result = Encrypt(input, out, "--fail-on-non-dicom --report " + report.string());
  EXPECT_EQ(result.status, 1) << result.errors;
  EXPECT_TRUE(Contains(result.errors, "failed: notes.dcm")) << result.errors;
  EXPECT_TRUE(Contains(result.errors, "move it out of the input tree")) << result.errors;
  const auto json = ReadJson(report);
  ExpectReport(json, { { "failed", 1 }, { "skipped", 0 }, { "encrypted", 6 } }, 1);
  EXPECT_FALSE(fs::exists(out / "notes.dcm"));

  // Decrypting that tree with the option: its journal (not DICOM either) stays a skipped file, not a failure.
  const fs::path restored = Scratch("strict-restored");
  const auto decryption = Decrypt(out, restored, "--fail-on-non-dicom");
  EXPECT_EQ(decryption.status, 0) << decryption.errors;
  ExpectRestoredTree(restored);

  // A single file takes no tree option.
  const auto single = Encrypt(input / "study" / "series1" / "ct1.dcm", Scratch("single.dcm"), "--fail-on-non-dicom");
  EXPECT_EQ(single.status, 2) << single.errors;
  EXPECT_TRUE(Contains(single.errors, "--fail-on-non-dicom applies to directory trees")) << single.errors;
}

TEST_F(DicomTreeCli, RefusesAnOutputInsideTheInputAndExistingOutputs)
{
  const auto inside = Encrypt(input, input / "encrypted");
  EXPECT_EQ(inside.status, 2) << inside.errors;
  EXPECT_FALSE(fs::exists(input / "encrypted"));
  const auto same = Encrypt(input, input);
  EXPECT_EQ(same.status, 2) << same.errors;

  const fs::path out = Scratch("existing");
  fs::create_directories(out / "study" / "series1");
  medcrypt::testing::WriteTextFile((out / "study" / "series1" / "ct2.dcm").string(), "precious\n");
  const auto refused = Encrypt(input, out);
  EXPECT_EQ(refused.status, 2) << refused.errors;
  EXPECT_TRUE(Contains(refused.errors, "--overwrite")) << refused.errors;
  EXPECT_EQ(ReadBytes(out / "study" / "series1" / "ct2.dcm").size(), 9u);
  EXPECT_FALSE(fs::exists(out / "study" / "series1" / "ct1.dcm"));

  const auto overwritten = Encrypt(input, out, "--overwrite");
  EXPECT_EQ(overwritten.status, 0) << overwritten.errors;
  EXPECT_FALSE(CipherPixels(out / "study" / "series1" / "ct2.dcm").empty());
}

TEST_F(DicomTreeCli, ResumeRedoesOnlyWhatIsMissingAndGivesTheSameTree)
{
  const fs::path out = Scratch("resume");
  // One job, so that the journal lists the files in path order (with more, in the order they finish).
  ASSERT_EQ(Encrypt(input, out, "--jobs 1").status, 0);
  std::map<std::string, std::vector<Uint16>> pixels;
  std::map<std::string, std::string> uids;
  for (const auto & image : TreeImages())
  {
    pixels[image.path] = CipherPixels(out / image.path);
    uids[image.path] = Load(out / image.path).Get(DCM_SOPInstanceUID);
  }

  // What kill -9 leaves: an output missing (deleted here), and the last file written but its journal line
  // cut in the middle (a present output that the journal does not record: redone without --overwrite).
  fs::remove(out / "study" / "series1" / "ct2.dcm");
  const fs::path journal = out / "medcrypt-journal.jsonl";
  auto text = ReadBytes(journal);
  ASSERT_GT(text.size(), 2u);
  std::size_t lastLine = text.size() - 1;
  while (lastLine > 0 && text[lastLine - 1] != '\n')
  {
    --lastLine;
  }
  const std::string cut(text.begin() + static_cast<std::ptrdiff_t>(lastLine), text.end());
  ASSERT_TRUE(Contains(cut, "\"study/series2/rgb.dcm\"")) << "the last line is the last file in path order: " << cut;
  text.resize(lastLine + 20);
  WriteBytes(journal, text);
  const auto stamp = fs::last_write_time(out / "study" / "series1" / "ct1.dcm");

  const fs::path report = Scratch("resume-report.json");
  const auto resumed = Encrypt(input, out, "--report " + report.string());
  ASSERT_EQ(resumed.status, 0) << resumed.errors;
  const auto json = ReadJson(report);
  EXPECT_EQ(json["counts"]["encrypted"], 2);
  EXPECT_EQ(json["counts"]["resumed"], 6);
  EXPECT_EQ(fs::last_write_time(out / "study" / "series1" / "ct1.dcm"), stamp);
  for (const auto & image : TreeImages())
  {
    EXPECT_EQ(CipherPixels(out / image.path), pixels[image.path]) << image.path;
    EXPECT_EQ(Load(out / image.path).Get(DCM_SOPInstanceUID), uids[image.path]) << image.path;
  }
  // No duplicates and no temporary files.
  std::size_t files = 0;
  for (const auto & entry : fs::recursive_directory_iterator(out))
  {
    files += entry.is_regular_file() ? 1 : 0;
    EXPECT_FALSE(Contains(entry.path().filename().string(), "medcrypt-partial")) << entry.path();
  }
  EXPECT_EQ(files, TreeImages().size() + 3); // images, SR, DICOMDIR, journal

  // The resumed tree decrypts like an uninterrupted one.
  const fs::path restored = Scratch("resume-restored");
  ASSERT_EQ(Decrypt(out, restored).status, 0);
  ExpectRestoredTree(restored);
}

TEST_F(DicomTreeCli, VerifyPassesAndTwoJobsGiveTheSameTreeAsOne)
{
  const fs::path one = Scratch("jobs1");
  const fs::path two = Scratch("jobs2");
  const fs::path report = Scratch("verify-report.json");
  const auto single = Encrypt(input, one);
  ASSERT_EQ(single.status, 0) << single.errors;
  const auto parallel = Encrypt(input, two, "--jobs 2 --verify --report " + report.string());
  ASSERT_EQ(parallel.status, 0) << parallel.errors;
  const auto json = ReadJson(report);
  EXPECT_EQ(json["jobs"], 2);
  EXPECT_EQ(json["verify"], true);
  EXPECT_EQ(json["counts"]["encrypted"], 6);
  for (const auto & file : json["files"])
  {
    if (file["status"] == "encrypted")
    {
      EXPECT_TRUE(Contains(file["message"].get<std::string>(), "verified")) << file.dump();
    }
  }
  for (const auto & image : TreeImages())
  {
    EXPECT_EQ(CipherPixels(one / image.path), CipherPixels(two / image.path)) << image.path;
    auto a = Load(one / image.path);
    auto b = Load(two / image.path);
    EXPECT_EQ(a.Get(DCM_SOPInstanceUID), b.Get(DCM_SOPInstanceUID)) << image.path;
    EXPECT_EQ(a.Get(DCM_SeriesInstanceUID), b.Get(DCM_SeriesInstanceUID)) << image.path;
  }
}

TEST_F(DicomTreeCli, AFileWithoutEnvelopeIsRestoredByTheNetworkAlone)
{
  // Encrypt the tree, then strip the exact envelope (0400,0500) of one CT file, as a PACS may do.
  const fs::path encrypted = Scratch("stripped");
  ASSERT_EQ(Encrypt(input, encrypted).status, 0);
  const ImageSpec ct = TreeImages().front();
  ASSERT_EQ(ct.path, "study/series1/ct1.dcm");
  {
    auto file = Load(encrypted / ct.path);
    ASSERT_TRUE(file.file->getDataset()->findAndDeleteElement(DCM_EncryptedAttributesSequence).good());
    ASSERT_TRUE(file.file->saveFile(OFFilename((encrypted / ct.path).c_str()), EXS_LittleEndianExplicit).good());
  }

  const fs::path restored = Scratch("stripped-restored");
  const fs::path report = Scratch("stripped-report.json");
  const auto decryption = Decrypt(encrypted, restored, "--model " + model.string() + " --report " + report.string());
  ASSERT_EQ(decryption.status, 0) << decryption.errors;
  EXPECT_TRUE(Contains(decryption.errors, "network only")) << decryption.errors;
  const auto json = ReadJson(report);
  EXPECT_EQ(json["counts"]["restored"], 5);
  EXPECT_EQ(json["counts"]["restored (network only, approximate)"], 1);
  EXPECT_EQ(json["counts"]["failed"], 0);
  for (const auto & file : json["files"])
  {
    if (file["path"] == ct.path)
    {
      EXPECT_EQ(file["status"], "restored (network only, approximate)");
    }
  }

  // The stripped file: original UIDs and pixel module, Pixel Data of the original length, values in
  // the 12-bit signed stored range, no MedCrypt block, uncompressed.
  auto network = Load(restored / ct.path);
  DcmDataset & dataset = *network.file->getDataset();
  EXPECT_EQ(network.Get(DCM_SOPInstanceUID), ct.sopInstanceUid);
  EXPECT_EQ(network.Get(DCM_SeriesInstanceUID), ct.seriesUid);
  EXPECT_EQ(network.Get(DCM_Rows), std::to_string(ct.rows));
  EXPECT_EQ(network.Get(DCM_Columns), std::to_string(ct.columns));
  EXPECT_EQ(network.Get(DCM_BitsAllocated), "16");
  EXPECT_EQ(network.Get(DCM_BitsStored), "12");
  EXPECT_EQ(network.Get(DCM_PixelRepresentation), "1");
  EXPECT_EQ(network.Get(DCM_ImageType), "ORIGINAL\\PRIMARY\\AXIAL");
  EXPECT_EQ(dataset.getOriginalXfer(), EXS_LittleEndianExplicit);
  EXPECT_FALSE(dataset.tagExists(DCM_EncryptedAttributesSequence));
  for (unsigned long i = 0; i < dataset.card(); ++i)
  {
    EXPECT_NE(dataset.getElement(i)->getTag().getGroup(), 0x0099) << dataset.getElement(i)->getTag().toString();
  }
  const Uint16 * words = nullptr;
  unsigned long count = 0;
  ASSERT_TRUE(dataset.findAndGetUint16Array(DCM_PixelData, words, &count).good());
  ASSERT_EQ(count, std::size_t{ ct.rows } * ct.columns);
  const std::vector<Uint16> pixels(words, words + count);
  for (const Uint16 word : pixels)
  {
    const auto value = static_cast<std::int16_t>(word); // stored sign-extended to 16 bits
    ASSERT_GE(value, -2048);
    ASSERT_LE(value, 2047);
  }

  // The other files stay exact.
  for (const auto & image : TreeImages())
  {
    if (image.path == ct.path)
    {
      continue;
    }
    auto original = Load(input / image.path);
    auto exact = Load(restored / image.path);
    EXPECT_TRUE(DatasetBytes(*original.file->getDataset(), image.xfer) ==
                DatasetBytes(*exact.file->getDataset(), image.xfer))
      << image.path;
  }

  // The network restore is deterministic: a second run gives the same pixels.
  const fs::path again = Scratch("stripped-again");
  ASSERT_EQ(Decrypt(encrypted, again, "--model " + model.string()).status, 0);
  auto second = Load(again / ct.path);
  ASSERT_TRUE(second.file->getDataset()->findAndGetUint16Array(DCM_PixelData, words, &count).good());
  EXPECT_TRUE(std::vector<Uint16>(words, words + count) == pixels);

  // A wrong key opens neither the header nor the envelopes: failure and no output.
  const fs::path otherKey = Scratch("stripped-other.key");
  medcrypt::SaveUserKeyFile(medcrypt::GenerateUserKey(), otherKey);
  const fs::path wrong = Scratch("stripped-wrong");
  const auto refused = RunMedcrypt("decrypt --key " + otherKey.string() + " --model " + model.string() + " " +
                                   encrypted.string() + " " + wrong.string());
  EXPECT_EQ(refused.status, 1) << refused.errors;
  EXPECT_FALSE(fs::exists(wrong / ct.path));
}

TEST_F(DicomTreeCli, EveryKindOfImageIsRebuiltByTheNetworkWhenAllEnvelopesAreStripped)
{
  // Strip the exact envelope of every image: 12-bit signed CT (native and RLE), 8-bit MONOCHROME1,
  // 8-bit RGB and a 3-frame image must each come back with the original pixel module and UIDs.
  const fs::path encrypted = Scratch("all-stripped");
  ASSERT_EQ(Encrypt(input, encrypted).status, 0);
  for (const auto & image : TreeImages())
  {
    auto file = Load(encrypted / image.path);
    ASSERT_TRUE(file.file->getDataset()->findAndDeleteElement(DCM_EncryptedAttributesSequence).good());
    ASSERT_TRUE(file.file->saveFile(OFFilename((encrypted / image.path).c_str()), EXS_LittleEndianExplicit).good());
  }
  const fs::path restored = Scratch("all-stripped-restored");
  const fs::path report = Scratch("all-stripped-report.json");
  const auto decryption = Decrypt(encrypted, restored, "--model " + model.string() + " --report " + report.string());
  ASSERT_EQ(decryption.status, 0) << decryption.errors;
  const auto json = ReadJson(report);
  EXPECT_EQ(json["counts"]["restored (network only, approximate)"], TreeImages().size());
  EXPECT_EQ(json["counts"]["failed"], 0);

  for (const auto & image : TreeImages())
  {
    SCOPED_TRACE(image.path);
    auto network = Load(restored / image.path);
    DcmDataset & dataset = *network.file->getDataset();
    EXPECT_EQ(network.Get(DCM_SOPInstanceUID), image.sopInstanceUid);
    EXPECT_EQ(network.Get(DCM_SeriesInstanceUID), image.seriesUid);
    EXPECT_EQ(network.Get(DCM_Rows), std::to_string(image.rows));
    EXPECT_EQ(network.Get(DCM_Columns), std::to_string(image.columns));
    EXPECT_EQ(network.Get(DCM_SamplesPerPixel), std::to_string(image.samplesPerPixel));
    EXPECT_EQ(network.Get(DCM_PhotometricInterpretation), image.photometric);
    EXPECT_EQ(network.Get(DCM_BitsAllocated), std::to_string(image.bitsAllocated));
    EXPECT_EQ(network.Get(DCM_BitsStored), std::to_string(image.bitsStored));
    EXPECT_EQ(network.Get(DCM_PixelRepresentation), image.isSigned ? "1" : "0");
    EXPECT_EQ(network.Get(DCM_NumberOfFrames), image.frames > 1 ? std::to_string(image.frames) : "");
    EXPECT_EQ(network.Get(DCM_PlanarConfiguration), image.samplesPerPixel == 3 ? "0" : "");
    // Approximate pixels are never re-compressed: an RLE original comes back uncompressed.
    EXPECT_EQ(dataset.getOriginalXfer(), EXS_LittleEndianExplicit);
    EXPECT_FALSE(dataset.tagExists(DCM_EncryptedAttributesSequence));

    // Pixel Data: one value per sample of every frame, each inside the Bits Stored range.
    const std::size_t samples = std::size_t{ image.rows } * image.columns * image.frames * image.samplesPerPixel;
    const std::int64_t range = std::int64_t{ 1 } << image.bitsStored;
    const std::int64_t low = image.isSigned ? -range / 2 : 0;
    const std::int64_t high = image.isSigned ? range / 2 - 1 : range - 1;
    std::vector<std::int64_t> values;
    if (image.bitsAllocated == 8)
    {
      const Uint8 * bytes = nullptr;
      unsigned long count = 0;
      ASSERT_TRUE(dataset.findAndGetUint8Array(DCM_PixelData, bytes, &count).good());
      ASSERT_EQ(count, samples);
      values.assign(bytes, bytes + count);
    }
    else
    {
      const Uint16 * words = nullptr;
      unsigned long count = 0;
      ASSERT_TRUE(dataset.findAndGetUint16Array(DCM_PixelData, words, &count).good());
      ASSERT_EQ(count, samples);
      for (unsigned long i = 0; i < count; ++i)
      {
        values.push_back(image.isSigned ? static_cast<std::int16_t>(words[i]) : words[i]);
      }
    }
    for (const std::int64_t value : values)
    {
      ASSERT_GE(value, low);
      ASSERT_LE(value, high);
    }
  }
}

TEST_F(DicomTreeCli, ACertificateRecipientRestoresWithoutTheUserKey)
{
  const fs::path certificate = Scratch("site.crt");
  const fs::path privateKey = Scratch("site.key");
  MakeRecipient(certificate, privateKey);
  const fs::path encrypted = Scratch("for-site");
  ASSERT_EQ(Encrypt(input, encrypted, "--recipient " + certificate.string()).status, 0);
  const fs::path restored = Scratch("site-restored");
  const auto result = RunMedcrypt("decrypt --private-key " + privateKey.string() + " --certificate " +
                                  certificate.string() + " " + encrypted.string() + " " + restored.string());
  ASSERT_EQ(result.status, 0) << result.errors;
  ExpectRestoredTree(restored);

  // Without the recipient, the certificate's key opens nothing.
  const fs::path plain = Scratch("not-for-site");
  ASSERT_EQ(Encrypt(input, plain).status, 0);
  const auto refused = RunMedcrypt("decrypt --private-key " + privateKey.string() + " --certificate " +
                                   certificate.string() + " " + plain.string() + " " + Scratch("nothing").string());
  EXPECT_EQ(refused.status, 1) << refused.errors;
}

} // namespace
