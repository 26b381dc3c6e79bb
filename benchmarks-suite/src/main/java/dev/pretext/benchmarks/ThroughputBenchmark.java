package dev.pretext.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.pretext.api.Encoder;
import dev.pretext.api.PretextTask;
import dev.pretext.runtime.Versions;
import dev.pretext.runtime.data.FashionMnist;
import dev.pretext.runtime.data.ImageSet;
import dev.pretext.runtime.training.Backend;
import dev.pretext.runtime.training.TrainedMethod;
import dev.pretext.testkit.TestKit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.profiler.OpProfiler;
import org.nd4j.linalg.profiler.ProfilerConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Training throughput per method: images per second through one pretraining step (forward,
 * backward, update, the task's hooks) after warm-up, median over steps, with the input pipeline
 * measured on its own and the time steps spent waiting for it; peak RSS of the process.
 *
 * <pre>
 * java -cp "benchmarks-suite/target/lib/*:benchmarks-suite/target/classes" \
 *     dev.pretext.benchmarks.ThroughputBenchmark --methods rotation --out throughput.json
 * java -cp … dev.pretext.benchmarks.ThroughputBenchmark --methods simclr --encoder-type resnet20
 * </pre>
 */
@Command(name = "throughput", mixinStandardHelpOptions = true,
    description = "Measure pretraining throughput (images/s) per method; writes JSON.")
public final class ThroughputBenchmark implements Callable<Integer> {

  /** The conv4 of the speed measurements in docs/architecture.md. */
  static final String CONV4_SETTINGS = "channels = [32, 64, 128, 256]";

  @Option(names = "--methods", split = ",", defaultValue = "rotation", description = "Task types.")
  List<String> methods;

  @Option(names = "--task-settings", defaultValue = "", description = "HOCON applied to every task.")
  String taskSettings;

  @Option(names = "--encoder-type", defaultValue = "conv4",
      description = "Encoder type: conv4, resnet, resnet20, resnet18, mlp.")
  String encoderType;

  @Option(names = "--encoder", description = "HOCON settings of the encoder (default: "
      + CONV4_SETTINGS + " for conv4, the type's own defaults for the others).")
  String encoderSettings;

  @Option(names = "--batch", defaultValue = "256") int batch;
  @Option(names = "--warmup", defaultValue = "5", description = "Steps discarded.") int warmup;
  @Option(names = "--steps", defaultValue = "20", description = "Steps measured.") int steps;
  @Option(names = "--out", defaultValue = "throughput.json") Path out;
  @Option(names = "--profile", description = "Time every native op (ND4J OpProfiler) and print the "
      + "share of op time per op, per method; slows the steps, so the img/s of a profiled run is not "
      + "comparable.") boolean profile;
  @Option(names = "--rgb", description = "Feed 3-channel images (the sample tinted by class) to every "
      + "method, for methods that need colour (colorization).") boolean rgb;

  @Override
  public Integer call() throws IOException {
    if (encoderSettings == null) {
      encoderSettings = encoderType.equals("conv4") ? CONV4_SETTINGS : "";
    }
    ImageSet data = rgb ? BenchmarkRuns.colourSample()
        : FashionMnist.load(FashionMnist.Source.EMBEDDED, null).train();
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("backend", Backend.describe());
    report.put("pretext", Versions.pretext());
    report.put("dl4j", Versions.dl4j());
    report.put("cores", Runtime.getRuntime().availableProcessors());
    report.put("batch", batch);
    report.put("encoder", encoderType + (encoderSettings.isBlank() ? "" : " { " + encoderSettings + " }"));
    report.put("input", data.shape().toString());
    List<Map<String, Object>> results = new ArrayList<>();
    for (String method : methods) {
      PretextTask task = TestKit.task(method, taskSettings, 1, data.shape());
      Encoder encoder = TestKit.encoder(encoderType, encoderSettings, 1);
      if (profile) {
        OpProfiler.getInstance().reset();
        Nd4j.getExecutioner().setProfilingConfig(ProfilerConfig.builder().checkElapsedTime(true).build());
      }
      TrainedMethod trained = BenchmarkRuns.train(task, encoder, data, warmup + steps, batch, 1);
      if (profile) {
        Nd4j.getExecutioner().setProfilingConfig(ProfilerConfig.builder().build());
        System.out.println("Op time per op class of " + method + " (all " + (warmup + steps) + " steps):");
        System.out.println(OpProfiler.getInstance().getClassAggergator().asPercentageString());
        System.out.println(OpProfiler.getInstance().getLongAggergator().asPercentageString());
      }
      double[] measured = trained.stepSeconds().subList(warmup, trained.stepSeconds().size())
          .stream().mapToDouble(Double::doubleValue).sorted().toArray();
      double median = measured[measured.length / 2];
      double pipeline = pipelineSecondsPerBatch(task, data);
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("method", method);
      r.put("images_per_second", batch / median);
      r.put("step_seconds_median", median);
      r.put("step_seconds_min", measured[0]);
      r.put("step_seconds_max", measured[measured.length - 1]);
      r.put("pipeline_seconds_per_batch", pipeline);
      r.put("pipeline_images_per_second", batch / pipeline);
      r.put("pipeline_wait_seconds_total", trained.pipelineWaitSeconds());
      r.put("peak_rss_mb", peakRssMb());
      results.add(r);
      System.out.printf("%-24s %8.1f img/s (step median %.3f s); pipeline alone %8.1f img/s; waited %.2f s; peak RSS %d MB%n",
          method, batch / median, median, batch / pipeline, trained.pipelineWaitSeconds(), peakRssMb());
    }
    report.put("results", results);
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), report);
    System.out.println("Written: " + out.toAbsolutePath());
    return 0;
  }

  private double pipelineSecondsPerBatch(PretextTask task, ImageSet data) {
    Random random = new Random(1);
    int[] idx = java.util.stream.IntStream.range(0, Math.min(batch, data.size())).toArray();
    double[] times = new double[steps];
    for (int i = 0; i < steps; i++) {
      long start = System.nanoTime();
      INDArray images = data.batch(idx);
      task.prepare(images, random);
      times[i] = (System.nanoTime() - start) / 1e9;
    }
    Arrays.sort(times);
    return times[times.length / 2];
  }

  /** VmHWM of this process in MB (Linux), or -1 where /proc is not available. */
  static long peakRssMb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }

  public static void main(String[] args) {
    Backend.configure();
    System.exit(new CommandLine(new ThroughputBenchmark()).execute(args));
  }
}
