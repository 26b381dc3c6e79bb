package dev.pretext.examples.simsiam;

import com.typesafe.config.Config;
import dev.pretext.api.Augmentation;
import dev.pretext.api.ComponentContext;
import dev.pretext.api.Encoder;
import dev.pretext.api.ImageShape;
import dev.pretext.api.PretextTask;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.toolkit.Settings;
import dev.pretext.toolkit.TwoViews;
import dev.pretext.toolkit.graph.Ops;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;

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
    static Mlp from(Settings settings) {
      return new Mlp(settings.intIn("hidden", 1, 65_536), settings.intIn("output", 1, 65_536));
    }
  }

  private final List<Augmentation> augmentations;
  private final Mlp projector;
  private final Mlp predictor;
  private final SimSiamLoss loss;

  SimSiamTask(ComponentContext context) {
    Settings settings = Settings.of(context);
    Config c = context.config();
    this.augmentations = context.components().createAugmentations(c.getList("augmentations"),
        settings.path("augmentations"), "both views are the same image");
    this.projector = Mlp.from(settings.at("projector"));
    this.predictor = Mlp.from(settings.at("predictor"));
    if (predictor.output() != projector.output()) {
      throw settings.bad("predictor.output", "must equal projector.output (" + projector.output()
          + "): the prediction is compared with a projection, got " + predictor.output());
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

    SDVariable[] zs = TwoViews.split(z, projector.output());
    SDVariable[] ps = TwoViews.split(p, predictor.output());
    SDVariable value = loss.build(g.sameDiff(), g.name("loss"), ps[0], ps[1], zs[0], zs[1]);
    return new TaskGraph(value.name(), h.variable().name(), h.size());
  }

  @Override
  public Map<String, INDArray> prepare(INDArray images, Random random) {
    return Map.of(VIEWS, TwoViews.stacked(augmentations, images, random));
  }
}
