package dev.pretext.api;

import dev.pretext.api.graph.GraphBuilder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A self-supervised method. The runtime drives it as follows:
 *
 * <ol>
 *   <li>{@link #build} once: the task declares placeholders, applies the encoder, adds its heads,
 *       creates its loss (and sampler) through {@link ComponentContext#components()}, and returns
 *       the loss and the encoder's representation h;
 *   <li>per batch, on the prefetch thread: {@link #prepare} turns unlabeled images into the
 *       arrays of the step's placeholders (views, rotations and their labels, masks, …);
 *   <li>per step, on the training thread: {@link #beforeStep} (e.g. a momentum encoder's keys),
 *       the optimizer step, then {@link #afterStep} (EMA update, queue push);
 *   <li>after training, the runtime builds {@link #representation} of whole images into a graph of
 *       its own, with the trained encoder's weights, and evaluates it on labeled images.
 * </ol>
 */
public interface PretextTask {

  /**
   * Builds the training graph.
   *
   * @param graph the builder; its training flag switches batch statistics on during training
   * @param encoder the suite's encoder, to apply once or several times; create the one whose
   *     representation is evaluated under {@code graph.scope(GraphBuilder.ENCODER_SCOPE)} and apply
   *     it to what {@link #representation} feeds it as {@link EncoderModule#MAIN} (or {@link
   *     Encoder#build} it there): the evaluation graph takes its weights and statistics by name
   * @param dataShape the shape of one dataset image
   */
  TaskGraph build(GraphBuilder graph, Encoder encoder, ImageShape dataShape);

  /**
   * Turns a batch of unlabeled images into the arrays of the graph's placeholders. Runs on the
   * prefetch thread: it must not touch the graph or any state shared with the training thread.
   * After training the runtime calls it again on batches of the same images to calibrate the
   * graph's batch norm for {@link #writeVisuals} and {@link #pretextMetrics}, feeding the arrays
   * that are placeholders of the graph (not those {@link #beforeStep} consumes).
   *
   * @param images {@code [N, C, H, W]} in [0, 1]
   * @param random the pipeline's seeded generator
   * @return one array per placeholder of the training graph
   */
  Map<String, INDArray> prepare(INDArray images, Random random);

  /** Adds or replaces arrays on the training thread just before the step (default: none). */
  default Map<String, INDArray> beforeStep(Map<String, INDArray> prepared, StepContext step) {
    return prepared;
  }

  /** Called after each optimizer step (default: nothing). */
  default void afterStep(StepContext step) {}

  /**
   * The representation the protocols evaluate, computed from whole images as graph ops. The
   * runtime builds it into a graph of its own (images → representation) for the frozen probes, the
   * exported encoder, fine-tuning (with a linear head) and the supervised baseline, and copies the
   * trained encoder's weights into it by name — so it uses the encoder module and graph ops only,
   * no weights of its own. A task whose encoder sees something else than the images (patches,
   * the lightness) derives it here. Default: the module applied to the images.
   *
   * @param graph the evaluation graph's builder
   * @param encoder the encoder, created under {@link GraphBuilder#ENCODER_SCOPE} for images of
   *     {@link #encoderShape}{@code (shape)}; apply it as {@link EncoderModule#MAIN}, the
   *     application whose weights and batch-norm statistics {@link #build} trained under that scope
   * @param images placeholder of {@code [N, C, H, W]} images in [0, 1]
   * @param shape one of these images; may differ from the pretraining images (gray evaluation
   *     images for a task pretrained on colour)
   * @return {@code [N, D]}, D = {@link TaskGraph#representationSize()}
   */
  default Encoder.Representation representation(
      GraphBuilder graph, EncoderModule encoder, SDVariable images, ImageShape shape) {
    SDVariable h = encoder.apply(images, shape, EncoderModule.MAIN).representation();
    return new Encoder.Representation(h, encoder.representationSize());
  }

  /**
   * What one input of the encoder of {@link #representation} looks like for images of {@code
   * shape}: the shape its module is created for (CPC: a patch; colorization: one channel).
   * Default: the image itself.
   */
  default ImageShape encoderShape(ImageShape shape) {
    return shape;
  }

  /**
   * Writes pictures that show what the method learned (e.g. input / masked / reconstruction
   * grids as PNG) into {@code folder}, after training, from a few held-out images. Default: the
   * SPI 1.x method without the runner, which writes nothing.
   *
   * @param runner runs {@code graph} forward in inference mode and in batches (use it rather than
   *     {@code graph.output} and the training flag)
   * @param graph the trained graph, batch norm calibrated
   * @param images {@code [N, C, H, W]} held-out images in [0, 1]
   * @return the files written
   * @since 2.0
   */
  default java.util.List<Path> writeVisuals(GraphRunner runner, org.nd4j.autodiff.samediff.SameDiff graph,
      TaskGraph taskGraph, INDArray images, Path folder) throws IOException {
    return writeVisuals(graph, taskGraph, images, folder);
  }

  /**
   * SPI 1.x: {@link #writeVisuals(GraphRunner, org.nd4j.autodiff.samediff.SameDiff, TaskGraph,
   * INDArray, Path)} without the runner. Default: none.
   *
   * @deprecated override the method taking a {@link GraphRunner}; the runtime calls only that one
   */
  @Deprecated(since = "2.0")
  default java.util.List<Path> writeVisuals(
      org.nd4j.autodiff.samediff.SameDiff graph, TaskGraph taskGraph, INDArray images, Path folder)
      throws IOException {
    return java.util.List.of();
  }

  /**
   * Measures the quality of the pretext task itself on held-out images — e.g. reconstruction
   * error, colourization error — reported next to the protocols' results. Called after training,
   * next to {@link #writeVisuals}, with held-out images of the pretraining data (the runtime
   * passes a few hundred; the first of them are those drawn by {@code writeVisuals}). Default: the
   * SPI 1.x method without the runner, which measures nothing.
   *
   * @param runner runs {@code graph} forward in inference mode and in batches (use it rather than
   *     {@code graph.output} and the training flag)
   * @param graph the trained graph, batch norm calibrated
   * @param taskGraph the names {@link #build} returned
   * @param images {@code [N, C, H, W]} held-out images in [0, 1], as {@link #prepare} receives them
   * @return metric name → value, in a stable order (names in snake_case, units in the name where
   *     useful, e.g. {@code psnr_db})
   * @since 2.0
   */
  default Map<String, Double> pretextMetrics(GraphRunner runner, org.nd4j.autodiff.samediff.SameDiff graph,
      TaskGraph taskGraph, INDArray images) {
    return pretextMetrics(graph, taskGraph, images);
  }

  /**
   * SPI 1.x: {@link #pretextMetrics(GraphRunner, org.nd4j.autodiff.samediff.SameDiff, TaskGraph,
   * INDArray)} without the runner. Default: no metrics.
   *
   * @deprecated override the method taking a {@link GraphRunner}; the runtime calls only that one
   */
  @Deprecated(since = "2.0")
  default Map<String, Double> pretextMetrics(
      org.nd4j.autodiff.samediff.SameDiff graph, TaskGraph taskGraph, INDArray images) {
    return Map.of();
  }

  /** Writes state kept outside the graph (queues, target networks) into a checkpoint folder. */
  default void saveState(Path folder) throws IOException {}

  /** Restores what {@link #saveState} wrote. */
  default void loadState(Path folder) throws IOException {}

  /**
   * Names of the graph variables a built task exposes to the runtime.
   *
   * @param loss the scalar loss to minimize
   * @param representation the encoder's representation h in the training graph, {@code [N, D]}:
   *     what {@link #representation} computes from whole images
   * @param representationSize D
   */
  record TaskGraph(String loss, String representation, long representationSize) {}
}
