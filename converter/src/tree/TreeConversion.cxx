#include "TreeConversion.h"

#include "AtomicFileWriter.h"
#include "ConversionJournal.h"
#include "ProgressReporter.h"

#include "medcrypt/Error.h"
#include "medcrypt/NeuralCipher.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <iostream>
#include <mutex>
#include <thread>
#include <vector>

namespace medcrypt::cli::tree
{

namespace fs = std::filesystem;

namespace
{

/** True for the kinds of file that put a file into the output tree. */
bool
WritesOutput(dicom::DicomFileKind kind)
{
  return kind == dicom::DicomFileKind::Image || kind == dicom::DicomFileKind::NonImage ||
         kind == dicom::DicomFileKind::DicomDir;
}

/** Refuses an output tree that already holds files this run would write (fresh runs without --overwrite). */
void
RefuseExistingOutputs(const dicom::DicomTree & tree, const fs::path & output)
{
  std::size_t existing = 0;
  std::string first;
  for (const auto & entry : tree.entries)
  {
    std::error_code error;
    if (WritesOutput(entry.kind) && fs::exists(output / entry.relativePath, error))
    {
      if (existing++ == 0)
      {
        first = (output / entry.relativePath).string();
      }
    }
  }
  if (existing > 0)
  {
    throw UserError(std::to_string(existing) + " output file(s) exist already, for example " + first +
                    ": pass --overwrite to replace them, or choose an empty output directory");
  }
}

} // namespace

void
CopyFileAtomically(const fs::path & inputFile, const fs::path & outputFile)
{
  dicom::AtomicFileWriter::Write(outputFile,
                                 [&](const fs::path & temporary)
                                 { fs::copy_file(inputFile, temporary, fs::copy_options::overwrite_existing); });
}

std::optional<FileOutcome>
HandleEntryWithoutImage(const dicom::DicomTreeEntry & entry,
                        const fs::path & inputFile,
                        const fs::path & outputFile,
                        const std::string & dicomDirNote,
                        bool pixelsMustDecode)
{
  FileOutcome outcome;
  switch (entry.kind)
  {
    case dicom::DicomFileKind::NotDicom:
      outcome.status = FileStatus::Skipped;
      outcome.message = "not DICOM (" + entry.note + ")";
      return outcome;
    case dicom::DicomFileKind::Unreadable:
      outcome.status = FileStatus::Failed;
      outcome.message = entry.note;
      return outcome;
    case dicom::DicomFileKind::DicomDir:
      CopyFileAtomically(inputFile, outputFile);
      outcome.status = FileStatus::Copied;
      outcome.message = dicomDirNote;
      return outcome;
    case dicom::DicomFileKind::NonImage:
      CopyFileAtomically(inputFile, outputFile);
      outcome.status = FileStatus::Copied;
      outcome.message = "no Pixel Data (" + (entry.modality.empty() ? std::string("no modality") : entry.modality) +
                        "): copied unchanged";
      return outcome;
    case dicom::DicomFileKind::Image:
      break;
  }
  if (pixelsMustDecode && !entry.pixelDataDecodable)
  {
    outcome.status = FileStatus::Failed;
    outcome.message = entry.note;
    return outcome;
  }
  return std::nullopt;
}

int
RunTreeConversion(const std::string & command,
                  const std::string & convertedName,
                  const TreeRunSettings & settings,
                  const FileConverter & convert)
{
  const auto start = std::chrono::steady_clock::now();
  dicom::DicomTreeWalker::CheckOutputLocation(settings.input, settings.output);
  const dicom::DicomTree tree = dicom::DicomTreeWalker::Walk(settings.input);
  std::error_code error;
  const bool resuming = fs::exists(settings.output / dicom::ConversionJournal::JournalFileName, error);
  if (!resuming && !settings.overwrite)
  {
    RefuseExistingOutputs(tree, settings.output);
  }
  dicom::AtomicFileWriter::EnsureWritableDirectory(settings.output);
  dicom::AtomicFileWriter::RemovePartialFiles(settings.output);
  dicom::ConversionJournal journal(settings.output);

  ConversionReport report(command, convertedName, settings.input.string(), settings.output.string());
  std::vector<const dicom::DicomTreeEntry *> work;
  for (const auto & entry : tree.entries)
  {
    FileOutcome outcome{ entry.relativePath, dicom::ToString(entry.kind), FileStatus::Resumed, std::string() };
    if (entry.relativePath == dicom::ConversionJournal::JournalFileName)
    {
      outcome.status = FileStatus::Skipped;
      outcome.message = "the journal of an earlier medcrypt run: not copied";
      report.Add(outcome);
    }
    else if (journal.IsDone(entry.relativePath, settings.input / entry.relativePath))
    {
      outcome.message = "done by an earlier run (journal)";
      report.Add(outcome);
    }
    else
    {
      work.push_back(&entry);
    }
  }

  const unsigned jobs = std::max(1u, settings.jobs);
  // One LibTorch thread per worker, whatever --jobs is: the network's float reductions depend on the
  // intra-op thread count (measured: hardware/jobs threads gave other ciphertext pixels for --jobs 1 and
  // --jobs 2), and a repeated or resumed run must give the same ciphertext pixels. Parallelism comes
  // from the workers (--jobs, default: the hardware threads).
  NeuralCipher::SetThreads(1);

  ProgressReporter progress(std::cerr, command, work.size(), ::isatty(STDERR_FILENO) != 0);
  std::mutex mutex;
  std::atomic<std::size_t> next{ 0 };
  const auto worker = [&]()
  {
    for (std::size_t index = next++; index < work.size(); index = next++)
    {
      const dicom::DicomTreeEntry & entry = *work[index];
      const fs::path inputFile = settings.input / entry.relativePath;
      FileOutcome outcome;
      dicom::JournalEntry record;
      try
      {
        // Fingerprinted before conversion: an input changed meanwhile is redone by a later run.
        record.input = dicom::ConversionJournal::Fingerprint(inputFile);
        outcome = convert(entry, inputFile, settings.output / entry.relativePath);
      }
      catch (const std::exception & failure)
      {
        outcome.status = FileStatus::Failed;
        outcome.message = failure.what();
      }
      if (settings.failOnNonDicom && outcome.status == FileStatus::Skipped &&
          entry.kind == dicom::DicomFileKind::NotDicom)
      {
        outcome.status = FileStatus::Failed;
        outcome.message += "; --fail-on-non-dicom counts it as failed: move it out of the input tree, or run "
                           "without that option to leave it out of the output";
      }
      outcome.relativePath = entry.relativePath;
      outcome.kind = dicom::ToString(entry.kind);
      record.inputPath = entry.relativePath;
      record.outputPath = entry.relativePath;
      record.status = outcome.status == FileStatus::Converted || outcome.status == FileStatus::Copied ||
                          outcome.status == FileStatus::NetworkRestored
                        ? "done"
                      : outcome.status == FileStatus::Skipped ? "skipped"
                                                              : "failed";
      record.message = outcome.message;

      const std::lock_guard<std::mutex> lock(mutex);
      try
      {
        journal.Record(record);
      }
      catch (const std::exception & failure)
      {
        outcome.status = FileStatus::Failed;
        outcome.message = failure.what();
      }
      report.Add(outcome);
      progress.FileDone(entry.relativePath, StatusName(outcome.status, convertedName));
    }
  };
  std::vector<std::thread> threads;
  for (unsigned i = 1; i < std::min<std::size_t>(jobs, work.size()); ++i)
  {
    threads.emplace_back(worker);
  }
  worker();
  for (auto & thread : threads)
  {
    thread.join();
  }
  progress.Finish();

  report.SetRunDetails(
    std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), jobs, settings.verify);
  report.PrintSummary(std::cerr);
  if (!settings.reportPath.empty())
  {
    const std::string json = report.ToJson();
    dicom::AtomicFileWriter::WriteBytes(settings.reportPath,
                                        ByteView(reinterpret_cast<const std::uint8_t *>(json.data()), json.size()));
  }
  return report.ExitStatus();
}

} // namespace medcrypt::cli::tree
