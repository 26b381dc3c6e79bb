package dev.pretext.plugins.moco;

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

/**
 * MoCo v2: a query encoder f_q with an MLP head g_q, trained, and a key encoder with head that is
 * an exponential moving average of them, never trained. Each image is augmented twice; the query
 * view's {@code q = g_q(f_q(x))} must pick out the key view's {@code k} (from the key network)
 * among the keys of earlier batches held in the sampler's queue, with InfoNCE. The protocols
 * evaluate the query encoder's {@code h = f_q(x)}.
 *
 * <p>Per step: {@link #beforeStep} runs the key network on the key views (batch norm in training
 * mode, with the statistics of the key batch, as in MoCo) and feeds the L2-normalized keys and the
 * queue; after the optimizer step, {@link #afterStep} moves the key network towards the query's
 * new weights, {@code θ_k ← m·θ_k + (1 − m)·θ_q}, and enqueues the keys.
 *
 * <p>The queue starts empty, its unfilled slots masked out (MoCo's code fills it with random unit
 * vectors instead): the first step compares each query with its key alone, a loss and gradient of
 * zero, and the next steps have fewer than K negatives until K keys have been queued.
 *
 * <p>MoCo's shuffling BN is not done. It permutes the key batch across GPUs so that a query and
 * its positive key are normalized with statistics of different sub-batches; on one device with
 * whole-batch statistics a permutation changes nothing, as both networks see all N images of the
 * batch. What remains is the weaker signal that a batch's keys share batch statistics with its
 * queries while the queue's keys come from other batches; removing it would need split ("ghost")
 * batch norm in the encoder.
 */
final class MoCoTask implements PretextTask {

  /** Placeholder of the query views {@code [N, C, H, W]}, the query encoder's input. */
  static final String QUERY_VIEWS = "query_views";

  /** The key views, prepared with the query views; only the key network reads them. */
  static final String KEY_VIEWS = "key_views";

  /** The L2-normalized queries {@code [N, D]}. */
  static final String QUERIES = "queries";

  /** Placeholder of the key network's L2-normalized keys {@code [N, D]}, fed before each step. */
  static final String KEYS = "keys";

  /** What this task gives its sampler: query-key pairs, and the key network's keys after each step. */
  static final Set<NegativeSampler.Need> PROVIDED = Set.of(NegativeSampler.Need.PAIRS, NegativeSampler.Need.STEP_KEYS);

  /** What this task hands its loss: the fields of the sampler's logits. */
  static final Map<String, Set<Loss.Input>> ROLES = Map.of(
      "similarities", Set.of(Loss.Input.LOGITS), "positives", Set.of(Loss.Input.TARGETS),
      "valid", Set.of(Loss.Input.TARGETS));

  /** Validated settings of the MLP head: linear, ReLU, linear (MoCo v2's head has no batch norm). */
  record Head(int hidden, int output) {
    static Head from(Settings s) {
      return new Head(s.intIn("hidden", 1, 65_536), s.intIn("output", 1, 65_536));
    }
  }

  private final List<Augmentation> augmentations;
  private final Head head;
  private final double momentum;
  private final NegativeSampler sampler;
  private final Loss loss;
  private MomentumNetwork keyNetwork;
  private INDArray stepKeys;

  MoCoTask(ComponentContext context) {
    Config c = context.config();
    String path = context.configPath();
    this.augmentations = context.components().createAugmentations(c.getList("augmentations"),
        path + ".augmentations", "the query and key views are the same image");
    Settings settings = Settings.of(context);
    this.head = Head.from(settings.at("head"));
    this.momentum = settings.doubleIn("momentum", 0, 1);
    this.sampler = context.components().createSampler(c, path, "moco", PROVIDED,
        "queue");
    this.loss = context.components().createLoss(c, path, "moco", ROLES,
        "a contrastive loss such as info-nce");
  }

  @Override
  public TaskGraph build(GraphBuilder g, Encoder encoder, ImageShape shape) {
    SameDiff sd = g.sameDiff();
    SDVariable views = g.placeholder(QUERY_VIEWS, shape.batchShape());
    Encoder.Representation h = encoder.build(g.scope("encoder"), views, shape);
    SDVariable queries = Ops.l2Normalize(sd, head(g.scope("head"), h)).rename(g.name(QUERIES));
    SDVariable keys = g.placeholder(KEYS, -1, head.output());

    NegativeSampler.ContrastiveLogits logits = sampler.build(g.scope("sampler"), queries, keys);
    SDVariable value = loss.build(g.scope("loss"), Map.of(
        "similarities", logits.similarities(),
        "positives", logits.positives(),
        "valid", logits.valid()));

    // The key network: the same layers under the same names, in a graph of its own.
    keyNetwork = MomentumNetwork.copyOf(sd, shape, (kg, input) -> Ops.l2Normalize(kg.sameDiff(),
        head(kg.scope("head"), encoder.build(kg.scope("encoder"), input, shape))));
    return new TaskGraph(value.name(), h.variable().name(), h.size());
  }

  private SDVariable head(GraphBuilder g, Encoder.Representation h) {
    SDVariable x = Ops.linear(g, "hidden", h.variable(), h.size(), head.hidden());
    x = g.sameDiff().nn().relu(x, 0);
    return Ops.linear(g, "output", x, head.hidden(), head.output());
  }

  @Override
  public Map<String, INDArray> prepare(INDArray images, Random random) {
    INDArray query = Augmentation.applyAll(augmentations, images, random);
    INDArray key = Augmentation.applyAll(augmentations, images, random);
    return Map.of(QUERY_VIEWS, query, KEY_VIEWS, key);
  }

  @Override
  public Map<String, INDArray> beforeStep(Map<String, INDArray> prepared, StepContext step) {
    stepKeys = keyNetwork().output(prepared.get(KEY_VIEWS));
    Map<String, INDArray> all = new HashMap<>(prepared);
    all.put(KEYS, stepKeys);
    all.putAll(sampler.feed(step));
    return all;
  }

  @Override
  public void afterStep(StepContext step) {
    keyNetwork().follow(step.graph(), momentum);
    sampler.afterStep(step, stepKeys);
    stepKeys = null;
  }

  /** The key network; the runtime keeps the sampler's queue itself ({@link NegativeSampler#saveState}). */
  @Override
  public void saveState(Path folder) throws IOException {
    keyNetwork().save(folder.resolve("key-network.bin"));
  }

  @Override
  public void loadState(Path folder) throws IOException {
    keyNetwork().load(folder.resolve("key-network.bin"));
  }

  /** The key network (after {@link #build}). */
  MomentumNetwork keyNetwork() {
    if (keyNetwork == null) {
      throw new IllegalStateException("moco's key network exists once the task is built");
    }
    return keyNetwork;
  }

  /** The key momentum m. */
  double momentum() {
    return momentum;
  }
}
