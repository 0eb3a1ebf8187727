package dev.cltrain.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

/**
 * Issue 22 item 11: what an OpenCL compiler writes to file descriptor 2 during a build ("12 warnings generated.",
 * "MESA: warning: ...") must not reach the user's terminal. JvmSignals.captureStderr points descriptor 2 at a
 * temporary file around the call; a Java stream on the same descriptor stands in for the driver.
 */
class DriverOutputTest {
  @Test
  void whatIsWrittenToDescriptorTwoDuringTheCallIsCapturedAndTheDescriptorRestored() {
    assumeTrue(JvmSignals.available(), "the JNI library is not in this build");
    java.io.FileOutputStream fd2 = new java.io.FileOutputStream(java.io.FileDescriptor.err); // not closed: fd 2 stays
    String captured = JvmSignals.captureStderr(() -> {
      try {
        fd2.write("12 warnings generated.\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    assertEquals("12 warnings generated.\n", captured);
    assertEquals("", JvmSignals.captureStderr(() -> { }), "a second capture starts empty: the first was closed");
  }
}
