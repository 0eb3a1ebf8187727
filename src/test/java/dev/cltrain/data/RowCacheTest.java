package dev.cltrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.core.InputException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 26: the row cache is converted once and reused; a cache file that is damaged (a flipped byte, cut short,
 * a partial file left by a killed conversion) or stale (its source changed) is detected and rebuilt, never read;
 * a source that changes during a run is refused in one line; the streamed rows are the in-memory reader's floats.
 */
class RowCacheTest {
  private static final String CSV = "x1,x2,label\n0.5,1.25,cat\n-3,2e-3,dog\n7,8,cat\n1,,dog\n";

  private final List<String> notes = new ArrayList<>();

  private DataSet streamed(Path csv, Path cache) {
    DataOptions o = new DataOptions(csv.toString(), 1, true, 0, null, 0, 0, CsvLayout.DEFAULT.withDropMissing(true), null,
        new Streaming(Streaming.Mode.ON, new RowCache.Options(cache, notes::add)));
    return DataSets.load(o).train();
  }

  private static void assertSameRows(DataSet expected, DataSet streamed) {
    assertEquals(expected.rows(), streamed.rows());
    float[] x = new float[streamed.rows() * streamed.inputs()];
    float[] y = new float[streamed.rows() * streamed.outputs()];
    streamed.read(0, streamed.rows(), x, y);
    assertArrayEquals(expected.x(), x, "the inputs, bit for bit");
    assertArrayEquals(expected.y(), y, "the one-hot targets");
  }

  private static Path cacheFile(Path cache) throws Exception {
    try (Stream<Path> files = Files.list(cache)) {
      List<Path> rows = files.filter(p -> p.toString().endsWith(".rows")).toList();
      assertEquals(1, rows.size(), "one cache file: " + rows);
      return rows.get(0);
    }
  }

  @Test
  void convertedOnceThenReused(@TempDir Path dir) throws Exception {
    Path csv = Files.writeString(dir.resolve("d.csv"), CSV);
    Path cache = dir.resolve("cache");
    DataSet memory = CsvReader.readClassified(csv, 0, null, CsvLayout.DEFAULT.withDropMissing(true)).set();
    DataSet first = streamed(csv, cache);
    assertTrue(first.isStreamed());
    assertSameRows(memory, first);
    assertEquals(1, notes.size(), "one line for the conversion: " + notes);
    assertTrue(notes.get(0).startsWith("converted " + csv + " into the row cache: 3 rows"), notes.get(0));
    assertSameRows(memory, streamed(csv, cache));
    assertEquals(1, notes.size(), "the second run reads the cache, converting nothing: " + notes);
  }

  /**
   * An image folder streamed: its split decoded once into a cache file keyed by the listing (each file's name,
   * size and time), the rows the in-memory reader decodes; a file added to a class folder makes it stale, so it
   * is converted anew.
   */
  @Test
  void anImageFolderIsDecodedOnceAndAChangedListingConvertsItAnew(@TempDir Path dir) throws Exception {
    Path folder = dir.resolve("imgs");
    Files.createDirectories(folder.resolve("a"));
    Files.createDirectories(folder.resolve("b"));
    ImageFolderWriter.writeGray(folder.resolve("a/1.png"), 2, 2, new int[] {0, 50, 100, 150});
    ImageFolderWriter.writeGray(folder.resolve("b/2.png"), 2, 2, new int[] {255, 200, 10, 1});
    Path cache = dir.resolve("cache");
    Streaming on = new Streaming(Streaming.Mode.ON, new RowCache.Options(cache, notes::add));
    DataSet memory = ImageFolder.load(folder, 0, ImageFolder.Options.DEFAULT).train();
    DataSet first = ImageFolder.load(folder, 0, ImageFolder.Options.DEFAULT, on).train();
    assertTrue(first.isStreamed());
    assertSameRows(memory, first);
    assertEquals(1, notes.size(), notes.toString());
    assertTrue(notes.get(0).startsWith("converted " + folder + " into the row cache: 2 rows"), notes.get(0));
    assertSameRows(memory, ImageFolder.load(folder, 0, ImageFolder.Options.DEFAULT, on).train());
    assertEquals(1, notes.size(), "the second run reads the cache: " + notes);
    ImageFolderWriter.writeGray(folder.resolve("b/3.png"), 2, 2, new int[] {9, 9, 9, 9});
    DataSet grown = ImageFolder.load(folder, 0, ImageFolder.Options.DEFAULT, on).train();
    assertEquals(3, grown.rows());
    assertSameRows(ImageFolder.load(folder, 0, ImageFolder.Options.DEFAULT).train(), grown);
    assertTrue(notes.get(notes.size() - 1).startsWith("converted " + folder + " into the row cache: 3 rows"),
        "a file added: converted anew " + notes);
  }

  @Test
  void aDamagedCacheIsRebuiltNeverRead(@TempDir Path dir) throws Exception {
    Path csv = Files.writeString(dir.resolve("d.csv"), CSV);
    Path cache = dir.resolve("cache");
    DataSet memory = CsvReader.readClassified(csv, 0, null, CsvLayout.DEFAULT.withDropMissing(true)).set();
    streamed(csv, cache);
    Path file = cacheFile(cache);
    byte[] whole = Files.readAllBytes(file);

    byte[] flipped = whole.clone();
    flipped[RowFile.BODY + 4] ^= 0x40; // a bit of the first row's second input
    Files.write(file, flipped);
    assertSameRows(memory, streamed(csv, cache));
    assertTrue(notes.get(notes.size() - 2).contains("checksum"), notes.toString());

    Files.write(file, java.util.Arrays.copyOf(whole, whole.length - 5)); // cut short
    assertSameRows(memory, streamed(csv, cache));
    assertTrue(notes.get(notes.size() - 2).contains("not usable"), notes.toString());

    Files.write(file, java.util.Arrays.copyOf(whole, RowFile.BODY + 8)); // what a killed writer leaves, if renamed
    assertSameRows(memory, streamed(csv, cache));
    assertTrue(notes.get(notes.size() - 2).contains("not usable"), notes.toString());
    assertArrayEquals(whole, Files.readAllBytes(cacheFile(cache)), "rebuilt to the same bytes");
  }

  @Test
  void aChangedSourceMakesTheCacheStale(@TempDir Path dir) throws Exception {
    Path csv = Files.writeString(dir.resolve("d.csv"), CSV);
    Path cache = dir.resolve("cache");
    assertEquals(3, streamed(csv, cache).rows());
    Files.writeString(csv, CSV + "4,5,cat\n");
    DataSet changed = streamed(csv, cache);
    assertEquals(4, changed.rows(), "the new row is read");
    assertTrue(notes.get(notes.size() - 2).contains("another source"), notes.toString());
    assertSameRows(CsvReader.readClassified(csv, 0, null, CsvLayout.DEFAULT.withDropMissing(true)).set(), changed);
  }

  @Test
  void aSourceChangedDuringTheRunIsRefused(@TempDir Path dir) throws Exception {
    Path csv = Files.writeString(dir.resolve("d.csv"), CSV);
    DataSet set = streamed(csv, dir.resolve("cache"));
    set.source().checkUnchanged();
    Files.writeString(csv, CSV + "4,5,cat\n");
    InputException e = assertThrows(InputException.class, () -> set.source().checkUnchanged());
    assertEquals(csv + ": changed during the run (its size or time is not what it was when the run began); run "
        + "again to read it anew", e.getMessage());
  }

  @Test
  void aStreamedCsvReportsBadCellsAsTheReaderDoes(@TempDir Path dir) throws Exception {
    Path csv = Files.writeString(dir.resolve("bad.csv"), "1,2,0\n3,x,1\n");
    Path cache = dir.resolve("cache");
    InputException memory = assertThrows(InputException.class, () -> CsvReader.readClassified(csv, 0, null));
    InputException stream = assertThrows(InputException.class, () -> streamed(csv, cache));
    assertEquals(memory.getMessage(), stream.getMessage());
    try (Stream<Path> left = Files.list(cache)) {
      assertEquals(List.of(), left.toList(), "a failed conversion leaves no file behind");
    }
  }

  @Test
  void theRowsAreMappedInWindowsOfWholeRows(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("w.rows");
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      RowFile.Writer w = new RowFile.Writer(channel);
      w.widths(3, 2);
      for (int r = 0; r < 10; r++) {
        w.row(new float[] {r, r + 0.5f, -r, 2 * r, 3 * r}, 0);
      }
      w.finish(2, "k", null, null);
    }
    RowFile rows = RowFile.open(file, "k", 40); // 40 bytes: 2 rows of 5 floats per window
    float[] x = new float[9];
    float[] y = new float[6];
    rows.gather(new int[] {9, 0, 5}, 0, 3, x, y);
    assertArrayEquals(new float[] {9, 9.5f, -9, 0, 0.5f, 0, 5, 5.5f, -5}, x);
    assertArrayEquals(new float[] {18, 27, 0, 0, 10, 15}, y);
    assertThrows(RowFile.Damaged.class, () -> RowFile.open(file, "other key"));
  }
}
