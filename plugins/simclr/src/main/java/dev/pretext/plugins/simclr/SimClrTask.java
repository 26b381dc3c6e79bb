package dev.pretext.plugins.simclr;

import com.typesafe.config.Config;
import dev.pretext.api.Augmentation;
import dev.pretext.api.ComponentContext;
import dev.pretext.api.Encoder;
import dev.pretext.api.ImageShape;
import dev.pretext.api.Loss;
import dev.pretext.api.NegativeSampler;
import dev.pretext.api.PretextTask;
import dev.pretext.api.StepContext;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.toolkit.Settings;
import dev.pretext.toolkit.TwoViews;
import dev.pretext.toolkit.graph.Ops;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * SimCLR: each image of the batch is augmented twice; the encoder f and a projection head g map
 * both views to z = g(f(x)), and a contrastive loss makes the two views of an image agree against
 * the other views (the sampler's negatives). Both views go through the encoder as one batch of
 * 2N, so its batch norm sees them together. The protocols evaluate h = f(x), not z.
 */
final class SimClrTask implements PretextTask {

  /** The placeholder of both views, {@code [2N, C, H, W]}: view 1 in rows 0..N−1, view 2 after. */
  static final String VIEWS = "views";

  /** What this task hands its loss: the fields of the sampler's logits. */
  static final Map<String, Set<Loss.Input>> ROLES = Map.of(
      "similarities", Set.of(Loss.Input.LOGITS), "positives", Set.of(Loss.Input.TARGETS),
      "valid", Set.of(Loss.Input.TARGETS));

  /** Validated settings of the projection head. */
  record Projection(int hidden, int output) {
    static Projection from(Settings s) {
      return new Projection(s.intIn("hidden", 1, 65_536), s.intIn("output", 1, 65_536));
    }
  }

  private final List<Augmentation> augmentations;
  private final Projection projection;
  private final NegativeSampler sampler;
  private final Loss loss;

  SimClrTask(ComponentContext context) {
    Config c = context.config();
    String path = context.configPath();
    this.augmentations = context.components().createAugmentations(c.getList("augmentations"),
        path + ".augmentations", "both views are the same image");
    this.projection = Projection.from(Settings.of(context).at("projection"));
    // The views' projections are its pairs; there is no key encoder whose keys a queue could keep.
    this.sampler = context.components().createSampler(c, path, "simclr", Set.of(NegativeSampler.Need.PAIRS),
        "in-batch");
    this.loss = context.components().createLoss(c, path, "simclr", ROLES,
        "a contrastive loss such as nt-xent or info-nce");
  }

  @Override
  public TaskGraph build(GraphBuilder g, Encoder encoder, ImageShape shape) {
    SameDiff sd = g.sameDiff();
    SDVariable views = g.placeholder(VIEWS, shape.batchShape());
    Encoder.Representation h = encoder.build(g.scope("encoder"), views, shape);

    GraphBuilder head = g.scope("projection");
    SDVariable x = Ops.linear(head, "hidden", h.variable(), h.size(), projection.hidden());
    x = Ops.batchNorm(head, "hidden_bn", x, projection.hidden());
    x = sd.nn().relu(x, 0);
    SDVariable z = Ops.linear(head, "output", x, projection.hidden(), projection.output());

    SDVariable[] qk = TwoViews.split(z, projection.output());
    SDVariable queries = Ops.l2Normalize(sd, qk[0]);
    SDVariable keys = Ops.l2Normalize(sd, qk[1]);
    NegativeSampler.ContrastiveLogits logits = sampler.build(g.scope("sampler"), queries, keys);
    SDVariable value = loss.build(g.scope("loss"), Map.of(
        "similarities", logits.similarities(),
        "positives", logits.positives(),
        "valid", logits.valid()));
    return new TaskGraph(value.name(), h.variable().name(), h.size());
  }

  @Override
  public Map<String, INDArray> prepare(INDArray images, Random random) {
    return Map.of(VIEWS, TwoViews.stacked(augmentations, images, random));
  }

  @Override
  public Map<String, INDArray> beforeStep(Map<String, INDArray> prepared, StepContext step) {
    Map<String, INDArray> fed = sampler.feed(step);
    if (fed.isEmpty()) {
      return prepared;
    }
    Map<String, INDArray> all = new HashMap<>(prepared);
    all.putAll(fed);
    return all;
  }

  @Override
  public void afterStep(StepContext step) {
    // The keys of the step are not kept: samplers that need them (a queue) belong to MoCo-style tasks.
    sampler.afterStep(step, null);
  }
}
