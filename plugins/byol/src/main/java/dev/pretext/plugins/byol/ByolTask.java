package dev.pretext.plugins.byol;

import com.typesafe.config.Config;
import dev.pretext.api.Augmentation;
import dev.pretext.api.ComponentContext;
import dev.pretext.api.Encoder;
import dev.pretext.api.ImageShape;
import dev.pretext.api.Loss;
import dev.pretext.api.PretextTask;
import dev.pretext.api.StepContext;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.toolkit.Settings;
import dev.pretext.toolkit.TwoViews;
import dev.pretext.toolkit.graph.MomentumNetwork;
import dev.pretext.toolkit.graph.Ops;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * BYOL: an online network (encoder f, projector g, predictor q) and a target network (f and g)
 * that is an exponential moving average of the online one, never trained. Each image is
 * augmented twice; the online prediction of each view must match the target's projection of the
 * other view, {@code ℓ(q(g(f(v₁))), g'(f'(v₂))) + ℓ(q(g(f(v₂))), g'(f'(v₁)))} with the
 * negative-cosine loss ℓ, and no negatives. The protocols evaluate the online encoder's h.
 *
 * <p>Both views go through the online network as one batch of 2N (so batch norm sees both), and
 * through the target network in {@link #beforeStep}, which feeds its projections as the
 * placeholders {@code target_z1} and {@code target_z2}. After the optimizer step, {@link
 * #afterStep} moves the target towards the online weights with the momentum τ of {@link
 * #momentum}, which rises from τ_base to 1 over the run.
 */
final class ByolTask implements PretextTask {

  /** The placeholder of both views, {@code [2N, C, H, W]}: view 1 in rows 0..N−1, view 2 after. */
  static final String VIEWS = "views";

  /** Placeholders of the target network's projections of view 1 and view 2, {@code [N, D]}. */
  static final String TARGET_Z1 = "target_z1";

  static final String TARGET_Z2 = "target_z2";

  /** The online projections of both views, {@code [2N, D]}. */
  static final String PROJECTIONS = "projections";

  /** The online predictions of both views, {@code [2N, D]}. */
  static final String PREDICTIONS = "predictions";

  /** What this task hands its loss: the online prediction and the target network's projection. */
  static final Map<String, Set<Loss.Input>> ROLES = Map.of(
      "prediction", Set.of(Loss.Input.EMBEDDINGS), "target", Set.of(Loss.Input.EMBEDDINGS));

  /** Validated settings of an MLP (projector or predictor): linear, batch norm, ReLU, linear. */
  record Mlp(int hidden, int output) {
    static Mlp from(Settings s) {
      return new Mlp(s.intIn("hidden", 1, 65_536), s.intIn("output", 1, 65_536));
    }
  }

  private final List<Augmentation> augmentations;
  private final Mlp projector;
  private final Mlp predictor;
  private final double baseMomentum;
  private final Loss loss;
  private MomentumNetwork targetNetwork;

  ByolTask(ComponentContext context) {
    Config c = context.config();
    String path = context.configPath();
    this.augmentations = context.components().createAugmentations(c.getList("augmentations"),
        path + ".augmentations", "both views are the same image");
    Settings settings = Settings.of(context);
    this.projector = Mlp.from(settings.at("projector"));
    this.predictor = Mlp.from(settings.at("predictor"));
    if (predictor.output() != projector.output()) {
      throw settings.bad("predictor.output", "must equal projector.output (" + projector.output()
          + "): the prediction is compared with a projection, got " + predictor.output());
    }
    this.baseMomentum = settings.doubleIn("base-momentum", 0, 1);
    this.loss = context.components().createLoss(c, path, "byol", ROLES,
        "a regression loss such as negative-cosine");
  }

  /**
   * The target momentum after step {@code step} of {@code totalSteps}: {@code τ = 1 − (1 −
   * τ_base)·(cos(π·k/K) + 1)/2} with {@code K = totalSteps − 1}, so τ starts at τ_base and is
   * exactly 1 after the last step. A run of one step is its own last step.
   */
  static double momentum(double base, long step, long totalSteps) {
    long last = totalSteps - 1;
    if (last <= 0 || step >= last) {
      return 1;
    }
    return 1 - (1 - base) * (Math.cos(Math.PI * step / last) + 1) / 2;
  }

  @Override
  public TaskGraph build(GraphBuilder g, Encoder encoder, ImageShape shape) {
    SameDiff sd = g.sameDiff();
    SDVariable views = g.placeholder(VIEWS, shape.batchShape());
    Encoder.Representation h = encoder.build(g.scope("encoder"), views, shape);
    SDVariable z = mlp(g.scope("projector"), h.variable(), h.size(), projector).rename(g.name(PROJECTIONS));
    SDVariable p = mlp(g.scope("predictor"), z, projector.output(), predictor).rename(g.name(PREDICTIONS));

    SDVariable[] predictions = TwoViews.split(p, predictor.output());
    SDVariable p1 = predictions[0];
    SDVariable p2 = predictions[1];
    SDVariable z1 = g.placeholder(TARGET_Z1, -1, projector.output());
    SDVariable z2 = g.placeholder(TARGET_Z2, -1, projector.output());
    // Symmetrized: view 1 predicts the target's view 2, and view 2 the target's view 1.
    SDVariable one = loss.build(g.scope("loss_12"), Map.of("prediction", p1, "target", z2));
    SDVariable two = loss.build(g.scope("loss_21"), Map.of("prediction", p2, "target", z1));
    SDVariable value = one.add(g.name("loss"), two);

    // The target network: encoder and projector under the same names, in a graph of its own.
    targetNetwork = MomentumNetwork.copyOf(sd, shape, (tg, input) -> {
      Encoder.Representation th = encoder.build(tg.scope("encoder"), input, shape);
      return mlp(tg.scope("projector"), th.variable(), th.size(), projector);
    });
    return new TaskGraph(value.name(), h.variable().name(), h.size());
  }

  private static SDVariable mlp(GraphBuilder g, SDVariable x, long in, Mlp mlp) {
    SDVariable y = Ops.linear(g, "hidden", x, in, mlp.hidden());
    y = Ops.batchNorm(g, "hidden_bn", y, mlp.hidden());
    y = g.sameDiff().nn().relu(y, 0);
    return Ops.linear(g, "output", y, mlp.hidden(), mlp.output());
  }

  @Override
  public Map<String, INDArray> prepare(INDArray images, Random random) {
    return Map.of(VIEWS, TwoViews.stacked(augmentations, images, random));
  }

  @Override
  public Map<String, INDArray> beforeStep(Map<String, INDArray> prepared, StepContext step) {
    INDArray z = targetNetwork().output(prepared.get(VIEWS));
    long n = z.size(0) / 2;
    Map<String, INDArray> all = new HashMap<>(prepared);
    all.put(TARGET_Z1, z.get(NDArrayIndex.interval(0, n), NDArrayIndex.all()).dup());
    all.put(TARGET_Z2, z.get(NDArrayIndex.interval(n, 2 * n), NDArrayIndex.all()).dup());
    return all;
  }

  @Override
  public void afterStep(StepContext step) {
    targetNetwork().follow(step.graph(), momentum(baseMomentum, step.step(), step.totalSteps()));
  }

  @Override
  public void saveState(Path folder) throws IOException {
    targetNetwork().save(folder.resolve("target-network.bin"));
  }

  @Override
  public void loadState(Path folder) throws IOException {
    targetNetwork().load(folder.resolve("target-network.bin"));
  }

  /** The target network (after {@link #build}). */
  MomentumNetwork targetNetwork() {
    if (targetNetwork == null) {
      throw new IllegalStateException("byol's target network exists once the task is built");
    }
    return targetNetwork;
  }

  /** τ_base. */
  double baseMomentum() {
    return baseMomentum;
  }
}
