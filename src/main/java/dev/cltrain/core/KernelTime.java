package dev.cltrain.core;

/**
 * Time spent in one kernel over a run: device time from profiling events on OpenCL, wall time per call on the
 * reference.
 *
 * <p>Thread-safe: an immutable value.
 *
 * @param kernel   the kernel's name in {@code kernels/*.cl}, e.g. {@code matmul_transpose_a}
 * @param launches how many times it ran
 * @param nanos    the time, summed over the launches
 */
public record KernelTime(String kernel, int launches, long nanos) {}
