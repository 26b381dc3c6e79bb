package dev.pretext.plugins.cpc;

import static org.nd4j.autodiff.samediff.SDIndex.all;
import static org.nd4j.autodiff.samediff.SDIndex.interval;

import com.typesafe.config.Config;
import dev.pretext.api.ComponentContext;
import dev.pretext.api.Encoder;
import dev.pretext.api.EncoderModule;
import dev.pretext.api.ImageShape;
import dev.pretext.api.Loss;
import dev.pretext.api.NegativeSampler;
import dev.pretext.api.PretextTask;
import dev.pretext.api.graph.GraphBuilder;
import dev.pretext.toolkit.Settings;
import dev.pretext.toolkit.graph.Ops;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Contrastive predictive coding on a patch grid (van den Oord et al., 2018; Hénaff et al., 2019).
 *
 * <p>Each image is cut into a grid of overlapping patches ({@link PatchGrid}, 4×4 patches of 10×10
 * for 28×28 images by default); the suite's encoder embeds every patch of the batch in one pass,
 * {@code z [N·G·G, D]}, viewed as {@code [N, D, G, G]}.
 *
 * <p><b>Context model: a masked (causal) convolution over the grid.</b> One convolution with a
 * kernel of {@code context.rows × context.width} positions, zero-padded by {@code rows − 1} above
 * and {@code (width − 1) / 2} left and right, of which only the first G output rows are kept: output
 * row r then covers input rows {@code r − rows + 1 … r}, never a row below r. Bias and ReLU follow,
 * giving {@code c [N, channels, G, G]}. A GRU would need a loop over rows; a convolution is
 * one op, trains in SameDiff M2.1 and has no control flow. With the default {@code rows = 3} the
 * context of every row that makes a prediction (rows 0…G−2 for a 4×4 grid) sees all rows above it.
 *
 * <p>For each step k = 1…{@code prediction-steps} a linear map W_k (1×1, {@code channels → D})
 * predicts z at (r + k, column) from c at (r, column) for r = 0…G−1−k. Predictions and true
 * patches, L2-normalized, go to the {@code patch-grid} sampler as {@code [N, (G−k)·G, D]}: each
 * prediction against its true patch and, as negatives, the other target patches of the batch
 * (other positions and other images); the loss (info-nce by default) is averaged over k.
 *
 * <p>The representation the protocols evaluate is the mean of z over the grid ({@code [N, D]});
 * {@link #representation} cuts whole images into the same grid with graph slices.
 *
 * <p>The encoder's batch normalization computes its statistics over all patches of the batch,
 * rows below included, which lets a little information flow against the causal order while
 * training (Hénaff et al. replace batch norm by layer norm for this reason); the context itself is
 * strictly causal.
 */
final class CpcTask implements PretextTask {

  /** The placeholder of every patch of the batch, {@code [N·G·G, C, p, p]}, image by image. */
  static final String PATCHES = "patches";

  /** Context activations {@code [N, channels, G, G]}: position (r, c) sees rows ≤ r only. */
  static final String CONTEXT = "context/activations";

  /** The representation: patch embeddings averaged over the grid, {@code [N, D]}. */
  static final String REPRESENTATION = "pooled_patches";

  /** What this task hands its loss: the fields of the sampler's logits. */
  static final Map<String, Set<Loss.Input>> ROLES = Map.of(
      "similarities", Set.of(Loss.Input.LOGITS), "positives", Set.of(Loss.Input.TARGETS),
      "valid", Set.of(Loss.Input.TARGETS));

  /**
   * Validated settings of the causal context.
   *
   * @param rows kernel height: how many rows (the current one included) a context position sees
   * @param width kernel width in grid columns, odd so the output keeps the grid's width
   * @param channels output channels of the context
   */
  record Context(int rows, int width, int channels) {}

  private final PatchGrid grid;
  private final int predictionSteps;
  private final Context context;
  private final NegativeSampler sampler;
  private final Loss loss;

  CpcTask(ComponentContext ctx) {
    Config c = ctx.config();
    String path = ctx.configPath();
    ImageShape image = ctx.imageShape();
    Settings settings = Settings.of(ctx);
    int patch = settings.intIn("patch", 1, Math.min(image.height(), image.width()),
        "at most the image's smaller side (" + image + ")");
    int stride = settings.intIn("stride", 1, 1024);
    this.grid = PatchGrid.of(image, patch, stride);
    if (grid.rows() < 2) {
      throw settings.bad("patch", "leaves a grid of " + grid.rows() + " row(s) on " + image
          + "; CPC needs at least 2 rows to predict one ahead (smaller patch or stride)");
    }
    this.predictionSteps = settings.intIn("prediction-steps", 1, grid.rows() - 1,
        "less than the grid's " + grid.rows() + " rows");
    Settings cs = settings.at("context");
    int width = cs.intIn("width", 1, 2 * grid.columns() - 1);
    if (width % 2 == 0) {
      throw cs.bad("width", "must be odd so the grid keeps its width, got " + width);
    }
    this.context = new Context(cs.intIn("rows", 1, grid.rows()), width, cs.intIn("channels", 1, 4096));
    this.sampler = ctx.components().createSampler(c, path, "cpc", Set.of(NegativeSampler.Need.GRID),
        "patch-grid");
    this.loss = ctx.components().createLoss(c, path, "cpc", ROLES,
        "a contrastive loss such as info-nce");
  }

  /** The grid the images are cut into. */
  PatchGrid grid() {
    return grid;
  }

  @Override
  public TaskGraph build(GraphBuilder g, Encoder encoder, ImageShape shape) {
    SameDiff sd = g.sameDiff();
    ImageShape patchShape = new ImageShape(shape.channels(), grid.patch(), grid.patch());
    SDVariable patches = g.placeholder(PATCHES, patchShape.batchShape());
    Encoder.Representation h = encoder.build(g.scope("encoder"), patches, patchShape);
    long d = h.size();
    int rows = grid.rows();
    int cols = grid.columns();
    SDVariable z = h.variable();
    SDVariable pooled = z.reshape(-1, grid.size(), d).mean(g.name(REPRESENTATION), 1);

    SDVariable grid4 = z.reshape(-1, rows, cols, d);
    SDVariable c = causalContext(g.scope("context"), grid4.permute(0, 3, 1, 2), d);

    List<SDVariable> perStep = new ArrayList<>();
    for (int k = 1; k <= predictionSteps; k++) {
      long targets = (long) (rows - k) * cols;
      SDVariable from = c.get(all(), all(), interval(0, rows - k), all()).permute(0, 2, 3, 1)
          .reshape(-1, context.channels());
      SDVariable predicted = Ops.linear(g.scope("predictor"), "step" + k, from, context.channels(), d);
      SDVariable queries = Ops.l2Normalize(sd, predicted).reshape(-1, targets, d);
      SDVariable truth = grid4.get(all(), interval(k, rows), all(), all()).reshape(-1, d);
      SDVariable keys = Ops.l2Normalize(sd, truth).reshape(-1, targets, d);
      NegativeSampler.ContrastiveLogits logits = sampler.build(g.scope("sampler_step" + k), queries, keys);
      perStep.add(loss.build(g.scope("loss_step" + k), Map.of(
          "similarities", logits.similarities(),
          "positives", logits.positives(),
          "valid", logits.valid())));
    }
    SDVariable total = perStep.get(0);
    for (int i = 1; i < perStep.size(); i++) {
      total = total.add(perStep.get(i));
    }
    SDVariable value = total.div(g.name("loss"), perStep.size());
    return new TaskGraph(value.name(), pooled.name(), d);
  }

  /**
   * The masked convolution over the grid {@code [N, D, G, G]}: padding {@code rows − 1} on both
   * the top and the bottom with a valid kernel of height {@code rows} gives {@code G + rows − 1}
   * output rows, of which row i covers input rows {@code i − rows + 1 … i}; keeping rows 0…G−1
   * keeps exactly the causal ones.
   */
  private SDVariable causalContext(GraphBuilder g, SDVariable grid4, long d) {
    SameDiff sd = g.sameDiff();
    long fanIn = (long) context.rows() * context.width() * d;
    SDVariable w = g.normalVariable("kernel", Math.sqrt(2.0 / fanIn),
        context.rows(), context.width(), d, context.channels());
    SDVariable b = g.variable("bias", Nd4j.zeros(DataType.FLOAT, context.channels()));
    SDVariable conv = sd.cnn().conv2d(grid4, w, b, Conv2DConfig.builder()
        .kH(context.rows()).kW(context.width()).sH(1).sW(1)
        .pH(context.rows() - 1).pW((context.width() - 1) / 2)
        .paddingMode(PaddingMode.VALID).dataFormat("NCHW").build());
    SDVariable causal = conv.get(all(), all(), interval(0, grid.rows()), all());
    return sd.nn().relu(g.name("activations"), causal, 0);
  }

  @Override
  public Map<String, INDArray> prepare(INDArray images, Random random) {
    return Map.of(PATCHES, grid.cut(images));
  }

  /** A patch: the encoder sees the grid's patches, not whole images. */
  @Override
  public ImageShape encoderShape(ImageShape shape) {
    return new ImageShape(shape.channels(), grid.patch(), grid.patch());
  }

  /**
   * The grid cut with graph slices, patch by patch ({@code [G·G·N, C, p, p]}, all images' first
   * patch first: batch statistics are over all patches of the batch whatever their order, so the
   * order changes nothing but the reshape), encoded, and averaged over the grid as in {@link #build}.
   */
  @Override
  public Encoder.Representation representation(GraphBuilder g, EncoderModule encoder,
      SDVariable images, ImageShape shape) {
    SDVariable[] patches = new SDVariable[grid.size()];
    int p = grid.patch();
    for (int r = 0; r < grid.rows(); r++) {
      for (int col = 0; col < grid.columns(); col++) {
        int y = r * grid.stride();
        int x = col * grid.stride();
        patches[r * grid.columns() + col] =
            images.get(all(), all(), interval(y, y + p), interval(x, x + p));
      }
    }
    SDVariable all = patches.length == 1 ? patches[0] : g.sameDiff().concat(0, patches);
    SDVariable z = encoder.apply(all, encoderShape(shape), EncoderModule.MAIN).representation();
    long d = encoder.representationSize();
    SDVariable pooled = z.reshape(grid.size(), -1, d).mean(g.name(REPRESENTATION), 0);
    return new Encoder.Representation(pooled, d);
  }
}
