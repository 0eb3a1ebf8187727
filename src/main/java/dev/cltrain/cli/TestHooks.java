package dev.cltrain.cli;

/**
 * Hooks that let tests put a fault at an exact moment instead of killing a process at a random one. None is
 * active unless a test sets it; each costs one read of a field or property.
 */
final class TestHooks {
  /**
   * {@code -Dcltrain.test.haltAfterFinalCheckpoint=true}: {@code train} halts the JVM with exit 137 (as SIGKILL
   * would) right after training ends, when the last checkpoint is written and before {@code --save}.
   */
  static final String HALT_AFTER_FINAL_CHECKPOINT = "cltrain.test.haltAfterFinalCheckpoint";

  /** {@code train} acts as if SIGTERM arrived during the last batch of the last epoch (in-process tests). */
  static volatile boolean termInLastBatch;


  private TestHooks() {}

  static boolean haltAfterFinalCheckpoint() {
    return Boolean.getBoolean(HALT_AFTER_FINAL_CHECKPOINT);
  }
}
