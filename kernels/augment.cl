// Data augmentation of training images on the device, fused with the batch gather (batch.cl's gather_rows):
// each gathered row is an image of height·width·channels floats, channel fastest (HWC), randomly flipped
// left to right and translated, as a crop of the image zero-padded by pad pixels on every side.
//   gather_augment   target(r) = augmented source row s = indices[offset + r]          ReferenceKernels.gatherAugment
//   augment_rows     target(r) = source row r augmented as sample s = indices[offset + r]  ReferenceKernels.augmentRows
//                    (streamed training: the host has read the batch's rows in order; the draws stay the sample's)
// The draws are Philox-4x32-10 (the prelude's philox_first) with key (seed_lo, seed_hi) and counter
// (s, epoch, which, 0x80000000): a pure function of the seed, the epoch and the sample's index in the data set
// (not its place in the batch), so that every device, any split of a batch and the reference see the same
// images. Counter word 3 has its top bit set, which dropout's streams (conv.cl) never have.
//   which 0: flipped when mul_hi(r, 2) = 1 (only with flip ≠ 0)
//   which 1: dy = mul_hi(r, 2·pad + 1) − pad;  which 2: dx likewise (only with pad > 0)
//   target(y, x, c) = source(y + dy, x' + dx, c), x' = width − 1 − x when flipped else x; 0 outside the image.
// One work-item per element of target: dimension 0 = column (pixel·channels + c), dimension 1 = row.

// The draw `which` of sample s in this epoch, uniform in 0 .. n − 1 (the high word of r·n).
uint augment_draw(const uint sample, const uint epoch, const uint which, const uint n, const uint seed_lo,
                  const uint seed_hi) {
  return mul_hi(philox_first(sample, epoch, which, 0x80000000u, seed_lo, seed_hi), n);
}

// Element col of sample s's augmented image, read from row, the sample's unaugmented image.
float augmented(const int col, const uint sample, const int height, const int width, const int channels,
                const int pad, const int flip, const int seed_lo, const int seed_hi, const int epoch,
                __global const float* row) {
  const int pixel = col / channels;
  const int c = col - pixel * channels;
  const int y = pixel / width;
  const int x = pixel - y * width;
  int sx = x;
  int sy = y;
  if (flip != 0 && augment_draw(sample, (uint) epoch, 0u, 2u, (uint) seed_lo, (uint) seed_hi) == 1u) {
    sx = width - 1 - x;
  }
  if (pad > 0) {
    const uint span = (uint) (2 * pad + 1);
    sy += (int) augment_draw(sample, (uint) epoch, 1u, span, (uint) seed_lo, (uint) seed_hi) - pad;
    sx += (int) augment_draw(sample, (uint) epoch, 2u, span, (uint) seed_lo, (uint) seed_hi) - pad;
  }
  return sy >= 0 && sy < height && sx >= 0 && sx < width ? row[(sy * width + sx) * channels + c] : 0.0f;
}

// Element (r, col) of both kernels: sample indices[offset + r]'s image read from source row sample (gathered) or r.
inline void augment_element(const int rows, const int height, const int width, const int channels, const int pad,
                            const int flip, const int seed_lo, const int seed_hi, const int epoch, const int offset,
                            __global const int* indices, __global const float* source, __global float* target,
                            const bool gathered) {
  const int col = get_global_id(0);
  const int r = get_global_id(1);
  const int cols = height * width * channels;
  if (r >= rows || col >= cols) {
    return;
  }
  const int sample = indices[offset + r];
  target[r * cols + col] = augmented(col, (uint) sample, height, width, channels, pad, flip, seed_lo, seed_hi, epoch,
                                     source + (gathered ? sample : r) * cols);
}

// target(rows, height·width·channels) = source rows indices[offset .. offset + rows), each flipped and shifted
__kernel void gather_augment(const int rows, const int height, const int width, const int channels,
                             const int pad, const int flip, const int seed_lo, const int seed_hi,
                             const int epoch, const int offset, __global const int* indices,
                             __global const float* source, __global float* target) {
  augment_element(rows, height, width, channels, pad, flip, seed_lo, seed_hi, epoch, offset, indices, source, target,
                  true);
}

// target(rows, height·width·channels) = source's rows in order, row r flipped and shifted as sample
// indices[offset + r] is by gather_augment: a streamed batch augmented as the same rows resident would be
__kernel void augment_rows(const int rows, const int height, const int width, const int channels,
                           const int pad, const int flip, const int seed_lo, const int seed_hi,
                           const int epoch, const int offset, __global const int* indices,
                           __global const float* source, __global float* target) {
  augment_element(rows, height, width, channels, pad, flip, seed_lo, seed_hi, epoch, offset, indices, source, target,
                  false);
}
