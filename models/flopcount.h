#pragma once

#include "models/architecture.h"

#include <QString>

namespace digitdesk::models {

// Multiply-adds x 2 of one forward pass of a native network (convolutions and linear layers;
// activations, pooling and batch norm are left out, as is usual).
double flopsPerImage(Architecture architecture);

// GFLOP/s of a 2048 x 2048 float matrix product on the current intra-op threads: the ceiling
// the BLAS reaches on this machine, against which inference is compared.
double measurePeakGflops();

// Writes a freshly initialised native network, for benchmarks and tests of the file path.
void saveUntrained(Architecture architecture, const QString &path);

} // namespace digitdesk::models
