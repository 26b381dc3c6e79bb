package dev.pretext.benchmarks;

import com.sun.management.OperatingSystemMXBean;
import dev.pretext.api.Encoder;
import dev.pretext.api.PretextTask;
import dev.pretext.runtime.config.Suite;
import dev.pretext.runtime.config.SuiteLoader;
import dev.pretext.runtime.data.FashionMnist;
import dev.pretext.runtime.evaluation.FrozenEncoder;
import dev.pretext.runtime.evaluation.Protocols;
import dev.pretext.runtime.training.Backend;
import dev.pretext.runtime.training.ComputeThreads;
import dev.pretext.testkit.TestKit;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One workload of {@link ContentionBenchmark}, run in its own JVM: the demo's evaluation of one entry
 * (raw pixels, or the untrained conv4's features: every probe and kNN, as {@code demo.conf} sets
 * them) or one SimCLR epoch on the embedded sample (demo.conf's encoder, τ and batch). Prints
 * {@value #RESULT} followed by the workload's wall seconds, its process CPU seconds (every thread,
 * native ones included) and the thread count in use at the end; loading and start-up are not counted.
 */
public final class ContentionWorkload {

  static final String RESULT = "CONTENTION-RESULT";
  private static final Path DEMO = Path.of("benchmarks-suite", "suites", "demo.conf");

  private ContentionWorkload() {}

  public static void main(String[] args) throws Exception {
    Backend.configure();
    String workload = args[0];
    FashionMnist.Split data = FashionMnist.load(FashionMnist.Source.EMBEDDED, null);
    Suite suite = new SuiteLoader(BenchmarkRuns.plugins()).load(demoSuite(), List.of());
    Nd4j.create(1).addi(1); // loads the native library before the clock starts
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpuStart = os.getProcessCpuTime();
    long start = System.nanoTime();
    switch (workload) {
      case "evaluate-raw-pixels" -> protocols(suite, data,
          data.train().images().reshape(data.train().size(), -1), data.test().images().reshape(data.test().size(), -1));
      case "evaluate-encoder" -> {
        Encoder encoder = TestKit.encoder("conv4", "channels = [32, 64, 128]", 1);
        FrozenEncoder frozen = FrozenEncoder.untrained(encoder, data.train().shape(), 1);
        frozen.calibrate(data.train(), suite.evaluation().calibrationBatches(), 256, 1);
        protocols(suite, data, frozen.represent(data.train(), 500), frozen.represent(data.test(), 500));
      }
      case "train-epoch" -> {
        PretextTask task = TestKit.task("simclr", "loss { type = nt-xent, temperature = 0.2 }", 1);
        Encoder encoder = TestKit.encoder("conv4", "channels = [32, 64, 128]", 1);
        int batch = suite.training().batchSize();
        BenchmarkRuns.train(task, encoder, data.train(), data.train().size() / batch, batch, 1);
      }
      default -> throw new IllegalArgumentException("unknown workload '" + workload
          + "': evaluate-raw-pixels, evaluate-encoder or train-epoch");
    }
    double wall = (System.nanoTime() - start) / 1e9;
    double cpu = (os.getProcessCpuTime() - cpuStart) / 1e9;
    System.out.printf(Locale.ROOT, "%s %.3f %.3f %d%n", RESULT, wall, cpu, threads());
    System.exit(0);
  }

  /** The thread count in use; -1 on a runtime older than ComputeThreads (before/after comparisons). */
  private static int threads() {
    try {
      return ComputeThreads.current();
    } catch (LinkageError olderRuntime) {
      return -1;
    }
  }

  private static void protocols(Suite suite, FashionMnist.Split data, INDArray train, INDArray test) {
    Protocols.run(train, data.train().labels(), test, data.test().labels(), data.train().classNames().size(),
        suite.evaluation(), 1);
  }

  private static Path demoSuite() {
    Path here = DEMO.toAbsolutePath();
    return here.toFile().isFile() ? here : Path.of("..").resolve(DEMO).toAbsolutePath();
  }
}
