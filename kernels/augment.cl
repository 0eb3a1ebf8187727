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
// One work-item per image row of target: dimension 0 = y, dimension 1 = row.

// The draw `which` of sample s in this epoch, uniform in 0 .. n − 1 (the high word of r·n).
uint augment_draw(const uint sample, const uint epoch, const uint which, const uint n, const uint seed_lo,
                  const uint seed_hi) {
  return mul_hi(philox_first(sample, epoch, which, 0x80000000u, seed_lo, seed_hi), n);
}

// Image row y of target row r: the draws once, then the row's width·channels elements (a loop: the Philox draws
// cost more than the copy, so one work-item per element spent most of its time drawing the same numbers).
inline void augment_element(const int rows, const int height, const int width, const int channels, const int pad,
                            const int flip, const int seed_lo, const int seed_hi, const int epoch, const int offset,
                            __global const int* indices, __global const float* source, __global float* target,
                            const bool gathered) {
  const int y = get_global_id(0);
  const int r = get_global_id(1);
  if (r >= rows || y >= height) {
    return;
  }
  const int cols = height * width * channels;
  const uint sample = (uint) indices[offset + r];
  const bool flipped = flip != 0 && augment_draw(sample, (uint) epoch, 0u, 2u, (uint) seed_lo, (uint) seed_hi) == 1u;
  int dy = 0;
  int dx = 0;
  if (pad > 0) {
    const uint span = (uint) (2 * pad + 1);
    dy = (int) augment_draw(sample, (uint) epoch, 1u, span, (uint) seed_lo, (uint) seed_hi) - pad;
    dx = (int) augment_draw(sample, (uint) epoch, 2u, span, (uint) seed_lo, (uint) seed_hi) - pad;
  }
  const int sy = y + dy;
  __global const float* image = source + (long) (gathered ? (int) sample : r) * cols;
  __global float* out = target + (long) r * cols + y * width * channels;
  for (int x = 0; x < width; x++) {
    const int sx = (flipped ? width - 1 - x : x) + dx;
    const bool inside = sy >= 0 && sy < height && sx >= 0 && sx < width;
    for (int c = 0; c < channels; c++) {
      out[x * channels + c] = inside ? image[(sy * width + sx) * channels + c] : 0.0f;
    }
  }
}

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
