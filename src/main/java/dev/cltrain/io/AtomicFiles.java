package dev.cltrain.io;

import dev.cltrain.InputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Output files that are either whole or untouched: written to a temporary file in the same folder, forced
 * to disk, then renamed over the target. A failure at any point leaves the old file as it was.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /**
   * Checks, before any work is done, that {@code file} could be written: its folder exists and it is not a
   * folder itself. {@code option} names the flag for the message, e.g. "--save".
   *
   * @param file   the output file that will be written later
   * @param option the option that named it, for the message
   * @throws InputException if {@code file} is a folder, or its folder is missing or not writable
   */
  public static void checkWritable(Path file, String option) {
    Path absolute = file.toAbsolutePath();
    Path folder = absolute.getParent();
    if (Files.isDirectory(absolute)) {
      throw new InputException(option + " " + file + ": is a directory");
    }
    if (folder == null || !Files.isDirectory(folder)) {
      throw new InputException(option + " " + file + ": folder " + folder + " does not exist");
    }
    if (!Files.isWritable(folder)) {
      throw new InputException(option + " " + file + ": folder " + folder + " is not writable");
    }
  }

  /**
   * Writes {@code text} to {@code file} as UTF-8: whole, or (on any failure) not at all.
   *
   * @param file the file to create or replace
   * @param text its new content
   * @throws InputException if the file cannot be written; the old file, if any, is left as it was
   */
  public static void writeString(Path file, String text) {
    writeBytes(file, text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Writes {@code content} to {@code file}: whole, or (on any failure) not at all.
   *
   * @param file    the file to create or replace
   * @param content its new bytes
   * @throws InputException if the file cannot be written; the old file, if any, is left as it was
   */
  public static void writeBytes(Path file, byte[] content) {
    Path absolute = file.toAbsolutePath();
    Path temp = null;
    try {
      temp = createTempBeside(absolute);
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer bytes = ByteBuffer.wrap(content);
        while (bytes.hasRemaining()) {
          channel.write(bytes);
        }
        channel.force(true);
      }
      try {
        Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING);
      }
      temp = null;
    } catch (IOException e) {
      throw new InputException("cannot write " + file + ": " + e.getMessage(), e);
    } finally {
      if (temp != null) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException ignored) {
          // the temporary file is all that is left; the target is untouched
        }
      }
    }
  }

  /**
   * Creates an empty, new file ".NAME.RANDOM.tmp" in {@code absolute}'s folder. Unlike
   * {@link Files#createTempFile}, which makes it readable by its owner only, it gets the permissions of any
   * new file (the umask's), so the target ends up as readable as one written in place.
   *
   * @param absolute the target file, as an absolute path
   * @return the new, empty temporary file
   * @throws IOException if it cannot be created, e.g. the folder is missing or not writable
   */
  public static Path createTempBeside(Path absolute) throws IOException {
    Path folder = absolute.getParent();
    String name = "." + absolute.getFileName() + ".";
    for (int attempt = 0; ; attempt++) {
      Path temp = folder.resolve(name + Long.toUnsignedString(
          java.util.concurrent.ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
      try {
        return Files.createFile(temp);
      } catch (java.nio.file.FileAlreadyExistsException e) {
        if (attempt >= 100) {
          throw e;
        }
      }
    }
  }
}
