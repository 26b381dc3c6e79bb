package dev.pretext.runtime.training;

import dev.pretext.api.Encoder;
import dev.pretext.api.ImageShape;
import dev.pretext.api.PretextTask;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.api.graph.Ops;
import java.util.Map;
import java.util.Random;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The supervised reference: the suite's encoder with a linear head trained end to end on the
 * labels, under the same budget as the methods. Not a plugin: it needs the labels, which the SPI
 * deliberately never hands to a pretext task.
 */
public final class SupervisedTask implements PretextTask {

  private final int classes;

  public SupervisedTask(int classes) {
    this.classes = classes;
  }

  @Override
  public TaskGraph build(GraphBuilder g, Encoder encoder, ImageShape shape) {
    SDVariable images = g.placeholder("images", shape.batchShape());
    SDVariable labels = g.placeholder("class_labels", -1, classes);
    Encoder.Representation h = encoder.build(g.scope("encoder"), images, shape);
    SDVariable logits = Ops.linear(g.scope("classifier"), "logits", h.variable(), h.size(), classes);
    SDVariable loss = Ops.softmaxCrossEntropy(g.sameDiff(), logits, labels);
    return new TaskGraph(loss.name(), h.variable().name(), h.size(), images.name());
  }

  @Override
  public Map<String, INDArray> prepare(INDArray images, Random random) {
    throw new IllegalStateException("the supervised reference needs labels: use prepareLabelled");
  }

  /** The step's inputs: the images and their one-hot labels. */
  Map<String, INDArray> prepareLabelled(INDArray images, int[] labels) {
    INDArray oneHot = Nd4j.zeros(DataType.FLOAT, labels.length, classes);
    for (int i = 0; i < labels.length; i++) {
      oneHot.putScalar(i, labels[i], 1f);
    }
    return Map.of("images", images, "class_labels", oneHot);
  }
}
