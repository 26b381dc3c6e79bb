package dev.pretext.runtime.training;

import dev.pretext.api.Encoder;
import dev.pretext.api.PretextTask;
import dev.pretext.api.StepContext;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.runtime.config.Suite;
import dev.pretext.runtime.data.ImageSet;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

/**
 * Pretrains one method: builds its graph, feeds it prefetched batches, guards against divergence,
 * shows progress, and checkpoints at the end of every epoch so that a run can resume.
 */
public final class TrainingEngine {

  /** The engine's own loss variable: the task's loss times a constant 1 (see {@link LossCapture}). */
  static final String ENGINE_LOSS = "pretext_engine_loss";

  /**
   * Everything one training run needs.
   *
   * @param workFolder where checkpoints go
   * @param resume continue from the last checkpoint in {@code workFolder} if there is one
   */
  public record Run(
      String name, PretextTask task, Encoder encoder, ImageSet data, Suite.TrainingSettings training,
      long seed, Path workFolder, boolean resume) {}

  /** Trains and returns the method; the checkpoint stays until the caller has stored results. */
  public TrainedMethod train(Run run) {
    // The run's thread count before its first op (initialization, the first step), not only between
    // steps: a thread starts at OpenMP's own count, and a first step summed in another order made two
    // runs of one seed differ (OMP_NUM_THREADS=1 with PRETEXT_THREADS=2, the testkit's seeding check).
    ComputeThreads.adjust();
    try {
      return doTrain(run);
    } catch (IOException e) {
      // A checkpoint that cannot be written (WriteFailedException) stops the run: see SuiteRunner.
      throw new UncheckedIOException("checkpoint of '" + run.name() + "' in " + run.workFolder() + ": "
          + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private TrainedMethod doTrain(Run run) throws IOException, InterruptedException {
    Suite.TrainingSettings settings = run.training();
    Nd4j.getRandom().setSeed(run.seed());
    GraphBuilder builder = GraphBuilder.create(run.seed());
    PretextTask.TaskGraph taskGraph = run.task().build(builder, run.encoder(), run.data().shape());
    SameDiff graph = builder.sameDiff();
    graph.getVariable(taskGraph.loss())
        .mul(ENGINE_LOSS, graph.constant(Nd4j.scalar(DataType.FLOAT, 1f)));
    graph.setLossVariables(ENGINE_LOSS);
    List<String> placeholders = List.copyOf(graph.inputs());
    int perEpoch = Prefetcher.batchesPerEpoch(run.data().size(), settings.batchSize());
    long totalSteps = (long) perEpoch * settings.epochs();
    if (settings.maxSteps() > 0) {
      totalSteps = Math.min(totalSteps, settings.maxSteps());
    }
    TrainingConfig.Builder config = TrainingConfig.builder()
        .updater(updater(settings, perEpoch, totalSteps))
        .dataSetFeatureMapping(placeholders)
        .markLabelsUnused();
    if (settings.weightDecay() > 0) {
      config.weightDecay(settings.weightDecay(), true);
    }
    graph.setTrainingConfig(config.build());

    Checkpoints checkpoints = new Checkpoints(run.workFolder().resolve("checkpoint"));
    Checkpoints.Progress progress = new Checkpoints.Progress(0, 0, 0, List.of(), List.of());
    if (run.resume() && checkpoints.progress().isPresent()) {
      progress = checkpoints.progress().get();
      graph = checkpoints.loadGraph();
      checkpoints.loadTaskState(run.task());
      // Adam's bias correction and the schedule read SameDiff's iteration count; the checkpoint
      // stores it too, but our own step record is what the run continues from.
      graph.getTrainingConfig().setIterationCount(Math.toIntExact(progress.steps()));
    }
    buildGradientsQuietly(graph);
    LossCapture capture = new LossCapture(taskGraph.loss());
    graph.setListeners(capture);

    int epochs = (int) Math.min(settings.epochs(), (totalSteps + perEpoch - 1) / perEpoch);
    Steps steps = new Steps(graph, totalSteps, new Random(run.seed() ^ 0x5DEECE66DL));
    steps.step = progress.steps();
    List<Double> epochLosses = new ArrayList<>(progress.epochLosses());
    List<Double> stepLosses = new ArrayList<>(progress.stepLosses());
    double seconds = progress.seconds();
    double waitSeconds = 0;
    List<Double> stepSeconds = new ArrayList<>();

    try (TrainingIterations iterations = new TrainingIterations(graph);
        Prefetcher batches = new Prefetcher(run.data(), run.task(), settings.batchSize(),
            progress.epochsDone(), epochs, run.seed(), settings.prefetchBatches(),
            totalSteps - progress.steps());
        ProgressBar bar = progressBar(run.name(), totalSteps, steps.step, progress.seconds())) {
      for (int epoch = progress.epochsDone(); epoch < epochs && steps.step < totalSteps; epoch++) {
        steps.epoch = epoch;
        long start = System.nanoTime();
        double lossSum = 0;
        int count = 0;
        for (int b = 0; b < perEpoch && steps.step < totalSteps; b++) {
          long waitStart = System.nanoTime();
          Map<String, INDArray> batch = batches.next();
          if (batch == null) {
            break;
          }
          long stepStart = System.nanoTime();
          waitSeconds += (stepStart - waitStart) / 1e9;
          Map<String, INDArray> inputs = run.task().beforeStep(batch, steps);
          iterations.step(placeholderValues(run.name(), placeholders, inputs));
          NativeMemory.releaseGarbageIfGrown();
          ComputeThreads.adjust();
          double loss = capture.last();
          if (!Double.isFinite(loss)) {
            throw new TrainingDivergedException(run.name(), steps.step, loss);
          }
          run.task().afterStep(steps);
          stepSeconds.add((System.nanoTime() - stepStart) / 1e9);
          lossSum += loss;
          stepLosses.add(loss);
          count++;
          steps.step++;
          bar.step();
          bar.setExtraMessage(String.format(" loss %.4f", loss));
        }
        double epochSeconds = (System.nanoTime() - start) / 1e9;
        seconds += epochSeconds;
        epochLosses.add(count == 0 ? Double.NaN : lossSum / count);
        checkpoints.save(graph, run.task(),
            new Checkpoints.Progress(epoch + 1, steps.step, seconds, epochLosses, stepLosses));
      }
    }
    List<String> batchStats = new ArrayList<>();
    List<String> runningStats = new ArrayList<>();
    for (GraphBuilder.BatchStatistic s : builder.batchStatistics()) {
      batchStats.add(s.batchVariable());
      runningStats.add(s.runningConstant());
    }
    // Over the whole training, the sessions before a resume included (their seconds are in the
    // checkpoint), so a resumed run reports the same rate as an uninterrupted one.
    double imagesSeen = steps.step * (double) batchSize(settings, run.data().size());
    return new TrainedMethod(run.name(), run.task(), graph, taskGraph, batchStats, runningStats,
        List.copyOf(epochLosses), List.copyOf(stepLosses), steps.step, seconds,
        seconds > 0 ? imagesSeen / seconds : 0, List.copyOf(stepSeconds), waitSeconds);
  }

  /**
   * The batch size training uses on {@code images} images: the configured one, or every image
   * when there are fewer (each step then sees the whole set).
   */
  public static int batchSize(Suite.TrainingSettings settings, int images) {
    return Math.min(settings.batchSize(), images);
  }

  /** Adam with the configured schedule; {@code totalSteps} is where a cosine schedule reaches 0. */
  static Adam updater(Suite.TrainingSettings settings, int stepsPerEpoch, long totalSteps) {
    return switch (settings.schedule()) {
      case CONSTANT -> new Adam(settings.learningRate());
      case COSINE -> new Adam(new WarmupCosineSchedule(settings.learningRate(),
          Math.min(totalSteps, Math.round(settings.warmupEpochs() * stepsPerEpoch)), totalSteps));
    };
  }

  private static Map<String, INDArray> placeholderValues(String method, List<String> placeholders,
      Map<String, INDArray> inputs) {
    Map<String, INDArray> values = new HashMap<>();
    for (String name : placeholders) {
      INDArray value = inputs.get(name);
      if (value == null) {
        throw new IllegalStateException("method '" + method + "' did not prepare placeholder '"
            + name + "'; it prepared " + inputs.keySet());
      }
      values.put(name, value);
    }
    return values;
  }

  /** Creates the gradient graph now, hiding the "Added differentiated op" lines M2.1 prints. */
  static void buildGradientsQuietly(SameDiff graph) {
    // System.out is the process's: two entries building at once must not keep each other's null stream.
    synchronized (TrainingEngine.class) {
      buildGradientsSilenced(graph);
    }
  }

  private static void buildGradientsSilenced(SameDiff graph) {
    PrintStream out = System.out;
    System.setOut(new PrintStream(OutputStream.nullOutputStream()));
    try {
      graph.createGradFunction();
    } finally {
      System.setOut(out);
    }
  }

  /** A bar for {@code total} steps; a resumed run starts at its step and time so the ETA holds. */
  private static ProgressBar progressBar(String name, long total, long done, double secondsSoFar) {
    ProgressBarBuilder bar = new ProgressBarBuilder()
        .startsFrom(done, java.time.Duration.ofMillis(Math.round(secondsSoFar * 1000)))
        .setTaskName(name)
        .setInitialMax(total)
        .setStyle(ProgressBarStyle.ASCII)
        .setUpdateIntervalMillis(1000)
        .showSpeed()
        .setUnit(" steps", 1);
    return bar.build();
  }

  /** The step context handed to tasks; mutable only by the engine. */
  private static final class Steps implements StepContext {
    private final SameDiff graph;
    private final long totalSteps;
    private final Random random;
    private long step;
    private int epoch;

    Steps(SameDiff graph, long totalSteps, Random random) {
      this.graph = graph;
      this.totalSteps = totalSteps;
      this.random = random;
    }

    @Override
    public SameDiff graph() {
      return graph;
    }

    @Override
    public long step() {
      return step;
    }

    @Override
    public long totalSteps() {
      return totalSteps;
    }

    @Override
    public int epoch() {
      return epoch;
    }

    @Override
    public Random random() {
      return random;
    }
  }
}
