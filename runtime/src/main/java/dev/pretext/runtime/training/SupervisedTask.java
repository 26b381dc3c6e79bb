package dev.pretext.runtime.training;

import dev.pretext.api.Encoder;
import dev.pretext.api.ImageShape;
import dev.pretext.api.PretextTask;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.runtime.EncoderExport;
import dev.pretext.runtime.data.ImageSet;
import dev.pretext.runtime.evaluation.RepresentationGraph;
import dev.pretext.toolkit.graph.Ops;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The evaluated representation with a linear head trained end to end on the labels: the supervised
 * reference (the encoder's own representation, from random weights, under the methods' budget) and
 * fine-tuning (a pretext task's representation, from its pretrained encoder's weights). Not a
 * plugin: it needs the labels, which the SPI deliberately never hands to a pretext task.
 */
public final class SupervisedTask implements LabelledTask {

  /** The placeholder of the labeled images, {@code [N, C, H, W]} as the dataset gives them. */
  public static final String IMAGES = RepresentationGraph.INPUT;

  private final int classes;
  private final SameDiff pretrained;
  private final PretextTask representation;
  private final LinearHead initialHead;
  private String logits;

  /** Starts from the encoder's own initialization (the supervised reference). */
  public SupervisedTask(int classes) {
    this(classes, null, null, null);
  }

  /**
   * Starts from a pretrained encoder (fine-tuning) and, unless {@code initialHead} is null, from
   * that linear head on its features (LP-FT) instead of a random one.
   *
   * @param pretrained a graph holding the encoder's weights under the encoder scope; every one
   *     must be found, so a mismatch fails loudly instead of silently training from scratch
   * @param representation the pretext task whose {@link PretextTask#representation} the head sits
   *     on (CPC's pooled patches, colorization's lightness); null: the encoder applied to the images
   */
  public SupervisedTask(int classes, SameDiff pretrained, PretextTask representation, LinearHead initialHead) {
    this.classes = classes;
    this.pretrained = pretrained;
    this.representation = representation;
    this.initialHead = initialHead;
  }

  /** Name of the linear head's output {@code [N, classes]} in the graph built last. */
  public String logitsName() {
    return logits;
  }

  @Override
  public TaskGraph build(GraphBuilder g, Encoder encoder, ImageShape dataShape) {
    SDVariable images = g.placeholder(IMAGES, dataShape.batchShape());
    SDVariable labels = g.placeholder("class_labels", -1, classes);
    Encoder.Representation h = RepresentationGraph.add(g, encoder, representation, images, dataShape);
    if (pretrained != null) {
      EncoderExport.copyEncoderArrays(pretrained, g.sameDiff());
    }
    SDVariable out = initialHead == null
        ? Ops.linear(g.scope("classifier"), "logits", h.variable(), h.size(), classes)
        : startingHead(g.scope("classifier"), h);
    logits = out.name();
    SDVariable loss = Ops.softmaxCrossEntropy(g.sameDiff(), out, labels);
    return new TaskGraph(loss.name(), h.variable().name(), h.size());
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

  /** The step's inputs: the images and their one-hot labels. */
  @Override
  public Map<String, INDArray> prepareLabelled(ImageSet data, int[] indices) {
    INDArray images = data.batch(indices);
    int[] labels = data.labelsOf(indices);
    INDArray oneHot = Nd4j.zeros(DataType.FLOAT, labels.length, classes);
    for (int i = 0; i < labels.length; i++) {
      oneHot.putScalar(i, labels[i], 1f);
    }
    return Map.of(IMAGES, images, "class_labels", oneHot);
  }
}
