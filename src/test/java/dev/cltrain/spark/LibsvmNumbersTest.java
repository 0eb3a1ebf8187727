package dev.cltrain.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.core.InputException;
import dev.cltrain.data.CsvReader;
import dev.cltrain.data.DataSet;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 24 item 4: a LIBSVM row on the cluster reads its numbers with train's grammar and rounding (it read them
 * with Float.parseFloat, which takes {@code 1f} and {@code 0x1p3}); no Spark session needed for one line.
 */
class LibsvmNumbersTest {
  @TempDir
  Path dir;

  @Test
  void aLibsvmRowHoldsTheBitsTrainReadsFromTheSameDecimal() throws Exception {
    String s = dev.cltrain.data.CsvNumbersTest.trap(); // a decimal where a double in between would change the bits
    DataSet train = CsvReader.read(Files.writeString(dir.resolve("trap.csv"), s + "," + s + "\n"), 1);
    float[] row = SparkRows.libsvmRow(s + " 1:" + s); // [idx, value, ..., label]
    assertEquals(Float.floatToIntBits(train.x()[0]), Float.floatToIntBits(row[1]), "the input, bit for bit");
    assertEquals(Float.floatToIntBits(train.y()[0]), Float.floatToIntBits(row[row.length - 1]), "the label, bit for bit");
  }

  @Test
  void javaSuffixesAndHexAreRefusedOnTheClusterAsInTrain() {
    for (String line : new String[] {"1f 1:2", "1 1:0x1p3", "1 1:2f", "NaN 1:1"}) {
      InputException e = assertThrows(InputException.class, () -> SparkRows.libsvmRow(line), line);
      assertTrue(e.getMessage().startsWith("not a LIBSVM line ('") && e.getMessage().contains("' is not a"),
          e.getMessage());
    }
    assertEquals("not a LIBSVM line ('0x1p3' is not a number): 1 1:0x1p3",
        assertThrows(InputException.class, () -> SparkRows.libsvmRow("1 1:0x1p3")).getMessage());
  }
}
