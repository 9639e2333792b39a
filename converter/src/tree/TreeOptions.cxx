#include "TreeOptions.h"

#include "ConversionJournal.h"

#include "medcrypt/Error.h"

#include <algorithm>
#include <thread>

namespace medcrypt::cli::tree
{

std::string
TreeHelpText(const std::string & convertedName)
{
  return "When IN is a directory, the whole DICOM tree below it is converted into OUT with the same shape:\n"
         "images are " +
         convertedName +
         " (every frame and channel); DICOM files without pixels (SR, PR, RT...), DICOMDIR\n"
         "and images that need no conversion (encrypt: encrypted by medcrypt already; decrypt: not encrypted\n"
         "by medcrypt) are copied unchanged. Files that are not DICOM are never copied (a report or a\n"
         "thumbnail may hold what encryption protects): they are skipped with a note, or fail the run with\n"
         "--fail-on-non-dicom. A file that should have been converted but could not be (truncated or corrupt\n"
         "DICOM, undecodable Pixel Data such as JPEG 2000, a wrong key, a failed --verify) is reported as\n"
         "failed and the run goes on. Exit status: 0 when no file failed (skipped non-DICOM files included),\n"
         "1 when some file failed, 2 for a usage error. OUT must not be inside IN (nor IN itself). Files are\n"
         "written under temporary names and renamed. The journal OUT/" +
         std::string(dicom::ConversionJournal::JournalFileName) +
         " lets an interrupted run resume: a rerun skips\n"
         "the files it records as done (input unchanged, output present) and redoes the others. Without a\n"
         "journal, existing output files are refused unless --overwrite. A summary goes to stderr; --report\n"
         "writes it as JSON.";
}

void
AddTreeOptions(CommandSpec & spec)
{
  spec.options.add_options()(
    "jobs",
    po::value<unsigned>()->default_value(std::max(1u, std::thread::hardware_concurrency()))->value_name("N"),
    "directory trees: files converted in parallel, one network thread each (default: the "
    "hardware threads)")("overwrite", po::bool_switch(), "directory trees: replace output files that exist already")(
    "report", po::value<std::string>()->value_name("FILE.json"), "directory trees: write the report as JSON")(
    "fail-on-non-dicom",
    po::bool_switch(),
    "directory trees: count files that are not DICOM as failed (exit status 1) instead of skipping them");
}

TreeRunSettings
TreeSettingsFrom(const po::variables_map & values, const std::string & input, const std::string & output)
{
  TreeRunSettings settings;
  settings.input = input;
  settings.output = output;
  settings.jobs = values["jobs"].as<unsigned>();
  if (settings.jobs == 0)
  {
    throw UserError("--jobs must be at least 1");
  }
  settings.overwrite = values["overwrite"].as<bool>();
  settings.reportPath = values.count("report") ? values["report"].as<std::string>() : std::string();
  settings.failOnNonDicom = values["fail-on-non-dicom"].as<bool>();
  return settings;
}

void
RefuseTreeOnlyOptions(const po::variables_map & values, const std::vector<std::string> & names)
{
  for (const auto & name : names)
  {
    if (values.count(name) && !values[name].defaulted())
    {
      const auto & value = values[name].value();
      const bool * flag = boost::any_cast<bool>(&value);
      if (flag == nullptr || *flag)
      {
        throw UserError("--" + name + " applies to directory trees; IN is a single file");
      }
    }
  }
}

} // namespace medcrypt::cli::tree
