#ifndef medcrypt_Trainer_h
#define medcrypt_Trainer_h

// Training of the cipher network (paper III.C): phase 1 pre-trains it as an autoencoder without key
// fusion, phase 2 trains encryption and decryption with the losses of Eq. 24 and Eq. 25.

#include "medcrypt/ModelConfig.h"
#include "medcrypt/TrainingOptions.h"
#include "medcrypt/TrainingImageSource.h"

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace medcrypt
{

class CipherNet;

/** The outcome of one training step. */
struct TrainingStepReport
{
  std::int64_t step = 0; // 1-based number of the step just done
  int phase = 1;
  bool decryptionOnly = false;                        // phase 2 with encryption frozen (TrainerOptions::decryptionOnly)
  std::vector<std::pair<std::string, double>> losses; // name -> value, in a fixed order per phase
  double learningRate = 0;
  double seconds = 0; // wall time of the step
};

/** Runs the two training phases on images from a TrainingImageSource. Reproducible: the same
 * configuration, options, seed and images give the same weights, also across a checkpoint and resume. */
class Trainer
{
public:
  /** A fresh network (weights from torch::manual_seed(options.seed)) on options.device. */
  Trainer(const ModelConfig & config, const TrainerOptions & options, std::shared_ptr<TrainingImageSource> source);
  ~Trainer();
  Trainer(const Trainer &) = delete;
  Trainer &
  operator=(const Trainer &) = delete;

  /** One step of the phase that CurrentStep() falls in. */
  TrainingStepReport
  Step();

  /** Steps until options.totalSteps; prints a progress line every progressEvery steps (and the
   * last), writes a checkpoint every checkpointEvery steps and at the end when checkpointPath is set, and
   * at the same steps a model snapshot (SnapshotPath) when snapshotDirectory is set. */
  void
  Run(std::ostream & progress);

  /** Writes weights, optimizer state, step, phase and random state to one file (temporary name, then
   * renamed). */
  void
  SaveCheckpoint(const std::string & path) const;

  /** Restores a checkpoint written by SaveCheckpoint for the same configuration (UserError otherwise). */
  void
  LoadCheckpoint(const std::string & path);

  /** Saves the network as a model file (ModelFile.h); returns the model id. */
  std::string
  SaveModel(const std::string & path, bool half) const;

  /** Where Run writes the snapshot of the given step: snapshotDirectory/step-NNNNNNN.mcmodel. */
  static std::string
  SnapshotPath(const std::string & snapshotDirectory, std::int64_t step);

  /** Number of steps done so far. */
  std::int64_t
  CurrentStep() const;

  /** The network being trained. */
  CipherNet
  Network() const;

  /** "step 120/1000 | phase 2 encryption | stats 0.0123 ... | lr 1.00e-04 | 14.2 images/s". */
  static std::string
  FormatProgress(const TrainingStepReport & report, std::int64_t totalSteps, double imagesPerSecond);

private:
  struct Impl;
  std::unique_ptr<Impl> m_Impl;
};

} // namespace medcrypt

#endif
