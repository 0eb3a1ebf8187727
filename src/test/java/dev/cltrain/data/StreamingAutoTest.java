package dev.cltrain.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 26: {@code --stream auto} streams rows that would not fit the heap read whole (a third of it), or the
 * device they would be uploaded to: its memory, or the largest buffer it allocates (the inputs of a resident set
 * are one buffer). Fake sizes stand in for a device, since PoCL's smallest memory limit (1 GB) needs rows of a
 * quarter of a gigabyte to pass its largest buffer; the note names the limit passed.
 */
class StreamingAutoTest {
  private static final long HEAP = 3_000_000_000L;
  /** A device of 1 GB of memory whose largest buffer is 256 MB, as PoCL with POCL_MEMORY_LIMIT=1. */
  private static final Streaming.DeviceLimit SMALL = new Streaming.DeviceLimit("cl:0:0", 1L << 30, 1L << 28);

  @Test
  void rowsThatFitTheHeapAndTheDeviceAreReadWhole() {
    assertNull(Streaming.autoReason(200_000_000L, HEAP, () -> List.of(SMALL)));
    assertNull(Streaming.autoReason(900_000_000L, HEAP, null), "no device to fit: the heap alone");
  }

  @Test
  void theHeapIsAskedFirstAndTheDevicesOnlyWhenItHoldsTheRows() {
    assertEquals("over a third of the 3000 MB Java heap", Streaming.autoReason(1_000_000_001L, HEAP, () -> {
      throw new AssertionError("the devices asked although the heap decided");
    }));
  }

  @Test
  void rowsOverTheLargestBufferOrTheDevicesMemoryAreStreamedAndTheNoteSaysWhich() {
    assertEquals("over the largest buffer cl:0:0 allocates, 268 MB",
        Streaming.autoReason((1L << 28) + 1, 4 * HEAP, () -> List.of(SMALL)));
    assertNull(Streaming.autoReason(1L << 28, 4 * HEAP, () -> List.of(SMALL)), "exactly the largest buffer fits");
    assertEquals("over the 1073 MB of memory of cl:0:0",
        Streaming.autoReason((1L << 30) + 1, 4 * HEAP, () -> List.of(SMALL)));
    Streaming.DeviceLimit big = new Streaming.DeviceLimit("cl:0:1", 1L << 34, 1L << 32);
    assertEquals("over the largest buffer cl:0:0 allocates, 268 MB",
        Streaming.autoReason(300_000_000L, 4 * HEAP, () -> List.of(big, SMALL)), "several devices: each must fit");
  }

  @Test
  void autoSaysInOneNoteThatItStreamsAndOnAndOffAskNothing() {
    List<String> notes = new ArrayList<>();
    RowCache.Options cache = new RowCache.Options(null, notes::add);
    Streaming.DeviceLimit tiny = new Streaming.DeviceLimit("cl:0:0", 1L << 30, 1_000_000);
    assertTrue(new Streaming(Streaming.Mode.AUTO, cache, () -> List.of(tiny)).streams("d.csv", 2_000_000));
    assertEquals(List.of("note: streaming d.csv from the row cache (streaming auto: its rows take about 2 MB, over "
        + "the largest buffer cl:0:0 allocates, 1 MB)"), notes);
    assertFalse(new Streaming(Streaming.Mode.AUTO, cache, () -> List.of(tiny)).streams("d.csv", 999_999));
    assertFalse(new Streaming(Streaming.Mode.OFF, cache, () -> List.of(tiny)).streams("d.csv", 2_000_000));
    assertTrue(new Streaming(Streaming.Mode.ON, cache, null).streams("d.csv", 1));
    assertEquals(1, notes.size(), "only auto speaks");
  }
}
