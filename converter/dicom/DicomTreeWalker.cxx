#include "DicomTreeWalker.h"

#include "DicomCodecs.h"
#include "DicomFileIO.h"

#include "medcrypt/Error.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <system_error>
#include <utility>

namespace medcrypt::dicom
{

namespace fs = std::filesystem;

namespace
{

/** Values larger than this stay on disk during classification. */
constexpr std::uint32_t ClassificationReadLength = 1024;

std::string
GetString(DcmItem & item, const DcmTagKey & tag)
{
  OFString value;
  return item.findAndGetOFStringArray(tag, value).good() ? std::string(value.c_str()) : std::string();
}

bool
IsDicomDirName(const fs::path & file)
{
  std::string name = file.filename().string();
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::toupper(c); });
  return name == "DICOMDIR";
}

using DirectoryId = std::pair<dev_t, ino_t>;

void
WalkDirectory(const fs::path & directory,
              const std::string & relative,
              std::set<DirectoryId> & visited,
              DicomTree & tree)
{
  std::vector<fs::directory_entry> children;
  std::error_code error;
  for (fs::directory_iterator it(directory, error), end; !error && it != end; it.increment(error))
  {
    children.push_back(*it);
  }
  if (error)
  {
    DicomTreeEntry entry;
    entry.relativePath = relative.empty() ? "." : relative;
    entry.kind = DicomFileKind::Unreadable;
    entry.note = "cannot list the directory: " + error.message();
    tree.entries.push_back(std::move(entry));
    return;
  }
  std::sort(children.begin(),
            children.end(),
            [](const fs::directory_entry & a, const fs::directory_entry & b) { return a.path() < b.path(); });
  for (const auto & child : children)
  {
    const std::string childRelative =
      relative.empty() ? child.path().filename().string() : relative + "/" + child.path().filename().string();
    struct stat info
    {
    };
    if (::stat(child.path().c_str(), &info) != 0)
    {
      DicomTreeEntry entry;
      entry.relativePath = childRelative;
      entry.kind = DicomFileKind::Unreadable;
      entry.note = child.is_symlink() ? "broken symbolic link" : "cannot stat the file";
      tree.entries.push_back(std::move(entry));
      continue;
    }
    if (S_ISDIR(info.st_mode))
    {
      if (!visited.insert({ info.st_dev, info.st_ino }).second)
      {
        tree.skippedDirectoryLinks.push_back(childRelative);
        continue;
      }
      WalkDirectory(child.path(), childRelative, visited, tree);
    }
    else if (S_ISREG(info.st_mode))
    {
      tree.entries.push_back(DicomTreeWalker::Classify(child.path(), childRelative));
    }
  }
}

bool
IsInside(const fs::path & inner, const fs::path & outer)
{
  auto innerIt = inner.begin();
  for (auto outerIt = outer.begin(); outerIt != outer.end(); ++outerIt, ++innerIt)
  {
    if (outerIt->empty())
    {
      continue; // a trailing separator
    }
    if (innerIt == inner.end() || *innerIt != *outerIt)
    {
      return false;
    }
  }
  return true;
}

} // namespace

const char *
ToString(DicomFileKind kind)
{
  switch (kind)
  {
    case DicomFileKind::Image:
      return "image";
    case DicomFileKind::NonImage:
      return "non-image";
    case DicomFileKind::DicomDir:
      return "DICOMDIR";
    case DicomFileKind::NotDicom:
      return "not DICOM";
    case DicomFileKind::Unreadable:
      return "unreadable";
  }
  return "unknown";
}

std::size_t
DicomTree::Count(DicomFileKind kind) const
{
  return static_cast<std::size_t>(
    std::count_if(entries.begin(), entries.end(), [kind](const DicomTreeEntry & entry) { return entry.kind == kind; }));
}

DicomTreeEntry
DicomTreeWalker::Classify(const fs::path & file, const std::string & relativePath)
{
  DicomTreeEntry entry;
  entry.relativePath = relativePath;
  std::error_code error;
  entry.sizeBytes = fs::file_size(file, error);
  if (error)
  {
    entry.kind = DicomFileKind::Unreadable;
    entry.note = "cannot read the file size: " + error.message();
    return entry;
  }
  DicomFileShape shape = DicomFileShape::NotDicom;
  try
  {
    shape = SniffDicomFile(file);
  }
  catch (const UserError &)
  {
    entry.kind = DicomFileKind::Unreadable;
    entry.note = "cannot open the file for reading";
    return entry;
  }
  if (shape == DicomFileShape::NotDicom)
  {
    entry.kind = DicomFileKind::NotDicom;
    entry.note = IsDicomDirName(file) ? "named DICOMDIR but not DICOM" : "no DICOM preamble or element at its start";
    return entry;
  }
  std::unique_ptr<DcmFileFormat> format;
  try
  {
    format = LoadDicomFile(file, ClassificationReadLength);
  }
  catch (const UserError & failure)
  {
    // A raw dataset guess that DCMTK cannot parse is most likely not DICOM at all; a Part 10 file is broken.
    entry.kind = shape == DicomFileShape::Part10 ? DicomFileKind::Unreadable : DicomFileKind::NotDicom;
    entry.note = failure.what();
    return entry;
  }
  entry.part10 = shape == DicomFileShape::Part10;
  DcmDataset & dataset = *format->getDataset();
  DcmMetaInfo & meta = *format->getMetaInfo();
  const auto mediaClass = GetString(meta, DCM_MediaStorageSOPClassUID);
  entry.sopClassUid = GetString(dataset, DCM_SOPClassUID);
  entry.sopInstanceUid = GetString(dataset, DCM_SOPInstanceUID);
  entry.seriesInstanceUid = GetString(dataset, DCM_SeriesInstanceUID);
  entry.modality = GetString(dataset, DCM_Modality);
  const E_TransferSyntax xfer = dataset.getOriginalXfer();
  entry.transferSyntaxUid = xfer == EXS_Unknown ? std::string() : DcmXfer(xfer).getXferID();
  if (IsDicomDirName(file) || mediaClass == UID_MediaStorageDirectoryStorage ||
      dataset.tagExists(DCM_DirectoryRecordSequence))
  {
    entry.kind = DicomFileKind::DicomDir;
    entry.note = "DICOMDIR (media directory): not converted; rebuild it for the output tree if needed";
    return entry;
  }
  if (!entry.part10 && entry.sopClassUid.empty() && !dataset.tagExists(DCM_PixelData))
  {
    entry.kind = DicomFileKind::NotDicom;
    entry.note = "parses as a raw dataset but has neither SOP Class UID nor Pixel Data";
    return entry;
  }
  if (!dataset.tagExists(DCM_PixelData))
  {
    entry.kind = DicomFileKind::NonImage;
    entry.note = "no Pixel Data (7FE0,0010)";
    return entry;
  }
  entry.kind = DicomFileKind::Image;
  entry.pixelDataDecodable = IsDecodableTransferSyntax(xfer);
  if (!dataset.tagExists(DCM_Rows) || !dataset.tagExists(DCM_Columns) || !dataset.tagExists(DCM_BitsAllocated))
  {
    entry.pixelDataDecodable = false;
    entry.note = "Pixel Data without Rows, Columns or Bits Allocated: no image pixel module to decode it with";
  }
  else if (!entry.pixelDataDecodable)
  {
    entry.note = "Pixel Data in " + DescribeTransferSyntax(xfer) + " cannot be decoded (no decoder in DCMTK)";
  }
  return entry;
}

DicomTree
DicomTreeWalker::Walk(const fs::path & inputRoot)
{
  RegisterDicomCodecs();
  struct stat info
  {
  };
  if (::stat(inputRoot.c_str(), &info) != 0 || !S_ISDIR(info.st_mode))
  {
    throw UserError(inputRoot.string() + ": not a readable directory (give the root of a DICOM directory tree)");
  }
  DicomTree tree;
  tree.root = inputRoot;
  std::set<DirectoryId> visited{ { info.st_dev, info.st_ino } };
  WalkDirectory(inputRoot, std::string(), visited, tree);
  std::sort(tree.entries.begin(),
            tree.entries.end(),
            [](const DicomTreeEntry & a, const DicomTreeEntry & b) { return a.relativePath < b.relativePath; });
  for (std::size_t i = 0; i < tree.entries.size(); ++i)
  {
    if (tree.entries[i].kind == DicomFileKind::Image)
    {
      tree.series[tree.entries[i].seriesInstanceUid].push_back(i);
    }
  }
  return tree;
}

void
DicomTreeWalker::CheckOutputLocation(const fs::path & inputRoot, const fs::path & outputRoot)
{
  std::error_code error;
  const fs::path input = fs::weakly_canonical(fs::absolute(inputRoot), error);
  if (error)
  {
    throw UserError(inputRoot.string() + ": cannot resolve the input directory: " + error.message());
  }
  const fs::path output = fs::weakly_canonical(fs::absolute(outputRoot), error);
  if (error)
  {
    throw UserError(outputRoot.string() + ": cannot resolve the output directory: " + error.message());
  }
  if (input == output)
  {
    throw UserError("the output directory " + outputRoot.string() + " is the input directory " + inputRoot.string() +
                    ": the input tree is never written; choose an output directory outside it");
  }
  if (IsInside(output, input))
  {
    throw UserError("the output directory " + outputRoot.string() + " lies inside the input directory " +
                    inputRoot.string() + ": choose an output directory outside the input tree");
  }
  if (IsInside(input, output))
  {
    throw UserError("the input directory " + inputRoot.string() + " lies inside the output directory " +
                    outputRoot.string() + ": the output could overwrite input files; choose another output directory");
  }
}

} // namespace medcrypt::dicom
