package dev.cltrain.testing;

import java.nio.file.Path;

/**
 * Points cltrain's per-device caches (matmul plans, first-use verdicts: the {@code cltrain.cache} property) at a
 * test's own folder until closed, so that a test can plant or inspect entries without touching the build's cache.
 */
public final class CacheFolder implements AutoCloseable {
  private static final String PROPERTY = dev.cltrain.opencl.MatmulTuner.CACHE_PROPERTY;
  private final String before;

  private CacheFolder(Path dir) {
    before = System.getProperty(PROPERTY);
    System.setProperty(PROPERTY, dir.toString());
  }

  /** {@return the caches in {@code dir} until {@link #close()}} */
  public static CacheFolder use(Path dir) {
    return new CacheFolder(dir);
  }

  @Override
  public void close() {
    if (before == null) {
      System.clearProperty(PROPERTY);
    } else {
      System.setProperty(PROPERTY, before);
    }
  }
}
