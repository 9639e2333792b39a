#ifndef medcrypt_ModelWidening_h
#define medcrypt_ModelWidening_h

// Function-preserving widening ("Net2Net"): a trained network's weights copied into a network with
// more channels in some convolutions, so that the wider network starts out computing exactly what
// the trained one computes and training goes on from there instead of from scratch.

#include "medcrypt/CipherNet.h"

namespace medcrypt
{

/** Copies `narrow`'s weights into `wide`, a network of the same parameter names whose convolutions may
 * have more input or output channels. The trained weights fill the leading block of each tensor; the
 * weights from a new input channel to a trained output channel are set to zero, so no trained output
 * sees the new channels; the new output channels keep `wide`'s own random initialisation, so they
 * learn. With every path from a new channel to the output passing through such zeros, `wide` then
 * computes the same outputs as `narrow` (up to floating-point summation order). Throws UserError
 * when a name is missing, or a tensor is narrower in `wide` or of another rank, or a wider tensor is
 * not a convolution's weight or bias. */
void
CopyWeightsWidening(CipherNet & wide, const CipherNet & narrow);

} // namespace medcrypt

#endif
