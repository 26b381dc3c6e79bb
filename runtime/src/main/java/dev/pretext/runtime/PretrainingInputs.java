package dev.pretext.runtime;

import dev.pretext.api.ImageShape;
import dev.pretext.api.PretextTask;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.runtime.config.Components;
import dev.pretext.runtime.config.ConfigProblem;
import dev.pretext.runtime.config.Suite;
import dev.pretext.runtime.config.SuiteConfigException;
import dev.pretext.runtime.data.Datasets;
import dev.pretext.runtime.data.FashionMnist;
import dev.pretext.runtime.data.PretrainingData;
import dev.pretext.runtime.evaluation.RepresentationGraph;
import dev.pretext.runtime.plugins.PluginRegistry;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The images methods pretrain on when they differ from {@code suite.data}: loaded once per
 * distinct {@code pretraining-data} block, and checked before anything trains against what the
 * protocols will feed the pretrained representation.
 */
final class PretrainingInputs {

  private PretrainingInputs() {}

  /** Loads each distinct pretraining-data block of the methods to run, once. */
  static Map<Suite.DataSettings, PretrainingData> load(Suite suite, Set<String> onlyMethods, long seed,
      PrintStream log) {
    Map<Suite.DataSettings, PretrainingData> loaded = new java.util.HashMap<>();
    for (Suite.MethodSpec method : suite.methods()) {
      Suite.DataSettings settings = method.pretrainingData();
      if (settings == null || loaded.containsKey(settings)
          || !onlyMethods.isEmpty() && !onlyMethods.contains(method.name())) {
        continue;
      }
      PretrainingData data = Datasets.pretraining(settings, seed, w -> log.println("   warning: " + w));
      log.printf("pretraining data (%s): %s%n", settings.block(), data.description());
      loaded.put(settings, data);
    }
    return loaded;
  }

  /**
   * Fails before anything trains when a method's representation, built for its pretraining
   * images, cannot take {@code suite.data}'s images (e.g. an encoder pretrained on RGB patches,
   * evaluated on 1-channel Fashion-MNIST). Builds each such method's training graph once, on the
   * side, and its evaluation graph for {@code suite.data}'s images with those weights copied in,
   * and computes the representation of two of them.
   */
  static void check(PluginRegistry plugins, Suite suite, Set<String> onlyMethods,
      FashionMnist.Split data, Map<Suite.DataSettings, PretrainingData> pretraining, long seed) {
    List<ConfigProblem> problems = new ArrayList<>();
    int[] sample = data.test().size() > 1 ? new int[] {0, 1} : new int[] {0, 0};
    INDArray evaluationImages = data.test().batch(sample);
    for (Suite.MethodSpec method : suite.methods()) {
      PretrainingData pre = pretraining.get(method.pretrainingData());
      if (pre == null || !onlyMethods.isEmpty() && !onlyMethods.contains(method.name())) {
        continue;
      }
      String problem = representationProblem(plugins, suite, method, pre.train().shape(), data.test().shape(),
          evaluationImages, seed);
      if (problem != null) {
        problems.add(new ConfigProblem("suite " + suite.name(), method.pretrainingData().block(),
            "method '" + method.name() + "' pretrains on " + method.pretrainingData().block()
                + " (" + method.pretrainingData().summary() + ": " + pre.train().shape()
                + " images) but is evaluated on suite.data (" + suite.data().summary() + ": "
                + data.test().shape() + " images), and " + problem + "; make the two blocks"
                + " agree, e.g. the same `channels` in both"));
      }
    }
    if (!problems.isEmpty()) {
      throw new SuiteConfigException("suite " + suite.name() + ": pretraining and evaluation data",
          problems);
    }
  }

  /** Why the method's representation cannot take the evaluation images, or null if it can. */
  private static String representationProblem(PluginRegistry plugins, Suite suite, Suite.MethodSpec method,
      ImageShape pretrainedOn, ImageShape evaluated, INDArray evaluationImages, long seed) {
    try {
      Components components = new Components(plugins, seed, pretrainedOn);
      PretextTask task = components.create(PretextTask.class, method.task().type(),
          method.task().settings(), method.task().path());
      Suite.ComponentSpec encoder = suite.encoderOf(method);
      GraphBuilder training = GraphBuilder.create(seed);
      task.build(training, SuiteRunner.createEncoder(encoder, components), pretrainedOn);
      RepresentationGraph representation = RepresentationGraph.build(SuiteRunner.createEncoder(encoder, components),
          task, evaluated, seed).withEncoderOf(training.sameDiff());
      representation.graph().output(Map.of(representation.input(), evaluationImages), representation.output());
      return null;
    } catch (RuntimeException e) {
      return "its representation of them cannot be computed: " + e.getMessage();
    }
  }
}
