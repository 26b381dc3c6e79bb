package ${package};

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.pretext.api.ComponentContext;
import dev.pretext.api.Encoder;
import dev.pretext.api.ImageShape;
import dev.pretext.api.PretextTask;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.toolkit.graph.Ops;
import java.util.Map;
import java.util.Random;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Upside-down prediction: every image of the batch appears twice, as it is and turned upside down
 * (its rows in reverse order), and a head on the encoder's representation h tells which is which,
 * trained with softmax cross-entropy. To learn it the encoder has to notice what is on top of an
 * object, its shape. The protocols evaluate h (the default {@link #representation}).
 *
 * <p>The shape of any task: settings read and checked in the constructor, the graph built once by
 * {@link #build} (placeholders, the encoder, heads, the loss), the placeholders' values made from a
 * batch of images by {@link #prepare} with the given random source only.
 */
final class FlipTask implements PretextTask {

  /** The placeholder of the images, {@code [2N, C, H, W]}: the N originals, then the N turned. */
  static final String IMAGES = "images";

  /** The placeholder of the one-hot labels, {@code [2N, 2]}: column 0 upright, column 1 turned. */
  static final String LABELS = "flip_labels";

  private final int headHidden;

  FlipTask(ComponentContext context) {
    Config c = context.config();
    this.headHidden = c.getInt("head-hidden");
    if (headHidden < 0 || headHidden > 65_536) {
      // The key's full path in the message: the runtime prints it with the suite file and line.
      throw new ConfigException.BadValue(c.getValue("head-hidden").origin(), context.configPath() + ".head-hidden",
          "must be between 0 and 65536 (0 = a linear head), got " + headHidden);
    }
  }

  @Override
  public TaskGraph build(GraphBuilder g, Encoder encoder, ImageShape shape) {
    SDVariable images = g.placeholder(IMAGES, shape.batchShape());
    SDVariable labels = g.placeholder(LABELS, -1, 2);
    Encoder.Representation h = encoder.build(g.scope("encoder"), images, shape);
    GraphBuilder head = g.scope("flip_head");
    SDVariable x = h.variable();
    long width = h.size();
    if (headHidden > 0) {
      x = Ops.linear(head, "hidden", x, width, headHidden);
      x = Ops.relu(g.sameDiff(), Ops.batchNorm(head, "hidden_bn", x, headHidden));
      width = headHidden;
    }
    SDVariable logits = Ops.linear(head, "logits", x, width, 2);
    SDVariable loss = Ops.softmaxCrossEntropy(g.sameDiff(), logits, labels);
    return new TaskGraph(loss.name(), h.variable().name(), h.size());
  }

  @Override
  public Map<String, INDArray> prepare(INDArray images, Random random) {
    long n = images.size(0);
    INDArray labels = Nd4j.zeros(images.dataType(), 2 * n, 2);
    for (long i = 0; i < n; i++) {
      labels.putScalar(new long[] {i, 0}, 1);
      labels.putScalar(new long[] {n + i, 1}, 1);
    }
    return Map.of(IMAGES, Nd4j.concat(0, images, upsideDown(images)), LABELS, labels);
  }

  /** Images {@code [N, C, H, W]} with their rows in reverse order (a copy). */
  static INDArray upsideDown(INDArray images) {
    int n = (int) images.size(0);
    int c = (int) images.size(1);
    int height = (int) images.size(2);
    int width = (int) images.size(3);
    float[] in = images.dup('c').data().asFloat();
    float[] out = new float[in.length];
    for (int plane = 0; plane < n * c; plane++) {
      for (int y = 0; y < height; y++) {
        System.arraycopy(in, (plane * height + y) * width, out, (plane * height + height - 1 - y) * width, width);
      }
    }
    return Nd4j.create(out, images.shape(), 'c');
  }
}
