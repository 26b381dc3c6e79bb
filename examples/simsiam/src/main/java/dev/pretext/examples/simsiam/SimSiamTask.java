package dev.pretext.examples.simsiam;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.pretext.api.Augmentation;
import dev.pretext.api.ComponentContext;
import dev.pretext.api.Encoder;
import dev.pretext.api.ImageShape;
import dev.pretext.api.PretextTask;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.toolkit.graph.Ops;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * SimSiam: each image is augmented twice; one network (encoder f, projector g) maps both views to
 * projections z₁, z₂, a predictor h maps those to p₁, p₂, and each prediction must point along the
 * other view's projection, {@code D(p₁, sg(z₂))/2 + D(p₂, sg(z₁))/2} ({@link SimSiamLoss}). No
 * negatives and no momentum encoder: the stop-gradient alone keeps the representation from
 * collapsing. The protocols evaluate the encoder's h (the default {@link #representation}).
 *
 * <p>Both views go through the network as one batch of 2N, view 1 in rows 0..N−1, so each batch
 * norm takes its statistics over both views, as simclr and byol do here; the paper's code runs one
 * forward pass per view, with statistics per view.
 */
final class SimSiamTask implements PretextTask {

  /** The placeholder of both views, {@code [2N, C, H, W]}: view 1 in rows 0..N−1, view 2 after. */
  static final String VIEWS = "views";

  /** The projections z of both views, {@code [2N, D]}. */
  static final String PROJECTIONS = "projections";

  /** The predictions p of both views, {@code [2N, D]}. */
  static final String PREDICTIONS = "predictions";

  /** The sizes of a two-layer MLP (projector or predictor), each in [1, 65536]. */
  record Mlp(int hidden, int output) {
    static Mlp from(Config c, String path) {
      return new Mlp(size(c, path, "hidden"), size(c, path, "output"));
    }

    private static int size(Config c, String path, String key) {
      int v = c.getInt(key);
      if (v < 1 || v > 65_536) {
        throw new ConfigException.BadValue(c.getValue(key).origin(), path + "." + key,
            "must be between 1 and 65536, got " + v);
      }
      return v;
    }
  }

  private final List<Augmentation> augmentations;
  private final Mlp projector;
  private final Mlp predictor;
  private final SimSiamLoss loss;

  SimSiamTask(ComponentContext context) {
    Config c = context.config();
    String path = context.configPath();
    this.augmentations = context.components().createAugmentations(c.getList("augmentations"),
        path + ".augmentations", "both views are the same image");
    this.projector = Mlp.from(c.getConfig("projector"), path + ".projector");
    this.predictor = Mlp.from(c.getConfig("predictor"), path + ".predictor");
    if (predictor.output() != projector.output()) {
      throw new ConfigException.BadValue(c.getValue("predictor.output").origin(), path + ".predictor.output",
          "must equal projector.output (" + projector.output() + "): the prediction is compared with a"
              + " projection, got " + predictor.output());
    }
    this.loss = new SimSiamLoss(c.getBoolean("loss.stop-gradient"), c.getBoolean("loss.symmetric"));
  }

  @Override
  public TaskGraph build(GraphBuilder g, Encoder encoder, ImageShape shape) {
    SDVariable views = g.placeholder(VIEWS, shape.batchShape());
    Encoder.Representation h = encoder.build(g.scope("encoder"), views, shape);

    GraphBuilder proj = g.scope("projector");
    SDVariable z = Ops.linear(proj, "hidden", h.variable(), h.size(), projector.hidden());
    z = Ops.relu(g.sameDiff(), Ops.batchNorm(proj, "hidden_bn", z, projector.hidden()));
    z = Ops.linear(proj, "output", z, projector.hidden(), projector.output());
    z = Ops.batchNorm(proj, "output_bn", z, projector.output()).rename(g.name(PROJECTIONS));

    GraphBuilder pred = g.scope("predictor");
    SDVariable p = Ops.linear(pred, "hidden", z, projector.output(), predictor.hidden());
    p = Ops.relu(g.sameDiff(), Ops.batchNorm(pred, "hidden_bn", p, predictor.hidden()));
    p = Ops.linear(pred, "output", p, predictor.hidden(), predictor.output()).rename(g.name(PREDICTIONS));

    SDVariable[] zs = splitViews(z, projector.output());
    SDVariable[] ps = splitViews(p, predictor.output());
    SDVariable value = loss.build(g.sameDiff(), g.name("loss"), ps[0], ps[1], zs[0], zs[1]);
    return new TaskGraph(value.name(), h.variable().name(), h.size());
  }

  /**
   * Splits {@code x [2N, width]} into view 1's rows {@code x[0:N]} and view 2's {@code x[N:2N]}:
   * reshaping to {@code [2, N, width]} and taking points 0 and 1 works for an N unknown while
   * building, and differentiates correctly.
   */
  static SDVariable[] splitViews(SDVariable x, long width) {
    SDVariable pairs = x.reshape(2, -1, width);
    return new SDVariable[] {pairs.get(SDIndex.point(0)), pairs.get(SDIndex.point(1))};
  }

  @Override
  public Map<String, INDArray> prepare(INDArray images, Random random) {
    INDArray first = Augmentation.applyAll(augmentations, images, random);
    INDArray second = Augmentation.applyAll(augmentations, images, random);
    return Map.of(VIEWS, Nd4j.concat(0, first, second));
  }
}
