package dev.cltrain.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * A small IDX folder for the tests, in the MNIST layout: 6x6 images of three classes (class c has bright rows 2c
 * and 2c+1, noise elsewhere), learnable in a few epochs. Pixels are raw bytes 0..255, scaled by 1/255 on loading.
 */
public final class IdxFolders {
  private IdxFolders() {}

  /**
   * Writes train-images/labels (240 rows, seed 1) and t10k-images/labels (90 rows, seed 2) into {@code folder}.
   *
   * @param folder the folder, created if missing
   * @return the folder
   * @throws IOException when a file cannot be written
   */
  public static Path write(Path folder) throws IOException {
    Files.createDirectories(folder);
    writeSet(folder, "train", 240, 1);
    writeSet(folder, "t10k", 90, 2);
    return folder;
  }

  /** {@code prefix}-images-idx3-ubyte and -labels-idx1-ubyte: class c has bright rows 2c and 2c+1, noise elsewhere. */
  private static void writeSet(Path folder, String prefix, int count, long seed) throws IOException {
    Random r = new Random(seed);
    ByteArrayOutputStream images = new ByteArrayOutputStream();
    ByteArrayOutputStream labels = new ByteArrayOutputStream();
    DataOutputStream img = new DataOutputStream(images);
    DataOutputStream lab = new DataOutputStream(labels);
    img.writeInt(0x803);
    img.writeInt(count);
    img.writeInt(6);
    img.writeInt(6);
    lab.writeInt(0x801);
    lab.writeInt(count);
    for (int i = 0; i < count; i++) {
      int c = i % 3;
      for (int row = 0; row < 6; row++) {
        for (int col = 0; col < 6; col++) {
          boolean bright = row / 2 == c;
          img.writeByte(bright ? 150 + r.nextInt(106) : r.nextInt(120));
        }
      }
      lab.writeByte(c);
    }
    Files.write(folder.resolve(prefix + "-images-idx3-ubyte"), images.toByteArray());
    Files.write(folder.resolve(prefix + "-labels-idx1-ubyte"), labels.toByteArray());
  }
}
