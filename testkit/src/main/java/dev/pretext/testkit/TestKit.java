package dev.pretext.testkit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.pretext.api.ComponentKind;
import dev.pretext.api.ComponentRegistry;
import dev.pretext.api.Encoder;
import dev.pretext.api.GraphRunner;
import dev.pretext.api.ImageShape;
import dev.pretext.api.PretextTask;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.runtime.config.Components;
import dev.pretext.runtime.config.Suite;
import dev.pretext.runtime.data.FashionMnist;
import dev.pretext.runtime.data.ImageSet;
import dev.pretext.runtime.evaluation.BatchedGraphRunner;
import dev.pretext.runtime.evaluation.RepresentationGraph;
import dev.pretext.runtime.plugins.LoadedPlugin;
import dev.pretext.runtime.plugins.PluginLoader;
import dev.pretext.runtime.plugins.PluginRegistry;
import dev.pretext.runtime.training.TrainingEngine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Fixtures for testing a plugin in a few lines: the embedded Fashion-MNIST sample, the plugins on
 * the test class path (the standard components among them: this kit brings {@code
 * pretext-plugin-standard}), components created from their defaults, and short training runs on
 * the runtime's own training engine.
 */
public final class TestKit {

  /** The embedded sample: 6,000 training and 1,000 test images of 1×28×28, classes stratified. */
  public record Sample(TestImages train, TestImages test) {}

  private static Sample sample;
  private static PluginRegistry plugins;

  private TestKit() {}

  /** The embedded stratified sample, loaded once. */
  public static synchronized Sample sample() {
    if (sample == null) {
      FashionMnist.Split split = FashionMnist.load(FashionMnist.Source.EMBEDDED, null);
      sample = new Sample(new TestImages(split.train()), new TestImages(split.test()));
    }
    return sample;
  }

  /** The first {@code n} training images of the sample (stratified: the sample is shuffled). */
  public static TestImages sampleImages(int n) {
    return sample().train().first(n);
  }

  /**
   * {@code n} RGB images for methods that need colour (colorization): the first {@code n} sample
   * images, each tinted with its class's colour from a fixed palette of ten saturated colours
   * (pixel = gray value × colour), so colour is predictable from shape. Labels are kept.
   */
  public static TestImages colourSampleImages(int n) {
    TestImages gray = sampleImages(n);
    float[][] palette = {
        {1f, 0.1f, 0.1f}, {0.1f, 0.8f, 0.1f}, {0.2f, 0.3f, 1f}, {1f, 0.85f, 0.1f}, {0.9f, 0.2f, 0.9f},
        {0.1f, 0.9f, 0.9f}, {1f, 0.5f, 0.1f}, {0.5f, 0.2f, 0.9f}, {0.6f, 0.9f, 0.3f}, {1f, 1f, 1f}};
    int size = gray.size();
    ImageShape shape = gray.shape();
    int plane = shape.height() * shape.width();
    float[] v = gray.images().dup('c').data().asFloat();
    int[] labels = gray.labels();
    float[] rgb = new float[size * 3 * plane];
    for (int i = 0; i < size; i++) {
      float[] colour = palette[labels[i] % palette.length];
      for (int c = 0; c < 3; c++) {
        for (int k = 0; k < plane; k++) {
          rgb[(i * 3 + c) * plane + k] = v[i * shape.channels() * plane + k] * colour[c];
        }
      }
    }
    return new TestImages(new ImageSet(Nd4j.create(rgb, new long[] {size, 3, shape.height(), shape.width()}, 'c'),
        labels, FashionMnist.CLASS_NAMES, "Fashion-MNIST sample tinted by class"));
  }

  /** The plugins on the test class path (no plugins folder). */
  static synchronized PluginRegistry plugins() {
    if (plugins == null) {
      plugins = new PluginRegistry(new PluginLoader(Path.of("no-plugins-folder")).load());
    }
    return plugins;
  }

  /**
   * Creates components of the plugins on the test class path for 28×28 grayscale images and
   * {@code seed}, as the runtime does: the plugin's defaults under the given settings, unknown keys
   * rejected.
   */
  public static ComponentRegistry components(long seed) {
    return components(seed, FashionMnist.SHAPE);
  }

  /** Creates components for images of {@code shape} and {@code seed} (see {@link #components(long)}). */
  public static ComponentRegistry components(long seed, ImageShape shape) {
    return new StandardAware(new Components(plugins(), seed, shape), loadedPluginNames());
  }

  /** A task created from its defaults overridden by {@code hocon} (may be empty). */
  public static PretextTask task(String type, String hocon, long seed) {
    return task(type, hocon, seed, FashionMnist.SHAPE);
  }

  /** A task for images of {@code shape} (e.g. 3×28×28 RGB), from its defaults and {@code hocon}. */
  public static PretextTask task(String type, String hocon, long seed, ImageShape shape) {
    Config settings = ConfigFactory.parseString(hocon);
    return components(seed, shape).create(PretextTask.class, type, settings, "test.task");
  }

  /** An encoder created from its defaults overridden by {@code hocon} (may be empty). */
  public static Encoder encoder(String type, String hocon, long seed) {
    return components(seed).create(Encoder.class, type, ConfigFactory.parseString(hocon), "test.encoder");
  }

  /** A small, fast conv4 for tests: channels [8, 16, 32]. */
  public static Encoder smallEncoder(long seed) {
    return encoder("conv4", "channels = [8, 16, 32]", seed);
  }

  /**
   * A tiny ResNet for tests: cifar stem, widths [4, 8], one block per stage — an identity and a
   * projection shortcut, each stage's batch norms; a step takes ≈ 3x a {@link #smallEncoder} one.
   */
  public static Encoder smallResNet(long seed) {
    return encoder("resnet", "widths = [4, 8], blocks = [1, 1]", seed);
  }

  /**
   * The representation the runtime evaluates for {@code images}: the task's {@link
   * PretextTask#representation} in a graph of its own, with the encoder weights and statistics of
   * {@code trained} (a graph {@code task} built with {@code encoder}) copied in by name, in inference
   * mode.
   */
  public static INDArray evaluatedRepresentation(PretextTask task, Encoder encoder, SameDiff trained,
      INDArray images) {
    ImageShape shape = new ImageShape((int) images.size(1), (int) images.size(2), (int) images.size(3));
    RepresentationGraph graph = RepresentationGraph.build(encoder, task, shape, 1).withEncoderOf(trained);
    graph.graph().getVariable(GraphBuilder.TRAINING_FLAG).getArr().assign(0f);
    return graph.graph().output(Map.of(graph.input(), images), graph.output()).get(graph.output());
  }

  /**
   * Trains {@code task} with {@code encoder} for {@code steps} steps on {@code data} (batches of
   * {@code batchSize}, learning rate 1e-3) with the runtime's training engine — prepare on its
   * prefetch thread, beforeStep, the optimizer step, afterStep — and returns what training
   * produced, step losses included.
   */
  public static TrainedTask train(PretextTask task, Encoder encoder, TestImages data, int steps,
      int batchSize, long seed) {
    int perEpoch = Math.max(1, data.size() / batchSize);
    int epochs = (steps + perEpoch - 1) / perEpoch;
    Suite.TrainingSettings settings = new Suite.TrainingSettings(epochs, batchSize, 1e-3, 0, 2, steps);
    try {
      Path work = Files.createTempDirectory("pretext-testkit");
      return new TrainedTask(new TrainingEngine().train(new TrainingEngine.Run("test", task, encoder,
          data.imageSet(), settings, seed, work, false)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A task's {@code pretextMetrics} on 64 test images, untrained and after training. */
  public record MetricsBeforeAfter(Map<String, Double> untrained, Map<String, Double> trained) {}

  /**
   * Builds {@code type} (settings {@code hocon}) twice with the same seed: once left untrained,
   * once trained {@code steps} steps on the embedded sample; returns {@code pretextMetrics} of both
   * on the same 64 held-out test images.
   */
  public static MetricsBeforeAfter pretextMetricsBeforeAndAfter(String type, String hocon, int steps) {
    INDArray heldOut = sample().test().batch(IntStream.range(0, 64).toArray());
    PretextTask untrained = task(type, hocon, 1);
    GraphBuilder g = GraphBuilder.create(1);
    PretextTask.TaskGraph tg = untrained.build(g, smallEncoder(1), sample().train().shape());
    Map<String, Double> before = untrained.pretextMetrics(graphRunner(32), g.sameDiff(), tg, heldOut);
    PretextTask task = task(type, hocon, 1);
    TrainedTask trained = train(task, smallEncoder(1), sample().train(), steps, 32, 1);
    return new MetricsBeforeAfter(before,
        task.pretextMetrics(graphRunner(32), trained.graph(), trained.taskGraph(), heldOut));
  }

  /**
   * The runner the runtime hands {@code writeVisuals} and {@code pretextMetrics}, for a method
   * trained in batches of {@code batchSize}.
   */
  public static GraphRunner graphRunner(int batchSize) {
    return new BatchedGraphRunner(batchSize);
  }

  private static Set<String> loadedPluginNames() {
    return plugins().plugins().stream().map(LoadedPlugin::name).collect(Collectors.toUnmodifiableSet());
  }

  /** Adds to a failure over a missing standard component where that component comes from. */
  private record StandardAware(ComponentRegistry registry, Set<String> loaded) implements ComponentRegistry {
    @Override
    public Set<String> types(ComponentKind kind) {
      return registry.types(kind);
    }

    @Override
    public <T> T create(Class<T> kind, String type, Config settings, String path) {
      try {
        return registry.create(kind, type, settings, path);
      } catch (RuntimeException e) {
        String hint = StandardComponents.missingHint(e.getMessage(), loaded);
        if (hint == null) {
          throw e;
        }
        throw new IllegalStateException(hint + " (" + e.getMessage() + ")", e);
      }
    }
  }
}
