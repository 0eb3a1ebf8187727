package dev.cltrain.cli;

import dev.cltrain.Checkpoint;
import dev.cltrain.device.DeviceChoice;
import dev.cltrain.core.InputException;
import dev.cltrain.TrainingRun;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** {@code cltrain train}'s devices: --device with --shards' split, or a resumed checkpoint's devices and split. */
final class DeviceSplit {
  private final DeviceOptions deviceOptions;
  private String shards;
  private final boolean deviceGiven;
  private final Path resume;
  private final PrintWriter err;

  /**
   * @param deviceOptions --device and --kernels
   * @param shards        --shards, or null
   * @param deviceGiven   whether --device was given
   * @param resume        --resume, or null
   * @param err           where the note of a changed split goes
   */
  DeviceSplit(DeviceOptions deviceOptions, String shards, boolean deviceGiven, Path resume, PrintWriter err) {
    this.deviceOptions = deviceOptions;
    this.shards = shards;
    this.deviceGiven = deviceGiven;
    this.resume = resume;
    this.err = err;
  }

  /**
   * @param resumed the checkpoint going on, or null
   * @return the devices and their shares
   */
  DeviceChoice choice(Checkpoint resumed) {
    return withShards(devicesFor(resumed));
  }

  /** {@return the default split of {@code devices} devices: the same share each} */
  private static int[] even(int devices) {
    int[] shares = new int[devices];
    Arrays.fill(shares, 1);
    return shares;
  }

  /** {@code --shards auto}: measure each device before training. */
  static final String AUTO_SHARDS = "auto";

  /**
   * The --device choice. A checkpoint of data-parallel training goes on on its devices with its split unless
   * --device (or --shards) says otherwise; then one line says what changed.
   */
  private DeviceChoice devicesFor(Checkpoint resumed) {
    if (resumed == null || resumed.devices() == null) {
      return deviceOptions.choice();
    }
    String devices = String.join(",", resumed.devices());
    String split = joinedShares(resumed.shares());
    DeviceChoice choice;
    if (deviceGiven) {
      choice = deviceOptions.choice();
    } else {
      deviceOptions.device = devices;
      try {
        choice = deviceOptions.choice();
      } catch (dev.cltrain.core.CltrainException e) {
        String why = "--resume " + resume + " goes on on the devices it was trained on (" + devices + "; --device "
            + "chooses others): " + dev.cltrain.cmd.OptionNames.message(e);
        throw e instanceof dev.cltrain.core.DeviceException ? new dev.cltrain.core.DeviceException(why, e)
            : new InputException(why, e);
      }
    }
    boolean same = choice.devices().stream().map(dev.cltrain.device.Device::id).toList().equals(resumed.devices());
    if (same && shards == null) {
      shards = split;
    }
    if (!same || !shards.equals(split)) {
      err.println("note: " + resume + " was trained on " + devices + " with --shards " + split + "; going on on "
          + choice.devices().stream().map(dev.cltrain.device.Device::id).collect(java.util.stream.Collectors.joining(","))
          + (choice.parallel() ? " with --shards " + (shards == null ? joinedShares(even(choice.devices().size())) : shards) : "")
          + " as asked (the weights then differ from an uninterrupted run's by rounding)");
    }
    return choice;
  }

  /**
   * The --device choice with --shards' shares; --shards without a device list is bad input. A device list
   * without --shards is split evenly, the same on every run; {@code --shards auto} measures the devices.
   */
  private DeviceChoice withShards(DeviceChoice choice) {
    if (shards == null && choice.parallel()) {
      return choice.withShares(even(choice.devices().size()));
    }
    if (shards == null) {
      return choice;
    }
    if (!choice.parallel()) {
      throw new InputException("--shards " + shards + " needs a --device list (e.g. --device cl:0:0,cl:0:1)");
    }
    if (shards.equals(AUTO_SHARDS)) {
      return choice.withShares(null); // measured when the run opens
    }
    String[] parts = shards.split(",", -1);
    if (parts.length != choice.devices().size()) {
      throw new InputException("--shards " + shards + ": " + parts.length + " shares for " + choice.devices().size()
          + " devices");
    }
    int[] shares = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      try {
        shares[i] = Integer.parseInt(parts[i].strip());
      } catch (NumberFormatException e) {
        shares[i] = 0;
      }
      if (shares[i] < 1 || shares[i] > DeviceChoice.MAX_SHARE) {
        throw new InputException("--shards " + shards + ": share " + (i + 1) + " '" + parts[i].strip()
            + "' is not a whole number from 1 to " + DeviceChoice.MAX_SHARE);
      }
    }
    return choice.withShares(shares);
  }

  /** "cl:0:0 64 rows, cl:0:1 64 rows of each 128-row batch (measured alone: 12.1 ms, 12.4 ms a batch; ...)". */
  static String shardsLine(TrainingRun run, int rows, int batchSize) {
    int batch = batchSize <= 0 || batchSize >= rows ? rows : batchSize;
    int[] n = run.shardRows(batch);
    List<String> ids = run.deviceIds();
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n.length; i++) {
      b.append(i == 0 ? "" : ", ").append(ids.get(i)).append(' ').append(n[i]).append(" rows");
    }
    b.append(" of each ").append(batch).append("-row batch");
    double[] measured = run.calibration();
    if (measured != null) {
      b.append(" (measured alone: ");
      for (int i = 0; i < measured.length; i++) {
        b.append(i == 0 ? "" : ", ").append(String.format(java.util.Locale.ROOT, "%.1f ms", measured[i] * 1e3));
      }
      b.append(" a batch; --shards ").append(joinedShares(run.shares())).append(" repeats this split)");
    } else {
      b.append(" (--shards ").append(joinedShares(run.shares())).append(")");
    }
    return b.toString();
  }

  static String joinedShares(int[] values) {
    StringBuilder b = new StringBuilder();
    for (int v : values) {
      b.append(b.length() == 0 ? "" : ",").append(v);
    }
    return b.toString();
  }
}
