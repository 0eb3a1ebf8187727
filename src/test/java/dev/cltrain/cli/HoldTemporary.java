package dev.cltrain.cli;

import dev.cltrain.io.AtomicFiles;
import java.nio.file.Path;

/**
 * A writer caught in the middle of an atomic write, for {@link OutputFilesTest}: creates the temporary file of
 * the target named by its argument (locked, as every writer does), prints its path and waits, holding it, until
 * it is killed.
 */
public final class HoldTemporary {
  private HoldTemporary() {}

  public static void main(String[] args) throws Exception {
    AtomicFiles.Temp temp = AtomicFiles.Temp.create(Path.of(args[0]));
    temp.channel().write(java.nio.ByteBuffer.wrap("half a checkpoint".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    System.out.println(temp.path());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
