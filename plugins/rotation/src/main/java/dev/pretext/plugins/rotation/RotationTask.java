package dev.pretext.plugins.rotation;

import com.typesafe.config.Config;
import dev.pretext.api.ComponentContext;
import dev.pretext.api.Encoder;
import dev.pretext.api.ImageShape;
import dev.pretext.api.Loss;
import dev.pretext.api.PretextTask;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.toolkit.Settings;
import dev.pretext.toolkit.graph.Ops;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * RotNet: the encoder sees an image rotated by 0, 90, 180 or 270 degrees and a head on its
 * representation predicts which. With {@code all-rotations} every image appears in all four
 * orientations in the same batch (as in the paper), otherwise with one random rotation.
 */
final class RotationTask implements PretextTask {

  static final int ROTATIONS = 4;

  /** What this task hands its loss. */
  static final Map<String, Set<Loss.Input>> ROLES = Map.of(
      "logits", Set.of(Loss.Input.LOGITS), "labels", Set.of(Loss.Input.TARGETS));

  private final boolean allRotations;
  private final int headHidden;
  private final Loss loss;

  RotationTask(ComponentContext context) {
    Config c = context.config();
    ImageShape shape = context.imageShape();
    if (shape.height() != shape.width()) {
      throw new IllegalArgumentException("rotation needs square images, the dataset's are " + shape);
    }
    this.allRotations = c.getBoolean("all-rotations");
    this.headHidden = Settings.of(context).intAtLeast("head-hidden", 0, "0 = linear head");
    this.loss = context.components().createLoss(c, context.configPath(), "rotation", ROLES,
        "a classification loss such as cross-entropy");
  }

  @Override
  public TaskGraph build(GraphBuilder g, Encoder encoder, ImageShape shape) {
    SDVariable images = g.placeholder("images", shape.batchShape());
    SDVariable labels = g.placeholder("rotation_labels", -1, ROTATIONS);
    Encoder.Representation h = encoder.build(g.scope("encoder"), images, shape);
    SDVariable x = h.variable();
    long width = h.size();
    GraphBuilder head = g.scope("rotation_head");
    if (headHidden > 0) {
      x = Ops.linear(head, "hidden", x, width, headHidden);
      x = Ops.batchNorm(head, "hidden_bn", x, headHidden);
      x = g.sameDiff().nn().relu(x, 0);
      width = headHidden;
    }
    SDVariable logits = Ops.linear(head, "logits", x, width, ROTATIONS);
    SDVariable value = loss.build(head, Map.of("logits", logits, "labels", labels));
    return new TaskGraph(value.name(), h.variable().name(), h.size());
  }

  @Override
  public Map<String, INDArray> prepare(INDArray images, Random random) {
    int n = (int) images.size(0);
    int channels = (int) images.size(1);
    int size = (int) images.size(2);
    float[] in = images.dup('c').data().asFloat();
    int copies = allRotations ? ROTATIONS : 1;
    float[] out = new float[in.length * copies];
    float[] labels = new float[n * copies * ROTATIONS];
    for (int i = 0; i < n; i++) {
      for (int r = 0; r < copies; r++) {
        int quarters = allRotations ? r : random.nextInt(ROTATIONS);
        int dst = i * copies + r;
        Rotations.rotate(in, i, out, dst, channels, size, quarters);
        labels[dst * ROTATIONS + quarters] = 1f;
      }
    }
    return Map.of(
        "images", Nd4j.create(out, new long[] {(long) n * copies, channels, size, size}, 'c'),
        "rotation_labels", Nd4j.create(labels, new long[] {(long) n * copies, ROTATIONS}, 'c'));
  }
}
