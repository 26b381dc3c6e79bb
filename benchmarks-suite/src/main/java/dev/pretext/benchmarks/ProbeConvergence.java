package dev.pretext.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pretext.runtime.EncoderExport;
import dev.pretext.runtime.PretrainedEncoder;
import dev.pretext.runtime.config.Suite;
import dev.pretext.runtime.data.FashionMnist;
import dev.pretext.runtime.data.ImageSet;
import dev.pretext.runtime.evaluation.LinearProbe;
import dev.pretext.runtime.training.Backend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Was the linear probe trained long enough? Written for the epoch-trained probe: it fitted the probe
 * on the same frozen features for several epoch counts (docs/architecture.md, "The linear probe's
 * budget"). The probe is now solved to its optimum, so every epoch count gives the same fit; what
 * is left is the probe on kept encoders' features with its choice of L2 (from {@code
 * --l2-candidates}, with {@code --validation-fraction}), the solver's iterations and the seconds it
 * took. Features come from encoders kept in a run folder (as {@code pretext export-encoder} builds
 * them: the evaluated representation with its calibrated batch norm), or from the pixels ({@code
 * raw-pixels}).
 */
@Command(name = "probe-convergence", mixinStandardHelpOptions = true,
    description = "Linear-probe accuracy against probe epochs, on the features of kept encoders.")
public final class ProbeConvergence implements Callable<Integer> {

  @Option(names = "--run", description = "Run folder whose encoders/ hold the entries (not needed for raw-pixels).")
  Path run;

  @Option(names = "--entries", split = ",", required = true,
      description = "NAME:SEED of kept encoders, or raw-pixels.") List<String> entries;

  @Option(names = "--epochs", split = ",", defaultValue = "30,100,300") List<Integer> epochs;

  @Option(names = "--data", defaultValue = "full", description = "Fashion-MNIST source: full or embedded.")
  String data;

  @Option(names = "--batch", defaultValue = "256") int batch;
  @Option(names = "--learning-rate", defaultValue = "0.001") double learningRate;
  @Option(names = "--l2", defaultValue = "0.0001", description = "L2 of a probe that chooses nothing.") double l2;
  @Option(names = "--l2-candidates", split = ",", defaultValue = "0.00001,0.0001,0.001",
      description = "L2 penalties chosen among on validation.") List<Double> l2Candidates;
  @Option(names = "--min-validation-images", defaultValue = "1000") int minValidationImages;
  @Option(names = "--validation-fraction", defaultValue = "0",
      description = "Held-out share of the train labels choosing the stopping step and L2 (0: fixed budget).")
  double validationFraction;
  @Option(names = "--validation-checks", defaultValue = "20") int validationChecks;
  @Option(names = "--patience", defaultValue = "5") int patience;
  @Option(names = "--min-steps", defaultValue = "2000") int minSteps;
  @Option(names = "--seed", defaultValue = "1") long seed;
  @Option(names = "--out", defaultValue = "probe-convergence.json") Path out;

  @Override
  public Integer call() throws Exception {
    FashionMnist.Split split = FashionMnist.load(
        data.equals("embedded") ? FashionMnist.Source.EMBEDDED : FashionMnist.Source.FULL, null);
    List<Map<String, Object>> results = new ArrayList<>();
    for (String entry : entries) {
      INDArray[] features = features(entry, split);
      for (int e : epochs) {
        long start = System.nanoTime();
        var settings = new Suite.ProbeSettings(e, minSteps, batch, learningRate, l2, l2Candidates,
            validationFraction, minValidationImages, validationChecks, patience);
        LinearProbe.Evaluation evaluation = LinearProbe.evaluate(features[0], split.train().labels(), features[1],
            split.test().labels(), split.train().classNames().size(), settings, seed);
        LinearProbe.Result r = evaluation.result();
        LinearProbe.Choice choice = evaluation.choice();
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT,
            "%-28s epochs %4d: top-1 %.4f top-5 %.4f; l2 %.0e, %d L-BFGS iterations, validation %.4f (%.0f s)%n",
            entry, e, r.top1(), r.top5(), choice.l2(), choice.iterations(), choice.validationTop1(), seconds);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("entry", entry);
        row.put("epochs", e);
        row.put("top1", r.top1());
        row.put("top5", r.top5());
        row.put("l2", choice.l2());
        row.put("iterations", choice.iterations());
        row.put("validation_top1", choice.validationTop1());
        row.put("seconds", seconds);
        results.add(row);
      }
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("data", split.train().description());
    json.put("probe", Map.of("batch_size", batch, "learning_rate", learningRate, "l2", l2,
        "l2_candidates", l2Candidates, "min_steps", minSteps, "validation_fraction", validationFraction,
        "min_validation_images", minValidationImages,
        "validation_checks", validationChecks, "patience", patience, "seed", seed));
    json.put("results", results);
    new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(out.toFile(), json);
    return 0;
  }

  /** {train, test} features of one entry. */
  private INDArray[] features(String entry, FashionMnist.Split split) throws Exception {
    if (entry.equals("raw-pixels")) {
      return new INDArray[] {flat(split.train()), flat(split.test())};
    }
    int colon = entry.lastIndexOf(':');
    if (run == null || colon < 0) {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "entry '" + entry + "': give NAME:SEED and --run RUN_DIR (or raw-pixels)");
    }
    Path zip = Files.createTempFile("probe-convergence", ".zip");
    try {
      EncoderExport.export(run, entry.substring(0, colon), Long.parseLong(entry.substring(colon + 1)), zip,
          BenchmarkRuns.plugins());
      PretrainedEncoder encoder = PretrainedEncoder.load(zip);
      return new INDArray[] {embed(encoder, split.train()), embed(encoder, split.test())};
    } finally {
      Files.deleteIfExists(zip);
    }
  }

  private static INDArray flat(ImageSet set) {
    return set.images().reshape(set.size(), -1);
  }

  private static INDArray embed(PretrainedEncoder encoder, ImageSet set) {
    List<INDArray> parts = new ArrayList<>();
    for (int i = 0; i < set.size(); i += 500) {
      parts.add(encoder.embed(set.batch(IntStream.range(i, Math.min(set.size(), i + 500)).toArray())));
    }
    return Nd4j.vstack(parts.toArray(new INDArray[0]));
  }

  public static void main(String[] args) {
    Backend.configure();
    System.exit(new CommandLine(new ProbeConvergence()).execute(args));
  }
}
