package dev.cltrain.cmd;

import dev.cltrain.core.InputException;
import dev.cltrain.data.Builtins;
import dev.cltrain.data.Generated;
import dev.cltrain.data.MnistDir;
import dev.cltrain.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A command's input and output files, checked together before any work: no output may be the same file as an
 * input or as another output, and every output must be writable ({@link AtomicFiles#checkWritable}, which also
 * removes stale temporaries of it). Files are compared by the paths a write lands on ({@link AtomicFiles#resolve}:
 * symbolic links followed, a link to a file not created yet included; {@code ./x} and {@code x} alike), two
 * existing files also by identity (hard links), and two files not created yet also by their folders' identity
 * and their names (one folder reached through a bind mount, say, at two paths). Public for SparkTrain, which
 * checks its outputs the same way.
 */
public final class OutputFiles {
  private record Named(String option, Path path) {}

  private final List<Named> inputs = new ArrayList<>();
  private final List<Named> outputs = new ArrayList<>();
  private final List<String> allowed = new ArrayList<>();

  /**
   * Adds an input file; null is ignored.
   *
   * @param option the option that names it, for messages
   * @param path   the file, or null
   * @return this
   */
  public OutputFiles input(String option, Path path) {
    if (path != null) {
      inputs.add(new Named(option, path));
    }
    return this;
  }

  /**
   * Adds the file or files that a {@code --data}/{@code --test} value reads: nothing for a built-in table or
   * {@code random:}, the MNIST files present for a folder, else the file itself.
   *
   * @param option the option, for messages
   * @param value  the option's value, or null
   * @return this
   */
  public OutputFiles data(String option, String value) {
    if (value == null || Builtins.has(value) || Generated.matches(value)) {
      return this;
    }
    Path path = Path.of(value);
    if (Files.isDirectory(path)) {
      for (String name : new String[] {MnistDir.TRAIN_IMAGES, MnistDir.TRAIN_LABELS, MnistDir.TEST_IMAGES,
          MnistDir.TEST_LABELS}) {
        for (String file : new String[] {name, name + ".gz"}) {
          if (Files.exists(path.resolve(file))) {
            input(option, path.resolve(file));
          }
        }
      }
      return this;
    }
    return input(option, path);
  }

  /**
   * Adds an output file; null is ignored.
   *
   * @param option the option that names it, for messages
   * @param path   the file, or null
   * @return this
   */
  public OutputFiles output(String option, Path path) {
    if (path != null) {
      outputs.add(new Named(option, path));
    }
    return this;
  }

  /**
   * Lets the output {@code output} be the same file as the input {@code input} (--checkpoint and --resume).
   *
   * @param output the output's option
   * @param input  the input's option
   * @return this
   */
  public OutputFiles allow(String output, String input) {
    allowed.add(output + " " + input);
    return this;
  }

  /**
   * Refuses, with one line naming both options, an output that is an input or another output; then checks that
   * every output can be written.
   *
   * @throws InputException on the first problem found
   */
  public void check() {
    for (int i = 0; i < outputs.size(); i++) {
      Named out = outputs.get(i);
      for (Named in : inputs) {
        if (!allowed.contains(out.option + " " + in.option) && same(out.path, in.path)) {
          throw new InputException(out.option + " " + out.path + " is the same file as " + in.option + " " + in.path
              + ": an output may not overwrite an input (give " + out.option + " another file)");
        }
      }
      for (int j = 0; j < i; j++) {
        Named other = outputs.get(j);
        if (same(out.path, other.path)) {
          throw new InputException(other.option + " " + other.path + " and " + out.option + " " + out.path
              + " are the same file: each output needs a file of its own");
        }
      }
    }
    for (Named out : outputs) {
      AtomicFiles.checkWritable(out.path, out.option);
    }
  }

  /**
   * Whether {@code a} and {@code b} name the same file (see the class comment).
   *
   * @param a a path
   * @param b another path
   * @return whether they name the same file; false when that cannot be told
   */
  public static boolean same(Path a, Path b) {
    Path ra = real(a);
    Path rb = real(b);
    if (ra.equals(rb)) {
      return true;
    }
    try {
      boolean aExists = Files.exists(ra);
      if (aExists != Files.exists(rb)) {
        return false;
      }
      if (aExists) {
        return Files.isSameFile(ra, rb);
      }
      return ra.getFileName() != null && ra.getFileName().equals(rb.getFileName()) && ra.getParent() != null
          && rb.getParent() != null && Files.isDirectory(ra.getParent()) && Files.isDirectory(rb.getParent())
          && Files.isSameFile(ra.getParent(), rb.getParent());
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * The path a write to {@code p} lands on ({@link AtomicFiles#resolve}): symbolic links followed, in its folder's
   * real path; for a missing folder, the absolute normalised path.
   *
   * @param p a path
   * @return the path a write to it lands on
   */
  public static Path real(Path p) {
    return AtomicFiles.resolve(p).normalize();
  }
}
