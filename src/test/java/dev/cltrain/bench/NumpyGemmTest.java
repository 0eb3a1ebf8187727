package dev.cltrain.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** NumPy's comparison row: reading the script's lines, and the time limit. */
class NumpyGemmTest {
  @Test
  void readsTheHeaderAndOneLinePerShape() {
    NumpyGemm.Result r = NumpyGemm.parse("py", List.of("noise", "{\"numpy\": \"2.4.6\", \"blas\": \"scipy-openblas 0.3.31\","
        + " \"python\": \"3.11.7\"}", "{\"shape\": 0, \"ms\": [1.5, 2.5]}"), List.of(), 1, 2, 0);
    assertNull(r.problem());
    assertEquals("numpy 2.4.6 (scipy-openblas)", r.label());
    assertEquals("NumPy 2.4.6, scipy-openblas 0.3.31, Python 3.11.7", r.describe());
    assertEquals(2.5, r.ms().get(0)[1]);
  }

  @Test
  void aMissingNumpyOrAShortAnswerIsAProblemNotARow() {
    assertEquals("py: cannot import numpy (ModuleNotFoundError: No module named 'numpy')", NumpyGemm.parse("py",
        List.of("{\"error\": \"cannot import numpy (ModuleNotFoundError: No module named 'numpy')\"}"), List.of(), 1, 1, 3)
        .problem().toString());
    String short_ = NumpyGemm.parse("py", List.of("{\"numpy\": \"2\", \"blas\": \"\"}", "{\"shape\": 0, \"ms\": [1.0]}"),
        List.of("MemoryError"), 2, 1, 1).problem().toString();
    assertEquals("py stopped after 1 of 2 shapes (exit status 1): MemoryError", short_);
    assertTrue(NumpyGemm.parse("py", List.of("{\"numpy\": \"2\"}", "{\"shape\": 0, \"ms\": [-1.0]}"), List.of(), 1, 1, 0)
        .problem().toString().contains("not a positive number"));
  }

  @Test
  void theTimeLimitGrowsWithTheWorkUpToTenMinutes() {
    long small = NumpyGemm.timeoutMillis(List.of(new GemmShape(8, 8, 8, "nn")), 3);
    long large = NumpyGemm.timeoutMillis(List.of(new GemmShape(1024, 1024, 1024, "nn")), 3);
    assertTrue(small >= 30_000 && small < large, small + " " + large);
    assertEquals(NumpyGemm.MAX_TIMEOUT_MILLIS, NumpyGemm.timeoutMillis(List.of(new GemmShape(8192, 8192, 8192, "nn")), 100));
  }
}
