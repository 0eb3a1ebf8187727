package dev.cltrain.backend;

/** Time spent in one kernel: device time from profiling events on OpenCL, wall time on the reference. */
public record KernelTime(String kernel, int launches, long nanos) {}
