package dev.cltrain.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cltrain.Checkpoint;
import dev.cltrain.device.TrainerState;
import dev.cltrain.nn.Dense;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.NumpyRandom;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Size, write and read time of the checkpoint of a 2,W,W,1 network with Adam's state (docs/BENCHMARKS.md,
 * "Checkpoints of large networks"). Not a test: run it by hand,
 * {@code java -cp target/classes:target/test-classes:DEPS dev.cltrain.bench.CheckpointBench 3200 /tmp/big.ckpt}.
 */
public final class CheckpointBench {
  private CheckpointBench() {}

  public static void main(String[] args) {
    int width = Integer.parseInt(args[0]);
    Path file = Path.of(args[1]);
    Network network = Network.initNormal(new int[] {2, width, width, 1}, 1);
    Random random = new Random(1);
    long parameters = 0;
    List<List<float[]>> adam = new ArrayList<>();
    for (Dense layer : network.dense()) {
      parameters += layer.weightCount() + layer.outputs();
      List<float[]> buffers = new ArrayList<>();
      for (int count : new int[] {layer.weightCount(), layer.weightCount(), layer.outputs(), layer.outputs()}) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
          values[i] = (float) random.nextGaussian() * 1e-3f;
        }
        buffers.add(values);
      }
      adam.add(buffers);
    }
    TrainerState state = new TrainerState(1, 0, 10, network, adam, new NumpyRandom(0).state(), null, null, null);
    Checkpoint checkpoint = new Checkpoint(new ObjectMapper().createObjectNode(), state);
    for (int repeat = 0; repeat < 3; repeat++) {
      long start = System.nanoTime();
      checkpoint.write(file);
      long written = System.nanoTime();
      String read = "read back";
      try {
        Checkpoint.read(file);
      } catch (RuntimeException e) {
        read = "refused: " + e.getMessage();
      }
      long end = System.nanoTime();
      System.out.printf("%,d parameters: %,d bytes, write %.2f s, read %.2f s (%s)%n", parameters, fileSize(file),
          (written - start) / 1e9, (end - written) / 1e9, read);
    }
  }

  private static long fileSize(Path file) {
    try {
      return Files.size(file);
    } catch (java.io.IOException e) {
      return -1;
    }
  }
}
