package dev.cltrain;

import dev.cltrain.core.Wording;
import dev.cltrain.train.Opening;

import dev.cltrain.core.DeviceException;
import dev.cltrain.core.InputException;
import dev.cltrain.device.Device;
import dev.cltrain.device.DeviceChoice;

import dev.cltrain.opencl.ClDevice;
import dev.cltrain.opencl.ClRuntime;
import dev.cltrain.opencl.KernelSource;
import dev.cltrain.opencl.MatmulTuner;
import dev.cltrain.opencl.OpenClDevice;
import dev.cltrain.reference.ReferenceDevice;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Finding devices: {@code auto|gpu|cpu|reference|cl:P:D|INDEX}, the values {@code --device} takes. Index 0 is
 * always the Java reference; OpenCL devices follow in platform order from 1.
 *
 * <p>OpenCL is touched only when an OpenCL device is wanted: {@link #reference()} and
 * {@code choose("reference")} never load a driver. The platforms are discovered once per process and cached
 * (drivers cannot be unloaded); while a driver is loaded, cltrain keeps the JVM's own signal handlers in
 * force (see {@code dev.cltrain.opencl.JvmSignals}), so an embedding JVM cannot be crashed by the driver's.
 *
 * <p>Thread-safe.
 */
public final class Devices {
  private static final Pattern CL_REF = Pattern.compile("cl:(\\d+):(\\d+)");
  private static final Pattern INDEX = Pattern.compile("\\d+");

  private Devices() {}

  /** {@return the Java reference; needs no OpenCL} */
  public static Device reference() {
    return ReferenceDevice.INSTANCE;
  }

  /** {@return every device: the Java reference first, then each OpenCL device in platform order (loads OpenCL)} */
  public static List<Device> list() {
    List<Device> all = new ArrayList<>();
    all.add(reference());
    all.addAll(openCl());
    return List.copyOf(all);
  }

  /** {@return every OpenCL device in platform order, with the jar's kernel sources; empty without OpenCL} */
  public static List<Device> openCl() {
    List<Device> devices = new ArrayList<>();
    for (ClDevice d : ClRuntime.discover().devices()) {
      devices.add(new OpenClDevice(d));
    }
    return List.copyOf(devices);
  }

  /** {@return why there is no OpenCL device ("no OpenCL platform is installed", ...), or null when there is one} */
  public static String openClProblem() {
    return ClRuntime.discover().problem();
  }

  /**
   * The OpenCL platforms left out because listing or describing their devices failed, while others' devices are
   * listed; it is also logged once, as a warning, when OpenCL is first loaded.
   *
   * @return e.g. "left out OpenCL platform 2 (Clover): clGetDeviceIDs failed: CL_INVALID_DEVICE_TYPE; ...", or null
   */
  public static String openClWarning() {
    return ClRuntime.discover().warning();
  }

  /**
   * {@return what {@code auto} picks: the first GPU, else the first other accelerator, else the Java reference;
   * never a simulator (Oclgrind), which reports itself as a GPU}
   */
  public static Device autoPick() {
    return autoChoice(openCl(), openClProblem()).device();
  }

  /**
   * What {@code auto} picks among {@code devices} and why: the first GPU, else the first accelerator or other
   * device, else the Java reference. A simulator is never picked (Oclgrind is a GPU-type device that runs
   * thousands of times slower than the reference): the reason names it and how to choose it explicitly.
   *
   * @param devices the OpenCL devices, in platform order
   * @param problem why there are none, or null
   * @return the choice, {@code auto} set
   */
  static DeviceChoice autoChoice(List<Device> devices, String problem) {
    for (boolean gpu : new boolean[] {true, false}) {
      for (Device d : devices) {
        boolean wanted = gpu ? d.type() == Device.Type.GPU
            : d.type() == Device.Type.ACCELERATOR || d.type() == Device.Type.OTHER;
        if (wanted && !simulator(d)) {
          return new DeviceChoice(d, true, "auto: first " + (gpu ? "GPU" : "accelerator"));
        }
      }
    }
    if (devices.isEmpty()) {
      return new DeviceChoice(reference(), true, Wording.of("auto: no OpenCL device"),
          "warning: " + problem + "; falling back to the Java reference");
    }
    Wording reason = Wording.of("auto: no OpenCL GPU or accelerator");
    for (Device d : devices) {
      if (simulator(d)) {
        reason = Wording.of(reason, "; " + d.id() + " (" + d.name() + ") is a simulator, far slower than the Java "
            + "reference: ", DeviceChoice.given(d.id(), null), " takes it");
      }
    }
    Device available = devices.stream().filter(d -> !simulator(d)).findFirst().orElse(null);
    if (available != null) {
      reason = Wording.of(reason, "; " + available.id() + " (" + available.type() + ") is available with ",
          DeviceChoice.given(available.id(), null));
    }
    return new DeviceChoice(reference(), true, reason);
  }

  private static boolean simulator(Device d) {
    return d instanceof OpenClDevice o && o.info().simulator();
  }

  /**
   * The device {@code spec} names, with the jar's kernel sources.
   *
   * @param spec {@code auto}, {@code gpu}, {@code cpu}, {@code reference}, {@code cl:P:D} or an index from
   *             {@link #list()}
   * @return the device and why it was chosen
   * @throws InputException  when {@code spec} is none of those forms
   * @throws DeviceException when it names a device that is not there
   */
  public static DeviceChoice choose(String spec) {
    return choose(spec, null);
  }

  /**
   * {@link #choose(String)}, building OpenCL kernels from the {@code .cl} files in {@code kernelsDir} instead of
   * the jar's when it is not null.
   *
   * @param spec       as for {@link #choose(String)}
   * @param kernelsDir a folder of {@code .cl} files, or null for the jar's
   * @return the device and why it was chosen
   * @throws InputException  when {@code spec} is malformed or {@code kernelsDir} is not a folder
   * @throws DeviceException when {@code spec} names a device that is not there
   */
  public static DeviceChoice choose(String spec, Path kernelsDir) {
    String s = spec.trim().toLowerCase(Locale.ROOT);
    if (s.contains(",") || s.equals("all")) {
      return chooseList(s, kernelsDir);
    }
    KernelSource source = kernelSource(kernelsDir); // checked whatever the device: a bad folder is bad input
    if (s.equals(ReferenceDevice.ID) || s.equals("0")) {
      return new DeviceChoice(reference(), false, DeviceChoice.given(s, null)); // no OpenCL touched
    }
    boolean known = s.equals("auto") || s.equals("gpu") || s.equals("cpu") || CL_REF.matcher(s).matches()
        || INDEX.matcher(s).matches();
    if (!known) {
      throw InputException.parameter("device", ": unknown device '" + spec
          + "' (use auto, gpu, cpu, reference, cl:P:D or an index from 'cltrain devices')");
    }
    DeviceChoice choice = chooseOpenCl(s);
    if (choice.device() instanceof OpenClDevice d) {
      return new DeviceChoice(d.withSource(source), choice.auto(), choice.reason(), choice.warning());
    }
    return choice;
  }

  /**
   * A data-parallel list: {@code all} (every OpenCL device; just one is a one-device choice) or devices separated
   * by commas, each as a single {@code --device} value but {@code auto}, none twice.
   */
  private static DeviceChoice chooseList(String s, Path kernelsDir) {
    List<Device> devices = new ArrayList<>();
    if (s.equals("all")) {
      for (Device d : openCl()) {
        devices.add(d instanceof OpenClDevice o ? o.withSource(kernelSource(kernelsDir)) : d);
      }
      if (devices.isEmpty()) {
        throw new DeviceException(DeviceChoice.given("all", "no OpenCL device (" + ClRuntime.discover().problem() + ")"));
      }
      if (devices.size() == 1) {
        return new DeviceChoice(devices.get(0), false, DeviceChoice.given("all", "the only OpenCL device"));
      }
      return DeviceChoice.parallel(devices, null, DeviceChoice.given("all", "every OpenCL device"));
    }
    for (String item : s.split(",", -1)) {
      String one = item.trim();
      if (one.isEmpty() || one.equals("auto") || one.equals("all")) {
        throw InputException.parameter("device", s + ": '" + one + "' cannot be in a device list (give cl:P:D, an index, "
            + "gpu, cpu or reference, separated by commas)");
      }
      Device d = choose(one, kernelsDir).device();
      if (devices.stream().anyMatch(e -> e.id().equals(d.id()))) {
        throw InputException.parameter("device", s + ": " + d.id() + " is in the list twice");
      }
      devices.add(d);
    }
    if (devices.size() == 1) {
      return new DeviceChoice(devices.get(0), false, DeviceChoice.given(devices.get(0).id(), null));
    }
    return DeviceChoice.parallel(devices, null, DeviceChoice.given(s, null));
  }

  private static DeviceChoice chooseOpenCl(String s) {
    ClRuntime.Discovery discovery = ClRuntime.discover();
    List<ClDevice> devices = discovery.devices();
    switch (s) {
      case "auto" -> {
        return autoChoice(openCl(), discovery.problem());
      }
      case "gpu", "cpu" -> {
        ClDevice.Type type = s.equals("gpu") ? ClDevice.Type.GPU : ClDevice.Type.CPU;
        for (ClDevice d : devices) {
          if (d.type() == type && !d.simulator()) {
            return new DeviceChoice(new OpenClDevice(d), false, DeviceChoice.given(s, "first OpenCL " + type + " device"));
          }
        }
        throw unavailable("no OpenCL " + type + " device found" + (devices.stream().anyMatch(ClDevice::simulator)
            ? " (a simulator is taken only by its cl:P:D)" : ""), discovery);
      }
      default -> { }
    }
    if (CL_REF.matcher(s).matches()) {
      for (ClDevice d : devices) {
        if (d.ref().equals(s)) {
          return new DeviceChoice(new OpenClDevice(d), false, DeviceChoice.given(s, null));
        }
      }
      throw unavailable("no OpenCL device " + s, discovery);
    }
    long index = Long.parseLong(s.length() > 9 ? "999999999" : s);
    if (index <= devices.size()) {
      return new DeviceChoice(new OpenClDevice(devices.get((int) index - 1)), false,
          DeviceChoice.given(String.valueOf(index), null));
    }
    throw unavailable("no device with index " + s, discovery);
  }

  /**
   * Times the matmul strategies again on each OpenCL device's next use in this process instead of taking the
   * choice cached per device and driver (in ~/.cache/cltrain, or the {@code cltrain.cache} property's folder).
   */
  public static void retune() {
    MatmulTuner.retune();
  }

  /**
   * The OpenCL devices a list of specs names (as {@code bench --device} and {@code verify --device} take
   * them), each once, in the order given; every OpenCL device when {@code specs} is null. A spec that names the
   * reference is left out (it is always the judge).
   *
   * @param specs      device specs, or null for all
   * @param kernelsDir a folder of {@code .cl} files, or null for the jar's
   * @return the devices
   * @throws InputException when a spec names no device
   */
  public static List<Device> openCl(List<String> specs, Path kernelsDir) {
    if (specs == null) {
      KernelSource source = kernelSource(kernelsDir);
      List<Device> all = new ArrayList<>();
      for (ClDevice d : ClRuntime.discover().devices()) {
        all.add(new OpenClDevice(d, source));
      }
      return List.copyOf(all);
    }
    List<Device> chosen = new ArrayList<>();
    for (String spec : specs) {
      DeviceChoice choice;
      try {
        choice = choose(spec, kernelsDir);
      } catch (DeviceException e) {
        throw InputException.parameter("device", spec + ": " + e.getMessage());
      }
      String id = choice.device().id();
      if (!choice.device().isReference() && chosen.stream().noneMatch(d -> d.id().equals(id))) {
        chosen.add(choice.device());
      }
    }
    return List.copyOf(chosen);
  }

  private static KernelSource kernelSource(Path kernelsDir) {
    if (kernelsDir == null) {
      return KernelSource.classpath();
    }
    if (!Files.isDirectory(kernelsDir)) {
      throw InputException.parameter("kernels", kernelsDir + ": not a directory");
    }
    return KernelSource.folder(kernelsDir);
  }

  private static DeviceException unavailable(String what, ClRuntime.Discovery discovery) {
    return new DeviceException(what + (discovery.available() ? "" : " (" + discovery.problem() + ")")
        + "; usable devices: " + usable());
  }

  /** {@return "0 reference (Java reference), 1 cl:0:0 pthread-... (CPU)": every device with its index, for messages} */
  public static String usable() {
    return Opening.usableDevices();
  }
}
