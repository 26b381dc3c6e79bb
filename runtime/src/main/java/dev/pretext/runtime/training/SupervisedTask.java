package dev.pretext.runtime.training;

import dev.pretext.api.Encoder;
import dev.pretext.api.ImageShape;
import dev.pretext.api.PretextTask;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.api.graph.Ops;
import dev.pretext.runtime.EncoderExport;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.nd4j.autodiff.samediff.SameDiff;
import java.util.Random;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The suite's encoder with a linear head trained end to end on the labels: the supervised
 * reference (from random weights, under the methods' budget) and fine-tuning (from a pretrained
 * encoder's weights). Not a plugin: it needs the labels, which the SPI deliberately never hands to
 * a pretext task.
 */
public final class SupervisedTask implements PretextTask {

  private final int classes;
  private final SameDiff pretrained;
  private final UnaryOperator<INDArray> toEncoderInput;
  private final ImageShape inputShape;
  private final LinearHead initialHead;
  private final int group;
  private String logits;

  /** Starts from the encoder's own initialization (the supervised reference). */
  public SupervisedTask(int classes) {
    this(classes, null, UnaryOperator.identity(), null);
  }

  /**
   * Starts from a pretrained encoder (fine-tuning).
   *
   * @param pretrained a graph holding the encoder's weights under the encoder scope; every one
   *     must be found, so a mismatch fails loudly instead of silently training from scratch
   * @param toEncoderInput turns labeled images into the encoder's input (the pretext task's
   *     preparation for its representation, e.g. RGB to L for colorization)
   * @param inputShape one image after {@code toEncoderInput}; null = the labeled images' shape
   */
  public SupervisedTask(int classes, SameDiff pretrained, UnaryOperator<INDArray> toEncoderInput,
      ImageShape inputShape) {
    this(classes, pretrained, toEncoderInput, inputShape, 1, null);
  }

  /**
   * Starts from a pretrained encoder and, unless {@code initialHead} is null, from that linear
   * head on its features (LP-FT) instead of a random one.
   *
   * @param group encoder inputs per image: {@code toEncoderInput} turns each image into this many
   *     (e.g. CPC's 16 patches), whose encodings are averaged into the image's representation
   */
  public SupervisedTask(int classes, SameDiff pretrained, UnaryOperator<INDArray> toEncoderInput,
      ImageShape inputShape, int group, LinearHead initialHead) {
    if (group < 1) {
      throw new IllegalArgumentException("encoder inputs per image must be >= 1, got " + group);
    }
    this.classes = classes;
    this.pretrained = pretrained;
    this.toEncoderInput = toEncoderInput;
    this.inputShape = inputShape;
    this.group = group;
    this.initialHead = initialHead;
  }

  /** Name of the linear head's output {@code [N, classes]} in the graph built last. */
  public String logitsName() {
    return logits;
  }

  @Override
  public TaskGraph build(GraphBuilder g, Encoder encoder, ImageShape dataShape) {
    ImageShape shape = inputShape == null ? dataShape : inputShape;
    SDVariable images = g.placeholder("images", shape.batchShape());
    SDVariable labels = g.placeholder("class_labels", -1, classes);
    Encoder.Representation encoded = encoder.build(g.scope(GraphBuilder.ENCODER_SCOPE), images, shape);
    if (pretrained != null) {
      EncoderExport.copyEncoderArrays(pretrained, g.sameDiff());
    }
    Encoder.Representation h = group == 1 ? encoded : new Encoder.Representation(
        encoded.variable().reshape(-1, group, encoded.size()).mean(g.name("pooled"), 1), encoded.size());
    SDVariable out = initialHead == null
        ? Ops.linear(g.scope("classifier"), "logits", h.variable(), h.size(), classes)
        : startingHead(g.scope("classifier"), h);
    logits = out.name();
    SDVariable loss = Ops.softmaxCrossEntropy(g.sameDiff(), out, labels);
    return new TaskGraph(loss.name(), h.variable().name(), h.size(), images.name());
  }

  private SDVariable startingHead(GraphBuilder head, Encoder.Representation h) {
    long[] expected = {h.size(), classes};
    if (!java.util.Arrays.equals(initialHead.weights().shape(), expected) || initialHead.bias().length() != classes) {
      throw new IllegalArgumentException("the starting head's weights are " + java.util.Arrays.toString(
          initialHead.weights().shape()) + ", the encoder and labels need " + java.util.Arrays.toString(expected));
    }
    SDVariable w = head.variable("logits_w", initialHead.weights().castTo(DataType.FLOAT).dup());
    SDVariable b = head.variable("logits_b", initialHead.bias().castTo(DataType.FLOAT).reshape(classes).dup());
    return h.variable().mmul(w).add(b);
  }

  @Override
  public Map<String, INDArray> prepare(INDArray images, Random random) {
    throw new IllegalStateException("the supervised reference needs labels: use prepareLabelled");
  }

  @Override
  public Map<String, INDArray> prepareForRepresentation(TaskGraph graph, INDArray images) {
    return Map.of(graph.representationInput(), toEncoderInput.apply(images));
  }

  /** The step's inputs: the images and their one-hot labels. */
  Map<String, INDArray> prepareLabelled(INDArray images, int[] labels) {
    INDArray oneHot = Nd4j.zeros(DataType.FLOAT, labels.length, classes);
    for (int i = 0; i < labels.length; i++) {
      oneHot.putScalar(i, labels[i], 1f);
    }
    return Map.of("images", toEncoderInput.apply(images), "class_labels", oneHot);
  }
}
